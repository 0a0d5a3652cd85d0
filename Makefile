# Tuangou — `make run` serves the demo, `make test` runs every test. Needs python3 (3.11+) and node (20+).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo shows development SMS codes at /dev/sms; production leaves this off.
export SMS_SHOW_CODES ?= 1

.PHONY: install types frontend run serve test test-frontend lint bench flash bench-frontend migrate demo clean wechat-sim alipay-sim backup restore pitr-drill chaos broker-bench deploy-drill ha-test bench-floor

$(VENV)/.installed: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-test.txt
	touch $@

# CJK Extension B (𠮷 and 42,710 more) for posters and PDF sheets (tuangou/core/fonts.py): no PyPI
# package carries such a font, Debian's fonts-hanazono (OFL) does. Pinned. Tried once, as root or
# through sudo where there is apt-get; elsewhere the chain skips it (the rarest characters print as boxes).
HANAZONO := /usr/share/fonts/truetype/hanazono/HanaMinB.ttf
HANAZONO_DEB := fonts-hanazono=20170904-2.1
$(VENV)/.fonts: | $(VENV)/.installed
	@[ -f $(HANAZONO) ] || ! command -v apt-get >/dev/null || \
		$$([ "$$(id -u)" = 0 ] || echo sudo -n) sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(HANAZONO_DEB) >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(HANAZONO_DEB) >/dev/null; }' || \
		echo "note: could not install $(HANAZONO_DEB); posters and PDFs draw CJK Extension B beyond Noto as boxes"
	touch $@

install: $(VENV)/.installed $(VENV)/.fonts

# npm ci only when the lock file changed.
frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Types come from the live OpenAPI document, so an API change that breaks a page breaks this build.
types: install frontend/node_modules/.installed
	$(PY) manage.py export_openapi frontend/openapi.json
	cd frontend && npx openapi-typescript ./openapi.json -o ./shared/api-types.ts --silent

frontend: types
	cd frontend && npm run build --silent

# The WeChat platform simulator for the demo (README: WeChat); Ctrl-C stops it.
wechat-sim: install
	$(PY) -m simulators.wechat --port 9100 --app wxdemo0000000001:demo-secret

# The Alipay gateway simulator for the demo (README: Alipay): prints the ALIPAY_* lines for .env.
alipay-sim: install
	$(PY) -m simulators.alipay 9200 .alipay-sim

migrate: install
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py load_demo

run: frontend demo
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

test-frontend: frontend
	cd frontend && npx vitest run

# ruff (lint and format), eslint and prettier, the layers between apps, and no model change
# without its migration. `make test` runs it first.
lint: install frontend/node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	cd frontend && npx eslint . && npx prettier --check . --log-level warn
	$(VENV)/bin/lint-imports
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run -v 0

# Front-end unit tests, then the Python suite (with the browser tests) on SQLite, then again on
# PostgreSQL when DATABASE_URL names one (CI sets it and REQUIRE_POSTGRES=1, so a missing
# PostgreSQL fails instead of skipping).
test: lint test-frontend
	@if [ -n "$$DATABASE_URL" ]; then \
		env -u DATABASE_URL $(PY) -m pytest -q -m "not postgres and not e2e" && \
		echo "== again on PostgreSQL ($$DATABASE_URL) ==" && $(PY) -m pytest -q; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "REQUIRE_POSTGRES is set but DATABASE_URL is not"; exit 1; \
	else \
		$(PY) -m pytest -q; \
	fi

# PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/tuangou_bench): the order
# path and a flash sale, then 200 open live feeds beside order placement; then the first screens
# (bench-frontend).
bench: frontend
	$(PY) bench/run.py
	$(PY) bench/feed.py
	$(PY) bench/frontend_weight.py --serve

# The floor of the order path in Python (issue 10 goal 2): the API, a framework-free WSGI function
# with the API's statements, and the raw transaction, in one run. bench/README.md.
bench-floor: install
	$(PY) bench/floor.py

# Hot items with stock in Redis (REDIS_URL, default db 2; PostgreSQL database tuangou_hot_bench):
# spread against hot order rate, then 10,000 units to 20,000 buyers checked against the database.
# FLASH_ARGS="--quick" for a smoke run, "--compare" adds the database-only rates. bench/README.md.
flash: install
	$(PY) bench/flash.py $(FLASH_ARGS)

# The gzip kB of JS and CSS each first screen loads (console login, dashboard, orders; the H5
# campaign page), then the H5 campaign page's FCP on a phone with a 4× slower CPU (throwaway demo).
bench-frontend: frontend
	$(PY) bench/frontend_weight.py --serve

# The database (PostgreSQL: pg_dump in custom format; SQLite: online backup) and var/ in one archive
# under BACKUP_DIR (default var/backups) with per-file and per-table checksums; BACKUP_KEEP kept.
backup: install
	$(PY) manage.py backup

# Into the database DATABASE_URL names (a fresh one; created when missing) and var/: make restore ARCHIVE=…
restore: install
	@[ -n "$(ARCHIVE)" ] || { echo "usage: make restore ARCHIVE=var/backups/tuangou-….tar.gz"; exit 2; }
	$(PY) manage.py restore $(ARCHIVE)

# Point-in-time recovery on a throwaway PostgreSQL cluster: back to just before a DROP TABLE.
pitr-drill: install
	$(PY) bench/pitr_drill.py

# Orders and payments under load while the web server and the job worker are killed with SIGKILL
# and started again (PostgreSQL, a database of its own): prints what exists, what was doubled,
# stock and jobs; "0 lost" or exit 1. bench/README.md.
chaos: install
	$(PY) bench/chaos.py

# docs/deploy.md followed on this machine (root, nginx installed; it installs nothing and skips without
# nginx): production processes + nginx with a self-signed certificate, checked over HTTPS. Not in `make test`.
deploy-drill: install
	$(PY) bench/deploy_drill.py

# What the job broker costs: Redis (no acknowledgement) against the database (JOB_BROKER=orm).
broker-bench: install
	$(PY) bench/broker.py

# PostgreSQL failover under load (bench/README.md, docs/deploy.md "High availability"): etcd, two Patroni
# nodes in synchronous mode, pgbouncer, two gunicorn processes behind nginx, on free local ports; the
# primary is killed with kill -9, then a planned switchover. As root, with Debian's patroni, etcd-server,
# pgbouncer and nginx-light installed. ~6 minutes. Not in `make test`.
ha-test: install
	$(PY) bench/ha_test.py

clean:
	rm -rf $(VENV) var frontend/node_modules frontend/dist
