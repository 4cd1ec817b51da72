# Two commands matter: `make run` (fresh clone → server with demo data) and `make test`. `make demo` plays the
# marketplace story end to end against a server (its own embedded one unless BANTU_URL is set).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
TEST_WORKERS ?= 2
FUZZ_EXAMPLES ?= 5

.PHONY: run test fuzz lint format schema check docs migrate seed demo worker beat bench bench-escrow bench-serving clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed
	@echo ""
	@echo "  Bantu is starting on http://$(HOST):$(PORT)"
	@echo "  Swagger UI:  http://$(HOST):$(PORT)/api/docs/     ReDoc: http://$(HOST):$(PORT)/api/redoc/"
	@echo "  Admin:       http://$(HOST):$(PORT)/admin/  (operator login above)"
	@echo "  WebSocket:   ws://$(HOST):$(PORT)/ws/?token=<access JWT>"
	@echo ""
	$(BIN)/uvicorn bantu.asgi:application --host $(HOST) --port $(PORT) --workers $(WORKERS) --lifespan off --no-proxy-headers --timeout-graceful-shutdown 5

# The story over real HTTP and WebSocket calls (demo/story.py). BANTU_URL=http://host:port plays it against a
# running server; without it, the script starts the embedded server on a free port with a temporary SQLite file.
demo: $(VENV)/.installed
	$(BIN)/python demo/story.py $(DEMO_ARGS)

# Bytecode caches stay on for the tests even where the environment turns them off (PYTHONDONTWRITEBYTECODE, as in
# many container images): without them every process, each xdist worker and each server a test starts, compiles
# the project again and pytest rewrites every test module's asserts again (collection 19.6 s → 9.4 s here). The
# schemathesis and Hypothesis pytest plugins serve only `make fuzz`; loading them costs each process seconds.
TEST_ENV := PYTHONDONTWRITEBYTECODE=
FUZZ_PLUGINS := -p no:schemathesis -p no:hypothesispytest

test: $(VENV)/.installed
	$(TEST_ENV) $(BIN)/pytest $(FUZZ_PLUGINS) -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# Schema fuzzing (schemathesis) and the generated client (openapi-python-client): one process, see tests/fuzz/.
fuzz: $(VENV)/.installed
	$(TEST_ENV) FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:xdist -m fuzz tests/fuzz $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

format: $(VENV)/.installed
	$(BIN)/ruff format .

schema: $(VENV)/.installed
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file schema.yml

# The files in docs/ generated from the code: the ER diagram, the Postman collection and environment, the AsyncAPI
# document. Deterministic; tests/core/test_generated_docs.py fails until they are regenerated and committed.
docs: $(VENV)/.installed
	$(BIN)/python manage.py docs_schema
	$(BIN)/python manage.py docs_postman
	$(BIN)/python manage.py docs_asyncapi

# lint-imports: the layers of docs/architecture.md (import-linter contracts in pyproject.toml).
check: lint schema
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

worker: $(VENV)/.installed
	$(BIN)/celery -A bantu worker --loglevel INFO

beat: $(VENV)/.installed
	$(BIN)/celery -A bantu beat --loglevel INFO

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-escrow: $(VENV)/.installed
	$(BIN)/python bench/escrow.py $(BENCH_ESCROW_ARGS)

# What serving HTTP costs under uvicorn (ASGI) and gunicorn (WSGI), beside a bare app; needs wrk.
bench-serving: $(VENV)/.installed
	$(BIN)/python bench/serving.py $(BENCH_SERVING_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache .hypothesis schema.yml
