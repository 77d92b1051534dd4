# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt 2>/dev/null | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck unit install bench clean

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,redis]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/hallofshame run

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/oxlint --deny-warnings -c .oxlintrc.json src/hallofshame/web/static/js

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite runs in TEST_WORKERS processes (pytest-xdist), each with databases of its own;
# a file's tests stay in one process, so a module's fixtures are built once. Three on two
# cores: the tests wait on the database servers a good part of the time.
TEST_WORKERS ?= 3

unit: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=20 $(PYTEST_ARGS)

test: lint typecheck unit

# The benchmarks (bench/README.md); BENCH_ARGS e.g. "--url mysql+pymysql://… --make S".
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var artifacts
