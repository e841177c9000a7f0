# Zhiku: `make run` serves the knowledge base with demo content, `make test` runs every check.
# Every target can be run again: the virtualenv, migrations and demo data are only brought up
# to date.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: help run prepare install install-test system-test-deps test lint format bench-memory

help:
	@echo "make run           install, migrate, load demo data, start web + worker + beat"
	@echo "make test          ruff, migrations check, pytest on SQLite (and PostgreSQL + Redis"
	@echo "                   when KB_TEST_DATABASE_URL and KB_TEST_BROKER_URL are set)"
	@echo "make bench-memory  start everything, let it idle, print RSS/PSS per process, stop"
	@echo "make format        ruff format + ruff check --fix"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the pinned dependencies change.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

prepare: install
	$(MANAGE) migrate --noinput --verbosity 1
	@if ! command -v msgfmt >/dev/null; then \
		echo "msgfmt not found (Debian package gettext): using the committed .mo files"; \
	elif [ -d config/locale ]; then \
		$(MANAGE) compilemessages --ignore=.venv --ignore=var --verbosity 0; \
	fi
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) load_demo_data
# The demo loader sets dates with queryset updates, which send no signals: index from the
# database once, so search answers as soon as the site is up.
	$(MANAGE) rebuild_search_index --noinput

run: prepare
	$(MANAGE) run_zhiku

# Chromium for the browser tests, gettext for the translation tests, tesseract with its Chinese
# data for OCR and a CJK font to draw the OCR test image; installed only as root (CI), otherwise
# those tests skip themselves.
system-test-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v tesseract >/dev/null || missing="$$missing tesseract-ocr"; \
	ls /usr/share/tesseract-ocr/*/tessdata/chi_sim.traineddata >/dev/null 2>&1 \
		|| missing="$$missing tesseract-ocr-chi-sim"; \
	ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 \
		|| missing="$$missing fonts-noto-cjk"; \
	[ -x /usr/sbin/dovecot ] || missing="$$missing dovecot-imapd"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "not root: tests needing$$missing will be skipped"; \
		fi; \
	fi

test: install-test system-test-deps
	@PY=$(PY) bash .ci/test.sh

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench-memory: prepare
	$(MANAGE) measure_idle_memory --start --settle 30
