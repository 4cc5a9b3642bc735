# zhixing — two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench load load-knee load-ui record-check venv clean

venv: $(STAMP)

# pip is upgraded only when the environment is made; a changed pyproject.toml reinstalls, and where that cannot reach
# a package index (a court intranet) an environment that was complete before is kept, said on stderr.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || { $(PY) -m venv $(VENV) && $(BIN)/python -m pip install -q --upgrade pip; }
	$(BIN)/python -m pip install -q -e ".[dev]" || { test -f $(STAMP) && $(BIN)/python -c "import zhixing" && \
	  echo "⚠ 依赖未能更新（无法连接软件包索引？），沿用现有环境 / could not update the dependencies (no package index?): using the existing environment" >&2; }
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/zhixing demo

# Two pytest-xdist workers (CI has 2 cores), a test file to a worker (its module fixtures built once);
# `make test TEST_WORKERS=0` runs serially. tests/conftest.py makes every node id unique: xdist sends items by id.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest --benchmark-skip -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

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

# Issue 16 point 6 measured (scenarios/README.md, 录制): a fresh demo log and two simulations (fast, realistic
# agencies), every case recorded as a scenario and replayed; prints N/M per log. RECORD_DIR keeps the logs and
# the failing scenarios.
RECORD_DIR ?= reports/record-check
# PROCESS=FILE: a court's own process file — the court-years are simulated with it (zhixing simulate --process) and
# recorded with it (record_check --process); the demo, which runs the bundled process, is left out
PROCESS ?=
PROCESS_OPT = $(if $(PROCESS),--process $(abspath $(PROCESS)))
record-check: $(STAMP)
	mkdir -p $(RECORD_DIR)
	$(if $(PROCESS),,$(BIN)/zhixing demo --cases 8 --events-out $(RECORD_DIR)/demo.jsonl > $(RECORD_DIR)/demo.out)
	$(BIN)/zhixing simulate --years 0.4 --intake 200 -r 1 --warmup-days 0 --no-validate --events $(PROCESS_OPT) \
		--out $(RECORD_DIR)/fast > $(RECORD_DIR)/fast.out
	sed 's/^  profile: fast /  profile: realistic /' sim/data/court_profile.yaml > $(RECORD_DIR)/realistic.yaml
	$(BIN)/zhixing simulate $(RECORD_DIR)/realistic.yaml --years 0.4 --intake 200 -r 1 --warmup-days 0 \
		--no-validate --events $(PROCESS_OPT) --out $(RECORD_DIR)/realistic > $(RECORD_DIR)/realistic.out
	# a court-year with disposal (--dispose 1: every flat and car found is disposed of) from a start state (open cases at nodes,
	# 终本 register cases): the start state's cases are counted apart as not recordable
	printf 'name: 处置与起始状态 / disposal and a start state\nintake: {yearly: 250}\nstaff: {承办法官: {count: 3}, 书记员: {count: 3}}\nstart_state: %s\n' \
		"$(CURDIR)/sim/data/start_state_example.csv" > $(RECORD_DIR)/disposal.yaml
	$(BIN)/zhixing simulate $(RECORD_DIR)/disposal.yaml --years 1 -r 1 --dispose 1 --warmup-days 0 --no-validate \
		--events $(PROCESS_OPT) --out $(RECORD_DIR)/disposal > $(RECORD_DIR)/disposal.out
	$(BIN)/python -m scenarios.record_check --show-failures --keep $(RECORD_DIR)/failed $(PROCESS_OPT) \
		$(if $(PROCESS),,--events $(RECORD_DIR)/demo.jsonl) --events $(RECORD_DIR)/fast/events/*.csv \
		--events $(RECORD_DIR)/realistic/events/*.csv --events $(RECORD_DIR)/disposal/events/*.csv

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .benchmarks reports
