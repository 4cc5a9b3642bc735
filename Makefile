# zhixing — two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench load load-knee load-ui venv clean

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

# Locust load test of the 集约查询 fan-out (loadtests/README.md): a load verdict, not part of `make test`.
# Extra options after LOAD_ARGS, e.g. make load LOAD_ARGS="--locust-processes 2 -- --rate 150 --duration 60"
LOAD_ARGS ?=
load: $(STAMP)
	$(BIN)/python loadtests/run.py $(LOAD_ARGS)

load-knee: $(STAMP)
	$(BIN)/python loadtests/run.py --knee $(LOAD_ARGS)

load-ui: $(STAMP)
	$(BIN)/python loadtests/run.py --ui $(LOAD_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .benchmarks reports
