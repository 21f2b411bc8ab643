# smtp-kb: `make run` serves the site locally, `make test` runs the whole suite.
PY := .venv/bin/python
PIP := .venv/bin/pip
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
# What a local plain-HTTP server needs; production defaults stay strict.
LOCAL_ENV := DEBUG=1 HTTPS=0 ALLOWED_HOSTS=127.0.0.1,localhost
APT := $(if $(filter 0,$(shell id -u)),,sudo) apt-get -y -q
# The interpreter the virtualenv is made from: the system's own Python where it is 3.11 or newer
# and has venv, else the first python3 on the PATH. Debian builds its python3 with profile-guided
# and link-time optimisation into one static executable; a source build with a shared libpython
# (pyenv's) runs the bounce analyser 13-24% slower (README, "Dependencies").
# `make PYTHON=python3.12 install` picks another.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo /usr/bin/python3 || echo python3)

.PHONY: install install-test chromium bench-tools db run test test-fast test-sqlite test-postgres bench

.venv/installed: requirements.txt
	$(PYTHON) -m venv .venv
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

.venv/installed-test: .venv/installed requirements-test.txt
	$(PIP) install --quiet -r requirements-test.txt
	touch $@

install: .venv/installed

install-test: .venv/installed-test chromium

# The browser tests drive Debian's Chromium; the benchmarks need wrk and Sisimai.
chromium:
	@command -v chromium >/dev/null 2>&1 || $(APT) install chromium >/dev/null || \
		{ $(APT) update >/dev/null && $(APT) install chromium >/dev/null; }

bench-tools:
	@command -v wrk >/dev/null 2>&1 && perl -MSisimai -e1 2>/dev/null || \
		{ $(APT) update >/dev/null && $(APT) install wrk libsisimai-perl >/dev/null; }

# Bytecode for the project's modules, made here since a Python run with PYTHONDONTWRITEBYTECODE
# (as on the CI machines) never writes it and so compiles kb/ at every start (0.08 s a command).
db: install
	$(PY) -m compileall -q kb
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_kb

run: db
	$(LOCAL_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install-test
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== Test suite on SQLite"
	env -u DATABASE_URL $(PY) manage.py test tests

# While editing: SQLite only, without the browser tests (tagged "browser").
test-fast: .venv/installed-test
	env -u DATABASE_URL $(PY) manage.py test tests --exclude-tag browser

test-postgres:
	@if $(PY) -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' "$(TEST_DATABASE_URL)" 2>/dev/null; then \
		echo "== Test suite on PostgreSQL ($(TEST_DATABASE_URL))"; \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(PY) manage.py test tests; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(TEST_DATABASE_URL) is unreachable, and CI=true needs it: failing."; exit 1; \
	else \
		echo "SKIPPED: the PostgreSQL test run, because no server answers at $(TEST_DATABASE_URL). Start one or set TEST_DATABASE_URL."; \
	fi

bench: install-test bench-tools db
	$(PY) bench/run_all.py
