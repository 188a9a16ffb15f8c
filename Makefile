# 安服监管 — set-up, run and test on a fresh machine (Debian, Python 3.11, Node 20, PostgreSQL on 127.0.0.1).
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
FLASK   := $(BIN)/flask --app app
PG_URL  ?= postgresql+psycopg://postgres@127.0.0.1:5432/anfu_test

.PHONY: run setup deps assets db demo test test-sqlite test-pg browser-deps bench lint clean

run: setup demo  ## set everything up and serve on http://127.0.0.1:5000 (SQLite, demo data, scheduler)
	$(FLASK) serve --host 127.0.0.1 --port 5000

setup: deps assets db

deps: $(BIN)/.deps-stamp
$(BIN)/.deps-stamp: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

assets:
	@if [ -f package.json ]; then npm ci --no-audit --no-fund --loglevel=error && npm run --silent build; fi

db: deps
	$(FLASK) db upgrade
	$(FLASK) bootstrap

demo: db
	$(FLASK) seed-demo

browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "chromium missing: run 'sudo apt-get install -y chromium fonts-noto-cjk'"; exit 1; fi; fi

test: deps assets browser-deps test-sqlite test-pg  ## set everything up and run the whole suite (SQLite + PostgreSQL + browser)

test-sqlite:
	$(BIN)/pytest

test-pg:
	bash .ci/ensure-postgres
	TEST_DATABASE_URL=$(PG_URL) $(BIN)/pytest -m "not browser"

bench: deps
	$(BIN)/python bench/task_completion.py

lint:
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules static/vendor instance/*.sqlite*
