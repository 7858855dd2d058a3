# Everything a newcomer needs: `make run` to try the product, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
# Links printed by `make run` and written into mails point at the port it serves on.
PUBLIC_URL ?= http://$(HOST):$(PORT)

NODE_DEPS := tests/browser/node_modules/.package-lock.json
WAPITI := .venv-wapiti/bin/wapiti
SBOM ?= dist/sbom.cdx.json

.PHONY: help setup run test lint security load fmt db-upgrade db-revision translations browser-deps office-deps scan-deps services lock sbom

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
	PUBLIC_URL=$(PUBLIC_URL) $(BIN)/dialogue demo
	PUBLIC_URL=$(PUBLIC_URL) $(BIN)/dialogue run --host $(HOST) --port $(PORT)

# pa11y's puppeteer drives Debian's Chromium: it must not download a browser of its own.
$(NODE_DEPS): tests/browser/package.json tests/browser/package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tests/browser --no-audit --no-fund --silent

browser-deps: $(NODE_DEPS) ## Install Debian's Chromium and Java (as root), axe-core, pa11y and vnu-jar
	@command -v chromium >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else echo "Chromium is missing: sudo apt-get install chromium"; fi; }
	@command -v java >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
		else echo "Java is missing: sudo apt-get install default-jre-headless"; fi; }

# The Word report is checked by converting it to PDF with LibreOffice: Writer without its GUI is
# the smallest set that does it (no recommends: no Java, no fonts beyond Debian's defaults).
office-deps: ## Install Debian's LibreOffice Writer without GUI (as root), for the Word report's test
	@command -v soffice >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui; \
		else echo "LibreOffice is missing: sudo apt-get install --no-install-recommends libreoffice-writer-nogui"; fi; }

# Shared rate limits and RQ jobs are tested against a real Redis on the loopback interface.
services: ## Install (as root) and start Redis on 127.0.0.1:6379 unless it is running
	@command -v redis-server >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; \
		else echo "Redis is missing: sudo apt-get install redis-server"; fi; }
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no; \
		for _ in $$(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done; }

# Wapiti pins older Flask, SQLAlchemy and cryptography than the app needs: its own virtualenv.
$(WAPITI):
	$(PYTHON) -m venv .venv-wapiti
	.venv-wapiti/bin/pip install --quiet --upgrade pip
	.venv-wapiti/bin/pip install --quiet "wapiti3==3.2.3"

scan-deps: $(WAPITI) ## Install the Wapiti web scanner (its own virtualenv, .venv-wapiti)

lint: $(STAMP) ## Check style and formatting with ruff, and the layering with import-linter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

security: $(STAMP) ## bandit, and a dependency audit that reports "not run" when offline
	bash scripts/security_checks.sh

# Production installs from this lock (README, Operations); `make setup` stays on setup.cfg's ranges.
lock: $(STAMP) ## Regenerate requirements.txt, the hashed lock of install_requires (UPGRADE=1 to upgrade)
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --strip-extras \
		--allow-unsafe --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) \
		--output-file requirements.txt setup.cfg

sbom: $(STAMP) ## Write the CycloneDX SBOM of the locked runtime dependencies to dist/sbom.cdx.json
	mkdir -p $(dir $(SBOM))
	$(BIN)/cyclonedx-py requirements --output-reproducible --of JSON -o $(SBOM) requirements.txt

load: $(STAMP) ## Load test through gunicorn on SQLite and PostgreSQL (QUICK=1 for a short run)
	$(BIN)/python benchmarks/load_test.py $(if $(QUICK),--quick)

test: setup browser-deps office-deps scan-deps services lint security ## Set up, lint, and run the whole test suite (again on PostgreSQL if TEST_DATABASE_URL is set)
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
