# Two commands set everything up on a fresh machine: `make demo` and `make test`.
# Both create .venv and install what they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo build web check test goldens bench bench-app lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

HOST ?= 127.0.0.1
PORT ?= 8000

## build: build the showcase in schemas/ into generated/
build: install
	$(BIN)/schemagen build

## web: build the showcase's web app into generated/web/dist (npm install, then Vite), which the backend serves at /
web: build
	@if command -v npm >/dev/null 2>&1; then \
		cd generated/web && npm install --no-audit --no-fund --loglevel=error && npm run build; \
	else \
		echo "npm not found: the API is served without its web app (install Node.js 20+ for it)"; \
	fi

## demo: build the showcase and its web app, make its tables (SQLite generated/showcase.db unless DATABASE_URL) and serve both
demo: web
	@if ls generated/migrations/versions/*.py >/dev/null 2>&1; then \
		$(BIN)/alembic -c generated/migrations/alembic.ini upgrade head; \
	else \
		$(BIN)/python -c "import sys; sys.path.insert(0, 'generated/backend'); from showcase import db; db.create_tables()"; \
	fi
	$(BIN)/uvicorn showcase.app:app --app-dir generated/backend --host $(HOST) --port $(PORT)

## check: fail when generated/ is stale (what CI runs)
check: install
	$(BIN)/schemagen check

## test: every test: unit, golden files, databases, packaging; line coverage of each runtime module
## and the 30 slowest tests (what CI prints, to see where its time goes)
test: install
	$(BIN)/python -m pytest -q --durations=30 --cov=schemagen.runtime --cov-report=term

## goldens: rewrite tests/golden/*/expected and tests/migrations/golden/*/expected; review the diff
goldens: install
	SCHEMAGEN_UPDATE_GOLDENS=1 $(BIN)/python -m pytest -q tests/golden tests/migrations/test_goldens.py

## bench: build synthetic projects of 10, 100 and 500 resources and print medians
bench: install
	$(BIN)/python benchmarks/bench.py

## bench-app: start the generated app of 300 resources with uvicorn; medians of its start-up
bench-app: install
	$(BIN)/python benchmarks/app_startup.py --sizes 300 --repeat 3

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy --strict src/schemagen/runtime

clean:
	rm -rf $(VENV) .pytest_cache .bench
