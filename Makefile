# Ringfence: two commands on a fresh machine with Python 3.11 and make.
#   make run    install, migrate, load the demo, serve on http://127.0.0.1:$(PORT)
#   make test   install the test tools and run the whole suite (DATABASE_URL=postgresql://... for PostgreSQL)
PYTHON ?= python3.11
PORT ?= 8000
# Test processes for the database tests (pytest-xdist; each has its own test database). The browser tests run after
# them in one process: Playwright's event loop must not share a process with database tests.
TEST_WORKERS ?= 2
# BROWSER=0 leaves the browser tests out (CI's PostgreSQL leg: they use their own SQLite database in any leg).
BROWSER ?= 1
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test install install-dev migrate seed serve lint bench bench-quick screenshots clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Ringfence needs Python 3.11 ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The background worker (imports, packs, the year end: django-tasks-db's db_worker) runs beside the server and stops
# with it. A job it is running when you press Ctrl-C is stopped: it ends "failed", having written nothing.
run: seed
	@echo "Serving Ringfence on http://127.0.0.1:$(PORT) with a background worker beside it (Ctrl-C stops both)"
	@$(PY) manage.py recover_jobs --all-running   # jobs a previous run's worker was stopped in the middle of
	@$(PY) manage.py db_worker --no-reload & worker=$$!; \
	 trap 'echo "Stopping the background worker"; kill $$worker 2>/dev/null; \
	       wait $$worker 2>/dev/null' EXIT; \
	 trap 'exit 130' INT TERM; \
	 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install-dev
	@if [ -x /usr/bin/chromium ]; then echo "Browser tests: Chromium found at /usr/bin/chromium, they will run."; \
	 else echo "Browser tests: SKIPPED, /usr/bin/chromium is not installed (apt-get install chromium)."; fi
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not browser" $(PYTEST_ARGS)
	@if [ "$(BROWSER)" = "0" ]; then echo "Browser tests: not run (BROWSER=0). They serve the demo from their own SQLite file whatever DATABASE_URL says, so CI runs them once, in its SQLite leg."; \
	 else $(PY) -m pytest -m browser $(PYTEST_ARGS) || [ $$? -eq 5 ]; fi   # 5: PYTEST_ARGS chose no browser test

lint: install-dev
	$(VENV)/bin/ruff check .

# Benchmarks (BENCHMARKS.md): full size takes hours; bench-quick smoke-checks every script in about a minute each.
bench: install-dev
	$(PY) bench/ledger_bench.py
	$(PY) bench/statements_bench.py
	$(PY) bench/load_bench.py
	$(PY) bench/payment_run_bench.py --db both
	$(PY) bench/monitoring_bench.py
	$(PY) bench/pack_pdf_bench.py --tier L --db postgres
	$(PY) bench/posting_compare_bench.py --db both

bench-quick: install-dev
	$(PY) bench/ledger_bench.py --quick
	$(PY) bench/statements_bench.py --quick
	$(PY) bench/load_bench.py --quick
	$(PY) bench/payment_run_bench.py --db both --quick
	$(PY) bench/pack_pdf_bench.py --quick
	$(PY) bench/posting_compare_bench.py --quick

screenshots: install-dev
	@[ -x /usr/bin/chromium ] || { echo "Screenshots need Chromium at /usr/bin/chromium (apt-get install chromium)."; exit 1; }
	RINGFENCE_SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -q tests/browser/test_pages.py -k home_page
	@echo "Screenshots of each role's home page are in docs/screenshots/."

clean:
	rm -rf $(VENV) var/*.sqlite3 var/*.sqlite3-* var/anchors var/media
