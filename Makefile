# victim-api: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed-stamp
export VICTIM_API_DATABASE_URL ?= sqlite:///var/victim-api.db

.DEFAULT_GOAL := help
.PHONY: help install run serve test lint format openapi migrate seed clean lock
.PHONY: vendor-docs

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade 'pip>=24'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the service with its dev tools

run: $(STAMP) ## Migrate the SQLite database under var/, load demo data, serve on PORT (8000)
	$(BIN)/victim-api migrate
	$(BIN)/victim-api seed-demo
	$(BIN)/victim-api serve --host $(HOST) --port $(PORT)

serve: $(STAMP) ## Serve without migrating or seeding
	$(BIN)/victim-api serve --host $(HOST) --port $(PORT)

test: $(STAMP) ## Run the whole test suite (VICTIM_API_TEST_DATABASE_URL picks PostgreSQL)
	$(BIN)/pytest

lint: $(STAMP) ## ruff, mypy --strict on src/, the contract validator
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/openapi-spec-validator openapi/openapi.yaml
	$(BIN)/victim-api openapi --check

format: $(STAMP) ## Format and autofix with ruff
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

openapi: $(STAMP) ## Regenerate the committed contract openapi/openapi.yaml
	$(BIN)/victim-api openapi

migrate: $(STAMP) ## Upgrade the database to the migration head
	$(BIN)/victim-api migrate

seed: $(STAMP) ## Load the synthetic demo data
	$(BIN)/victim-api seed-demo

vendor-docs: ## Refresh the vendored Swagger UI and Redoc files from tools/docs-assets (npm)
	cd tools/docs-assets && npm ci --ignore-scripts --no-audit --no-fund
	$(PYTHON) tools/docs-assets/vendor.py

lock: $(STAMP) ## Re-pin constraints.txt from the current .venv
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check | sort > constraints.txt

clean: ## Remove .venv, var/ and caches
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis build src/*.egg-info
