# The two commands of the README:  make demo  (the main job on demo data)  and  make test  (every test).
# Each creates or updates the virtual environment itself; a fresh machine needs only Python 3.11.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench steps system-deps lint clean

# The package's bytecode is compiled here, as pip does for a regular install: an editable install leaves it to the
# first import, and where PYTHONDONTWRITEBYTECODE is set every run compiles every module again (~0.15 s a run).
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m compileall -q src/salesfocus
	touch $(STAMP)

# Java (Spark), PostgreSQL (source tests) and Chromium (browser tests), from Debian's packages.
system-deps:
	@bash scripts/system-deps.sh

demo: $(STAMP)
	$(VENV)/bin/salesfocus demo --out demo-output

test: $(STAMP) system-deps
	$(PY) -m pytest -q

test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not slow and not browser"

bench: $(STAMP)
	$(PY) bench/run.py

# Where one analysis's time goes, step by step:  make steps DATA="orders.parquet"  (SERIAL=1: no analysis beside)
steps: $(STAMP)
	$(PY) bench/steps.py $(DATA) $(if $(SERIAL),--serial)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) demo-output .pytest_cache
