# ParkWell: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
PYTEST_ARGS ?= -n auto
STRIPE_LOCAL_PORT ?= 12111
PIP_QUIET := --quiet --disable-pip-version-check
# A failed step fails the target: pipefail, so that filtering pip's output hides nothing.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
export FLASK_APP := wsgi.py

.PHONY: lighthouse wheel run test install i18n i18n-extract i18n-update i18n-compile lint typecheck migrate seed fuzz crash clean bench

## Create the virtualenv and install ParkWell with its development tools (again only when
## pyproject.toml changes).
install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --upgrade pip 2>&1 | sed '/^WARNING: Location/d'
	$(BIN)/pip install $(PIP_QUIET) -e '.[dev]' 2>&1 | sed '/^WARNING: Location/d'
	$(BIN)/python -c "import flask, flask_sqlalchemy, flask_babel, pytest"
	touch $@

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

## Install, migrate, seed the demo park and serve it on http://127.0.0.1:$(PORT), with the
## worker (hold expiry, reminders, waitlist offers) running beside it. Unless Stripe keys
## are set, card, Alipay and WeChat Pay shares are paid through the local Stripe-compatible
## TEST server on port $(STRIPE_LOCAL_PORT) (test card 4242 4242 4242 4242; docs/payments.md)
run: seed i18n-compile
	@if [ -z "$$STRIPE_SECRET_KEY" ]; then \
	  export STRIPE_SECRET_KEY=sk_test_local_parkwell STRIPE_PUBLISHABLE_KEY=pk_test_local_parkwell \
	    STRIPE_WEBHOOK_SECRET=whsec_local_parkwell \
	    STRIPE_API_BASE=http://127.0.0.1:$(STRIPE_LOCAL_PORT) \
	    STRIPE_JS_URL=http://127.0.0.1:$(STRIPE_LOCAL_PORT)/v3/; \
	  $(BIN)/flask stripe-local --port $(STRIPE_LOCAL_PORT) \
	    --webhook-url http://127.0.0.1:$(PORT)/api/v1/payments/stripe/webhook & stripe=$$!; \
	fi; \
	$(BIN)/flask worker & worker=$$!; trap 'kill $$worker $$stripe 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

## Install and run the whole test suite on SQLite and, when TEST_DATABASE_URL is set or a
## PostgreSQL answers on 127.0.0.1:5432, on PostgreSQL too (one worker per core)
test: install i18n-compile
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Fuzz the JSON API with schemathesis against a live server on PostgreSQL and Redis
## (a fresh database seeded with the demo park; FUZZ_SECONDS=120 time-boxes it)
fuzz: install
	$(BIN)/python -m tests.faults.fuzz_api

## Crash and fault test on PostgreSQL and Redis: kill workers at random, then check the
## books (CRASH_SECONDS=170 time-boxes the whole run)
crash: install
	$(BIN)/python -m tests.faults.crash

## Benchmark a large seeded park under gunicorn and PostgreSQL with wrk: writes
## bench/results.json and bench/results.md (tune with BENCH_SCALE, BENCH_DURATION, ...;
## see bench/bench.py). Needs PostgreSQL on 127.0.0.1 and wrk (apt-get install wrk).
bench: install i18n-compile
	$(BIN)/python bench/bench.py

## Lighthouse's mobile audit of home, catalogue, service, booking and checkout (signed in,
## Chinese) against the demo park on PostgreSQL; writes docs/lighthouse.md. Needs Chromium
## and npm (bash .ci/browser installs Chromium).
lighthouse: install i18n-compile
	test -x .ci/node_modules/.bin/lighthouse || \
	  npm install --no-save --no-audit --no-fund --silent --prefix .ci lighthouse@12
	test -f .ci/node_modules/axe-core/axe.min.js || \
	  npm install --no-save --no-audit --no-fund --silent --prefix .ci "axe-core@^4.10"
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres} \
	  $(BIN)/python -m pytest tests/browser/test_lighthouse.py -m lighthouse -q -p no:cacheprovider

## Build the wheel and sdist into dist/ (templates, static files, compiled catalogues and
## migrations inside; see setup.py), then check them as CI does: bash .ci/wheel
wheel: install
	$(BIN)/python -m build --outdir dist .

## Extract messages, update the catalogues and compile them
i18n: i18n-extract i18n-update i18n-compile

i18n-extract: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot \
	  --no-location --sort-output --project ParkWell --copyright-holder ParkWell \
	  core marketplace providers templates $(wildcard booking health benefits park prevention care)

i18n-update: install
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations -l zh_Hans_CN \
	  --no-fuzzy-matching --ignore-obsolete

i18n-compile: install
	$(BIN)/pybabel compile -d translations -l zh_Hans_CN

## ruff, then the type checker
lint: install
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory typecheck

## mypy over the nine packages: strict on core and benefits, a baseline on the others
## (pyproject.toml [tool.mypy]; stubs for untyped libraries in typings/)
typecheck: install
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache
