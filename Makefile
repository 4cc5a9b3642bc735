# zhixing — two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/zhixing demo

test: $(STAMP)
	$(BIN)/python -m pytest --benchmark-skip -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m pytest tests/bench --benchmark-only --benchmark-columns=min,mean,ops,rounds -p no:cacheprovider -s

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .benchmarks
