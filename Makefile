# Everything a newcomer needs: `make run` to try the product, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000

AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: help setup run test lint security load fmt db-upgrade db-revision translations browser-deps

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) ## Create the virtual environment, install, compile translations, migrate
	$(BIN)/dialogue translations compile
	$(BIN)/dialogue db upgrade

run: setup ## Set up, load the demo dialogue and serve it on http://127.0.0.1:5000
	$(BIN)/dialogue demo
	$(BIN)/dialogue run --host $(HOST) --port $(PORT)

$(AXE): tests/browser/package.json
	npm install --prefix tests/browser --no-audit --no-fund --silent

browser-deps: $(AXE) ## Install Debian's Chromium (as root) and axe-core for the browser tests
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else echo "Chromium is missing: sudo apt-get install chromium"; fi; }

lint: $(STAMP) ## Check style and formatting with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

security: $(STAMP) ## bandit, and a dependency audit that reports "not run" when offline
	bash scripts/security_checks.sh

load: $(STAMP) ## Load test through gunicorn on SQLite and PostgreSQL (QUICK=1 for a short run)
	$(BIN)/python benchmarks/load_test.py $(if $(QUICK),--quick)

test: setup browser-deps lint security ## Set up, lint, and run the whole test suite (again on PostgreSQL if TEST_DATABASE_URL is set)
	env -u TEST_DATABASE_URL $(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL =="; \
		$(BIN)/pytest; \
	else \
		echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (.ci/run sets it)"; \
	fi

fmt: $(STAMP) ## Format the code and fix what ruff can fix
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

db-upgrade: $(STAMP) ## Migrate the database to the newest revision
	$(BIN)/dialogue db upgrade

db-revision: $(STAMP) ## Autogenerate a migration: make db-revision m="add theme table"
	$(BIN)/alembic revision --autogenerate -m "$(m)"

translations: $(STAMP) ## Extract new strings into the catalogues, then compile them
	$(BIN)/dialogue translations extract
	$(BIN)/dialogue translations compile
