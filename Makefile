PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck format bench bench-pg bench-import chaos clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the bridge on the embedded SQLite default (./data/ecombridge.db). Local development:
## the bridge may call webhooks on this machine (loopback) unless the variable says otherwise.
run: $(STAMP)
	ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE="$${ECOMBRIDGE_WEBHOOK_ALLOW_PRIVATE-127.0.0.0/8,::1}" \
	  $(BIN)/ecombridge serve

lint: $(STAMP)
	$(BIN)/ruff check ecombridge tests
	$(BIN)/ruff format --check ecombridge tests

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format ecombridge tests
	$(BIN)/ruff check --fix ecombridge tests

## Lint, type-check, then run the suite on SQLite and (when it can be had) PostgreSQL.
test: lint typecheck
	@scripts/ensure-chromium.sh || true
	@url="$${ECOMBRIDGE_TEST_DATABASE_URL:-$$(scripts/test-postgres.sh)}"; \
	if [ -z "$$url" ]; then echo "PostgreSQL not available: running the SQLite half only"; fi; \
	ECOMBRIDGE_TEST_DATABASE_URL="$$url" $(BIN)/pytest -n 2 --dist loadfile $(PYTEST_ARGS)

## Benchmarks at the default size on SQLite (figures in bench-results/, see docs/performance.md).
bench: $(STAMP)
	$(BIN)/ecombridge bench sync --out bench-results/sync-sqlite.json

## The import benchmark (100,000 records by default; RECORDS=1000000 for the documented run).
bench-import: $(STAMP)
	$(BIN)/ecombridge bench import --records $${RECORDS:-100000} --out bench-results/import-sqlite.json

## Worker scaling on the machine's PostgreSQL.
bench-pg: $(STAMP)
	@url="$$(scripts/test-postgres.sh)"; \
	for w in 1 2 4; do \
	  $(BIN)/ecombridge bench sync --database-url "$$url" --serve-workers 0 --worker-processes $$w \
	    --out bench-results/sync-pg-$$w-workers.json || exit 1; \
	done

## Crash under load (not part of `make test`, a few minutes): serve + worker take sync batches at a
## steady rate while both are killed (SIGKILL) at random; then every acknowledged message must be
## applied, once (docs/queue.md). On SQLite, then on PostgreSQL when it can be had.
chaos: $(STAMP)
	@rm -rf bench-results/chaos && mkdir -p bench-results/chaos
	$(BIN)/python -m ecombridge.bench.chaos --database-url sqlite:///$(CURDIR)/bench-results/chaos/bridge.db \
	  --log-dir bench-results/chaos/sqlite $(CHAOS_ARGS)
	@url="$$(PGDATABASE_TEST=$${CHAOS_PGDATABASE:-ecombridge_chaos} scripts/test-postgres.sh)"; \
	if [ -z "$$url" ]; then echo "PostgreSQL not available: SQLite only"; exit 0; fi; \
	$(BIN)/python -m ecombridge.bench.chaos --database-url "$$url" --reset \
	  --log-dir bench-results/chaos/postgresql $(CHAOS_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
