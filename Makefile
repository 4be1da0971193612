# Two commands set everything up on a fresh machine: `make demo` and `make test`.
# Both create .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo build check test goldens bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## demo: build the showcase in schemas/ into generated/ (SQLite by default)
demo: install
	$(BIN)/schemagen build

build: demo

## check: fail when generated/ is stale (what CI runs)
check: install
	$(BIN)/schemagen check

## test: every test: unit, golden files, databases, packaging
test: install
	$(BIN)/python -m pytest -q

## goldens: rewrite tests/golden/*/expected from the current generator; review the diff
goldens: install
	SCHEMAGEN_UPDATE_GOLDENS=1 $(BIN)/python -m pytest -q tests/golden

## bench: build synthetic projects of 10, 100 and 500 resources and print medians
bench: install
	$(BIN)/python benchmarks/bench.py

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .bench
