# Tuangou — `make run` serves the demo, `make test` runs every test. Only python3 (3.11+) and node (20+) needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo shows development SMS codes at /dev/sms; production leaves this off.
export SMS_SHOW_CODES ?= 1

.PHONY: install run serve test test-sqlite test-postgres bench migrate demo clean

$(VENV)/.installed: requirements.txt requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py load_demo

run: demo
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

# SQLite first (the default), then PostgreSQL when DATABASE_URL names one (CI sets it and
# REQUIRE_POSTGRES=1, so a missing PostgreSQL fails instead of skipping).
test: install
	@if [ -n "$$DATABASE_URL" ]; then \
		env -u DATABASE_URL $(PY) -m pytest -q -m "not postgres" && \
		echo "== again on PostgreSQL ($$DATABASE_URL) ==" && $(PY) -m pytest -q; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "REQUIRE_POSTGRES is set but DATABASE_URL is not"; exit 1; \
	else \
		$(PY) -m pytest -q; \
	fi

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var
