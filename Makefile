# PlanCampus: one entry point. `make demo` and `make test` are all a new user needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup demo serve test test-fast lint format bench docs messages clean

help:
	@echo "make demo   install everything, migrate, load the demo, run worker + web server on http://$(HOST):$(PORT)"
	@echo "make test   install what is missing and run the whole suite (lint, contracts, types, tests)"
	@echo "make setup  virtual environment, front-end packages, static files, compiled messages"
	@echo "make serve  task worker + web server in the foreground"
	@echo "make lint | format | bench | docs | messages"

$(UV):
	@PYBIN=$$(scripts/find-python) && $$PYBIN -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	@PYBIN=$$(scripts/find-python) && UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet --python "$$PYBIN"
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

plancampus/static/vendor/.copied: node_modules/.package-lock.json scripts/vendor.py | $(VENV)/.synced
	$(PY) scripts/vendor.py
	@touch $@

setup: $(VENV)/.synced plancampus/static/vendor/.copied
	@$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0
	@$(MANAGE) collectstatic --noinput -v0

demo: setup
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) load_demo
	@echo ""
	@echo "PlanCampus is starting on http://$(HOST):$(PORT)/ (Ctrl-C stops the web server and the worker)."
	@$(MAKE) --no-print-directory serve

serve:
	@bash scripts/serve.sh "$(HOST)" "$(PORT)"

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(MANAGE) makemigrations --check --dry-run -v0
	$(VENV)/bin/pytest -n 2 --dist loadgroup

test-fast: setup
	$(VENV)/bin/pytest -x -q -m "not browser"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: setup
	$(MANAGE) makemessages -l fr -l km -l ar --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=benchmarks --ignore=.tools --ignore=tests --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules

bench: setup
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

docs: setup
	$(PY) -m edplan.docs > docs/reference/indicators.md
	$(MANAGE) settings_reference > docs/reference/settings.md

clean:
	rm -rf $(VENV) $(TOOLS) node_modules staticfiles plancampus/static/vendor
