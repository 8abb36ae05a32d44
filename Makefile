# Everything the project needs is installed from here, starting from a bare Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install browser run demo test test-fast lint format bench bench-tools check-migrations clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(PY)
	$(BIN)/pip install --quiet -e ".[dev]"
	@$(MAKE) --no-print-directory browser

# Browser tests drive Debian's Chromium through Playwright; Playwright's own
# browser download is not available, so install the system package if missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	}

# make run and make demo are local development: DEBUG on, which also lets the
# site start without a SECRET_KEY of its own (production must set one).
LOCAL := DEBUG=true

demo: install
	$(LOCAL) $(PY) manage.py migrate --no-input
	$(LOCAL) $(PY) manage.py load_demo
	$(LOCAL) $(PY) manage.py load_demo_vendors
	@if [ -n "$(INTEROP_DATA)" ]; then \
		$(LOCAL) $(PY) manage.py import_guidelines -v0 "$(INTEROP_DATA)" || \
		echo "Some files in $(INTEROP_DATA) did not import (see above); serving the rest."; \
	fi

run: demo
	@echo "Serving http://$(HOST):$(PORT)/"
	$(LOCAL) $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The load benchmark drives gunicorn and granian (make install) with wrk and
# compares with nginx serving the same files and caching in front: Debian's wrk
# and nginx, installed if missing. The benchmark runs its own nginx on a free
# loopback port; where systemd runs, Debian's package also starts its default
# site on port 80.
bench-tools:
	@command -v wrk >/dev/null 2>&1 && { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 || { \
		echo "Installing Debian's wrk and nginx for the load benchmark"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk nginx >/dev/null; \
	}

bench: install bench-tools
	$(PY) benchmarks/import_export.py
	$(PY) benchmarks/results.py
	$(PY) benchmarks/load.py
	$(PY) benchmarks/serving_memory.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache
