# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
#
# uv manages Python and every dependency from the one lockfile. When it is not on PATH we
# install it once into the cache below, so a fresh machine needs only python3 and make.

SHELL := /bin/bash
.DEFAULT_GOAL := help

CACHE_DIR ?= $(or $(A2P_CACHE_DIR),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/a2p-10dlc)
UV_VERSION ?= 0.13.9
UV := $(or $(shell command -v uv 2>/dev/null),$(CACHE_DIR)/uv/bin/uv)
PYTEST_WORKERS ?= 2

export UV_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/uv

.PHONY: help run stop status test test-unit chaos bench lint contracts clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(CACHE_DIR)/uv/bin/uv:
	@echo "installing uv $(UV_VERSION) into $(CACHE_DIR)/uv"
	@python3 -m venv "$(CACHE_DIR)/uv"
	@"$(CACHE_DIR)/uv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: uv.lock pyproject.toml $(UV)
	@"$(UV)" sync --frozen --quiet
	@touch $@

run: .venv/.synced ## start Kafka, the database and all services; print where to look
	@"$(UV)" run --frozen devstack up
	@echo "create an API key:  .venv/bin/a2p keys create --platform my-platform --tenant springfield-il"

stop: ## stop everything `make run` started (data is kept in .run/)
	@if [ -x .venv/bin/devstack ]; then "$(UV)" run --frozen devstack down; fi

status: .venv/.synced ## one line per component
	@"$(UV)" run --frozen devstack status

test: lint ## lint, then the whole suite against real Kafka and MongoDB (started when not given)
	@"$(UV)" run --frozen pytest -n $(PYTEST_WORKERS)

test-unit: .venv/.synced ## only the tests that need no infrastructure
	@"$(UV)" run --frozen pytest -n $(PYTEST_WORKERS) -m "not infra"

chaos: .venv/.synced ## every fault under a mixed workload on its own Kafka and FerretDB; prints the table
	@"$(UV)" run --frozen python -m tests.chaos --write docs/chaos.md $(CHAOS_ARGS)

bench: .venv/.synced ## every benchmark side by side; writes BENCHMARKS.md and bench/plots/
	@"$(UV)" run --frozen python -m bench.run $(BENCH_ARGS)

lint: .venv/.synced ## ruff, formatting, import boundaries between services
	@"$(UV)" run --frozen ruff check --quiet .
	@"$(UV)" run --frozen ruff format --check --quiet .
	@out=$$("$(UV)" run --frozen lint-imports --no-logo 2>&1) || { echo "$$out"; exit 1; }

contracts: .venv/.synced ## regenerate the committed AsyncAPI documents
	@"$(UV)" run --frozen a2p contracts

clean: stop ## stop, then delete runtime state (.run/) and the virtualenv
	@rm -rf .run .venv
