# OmniDesk: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve worker beat test bench bench-readme install install-test migrate demo messages screenshots clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

## Embedded mode by default; with DATABASE_URL and REDIS_URL set, the production set-up.
run: demo serve

serve: install
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) omnidesk.asgi:application

## A Celery worker (production mode: needs REDIS_URL). Start as many as you like; QUEUES=omnidesk.background
## (or omnidesk) gives it one queue only.
worker: install
	$(VENV)/bin/celery -A omnidesk worker --loglevel=INFO $(if $(QUEUES),-Q $(QUEUES))

## Periodic tasks (IMAP polling, snooze wake-ups); run exactly one.
beat: install
	$(VENV)/bin/celery -A omnidesk beat --loglevel=INFO --schedule=var/celerybeat-schedule

test: install-test
	$(VENV)/bin/pytest

## The benchmark suite, then the README's performance table from its results.
bench: install-test
	$(PY) -m bench
	$(PY) -m bench.readme

## The README's performance table from bench/results/latest.json, without running anything.
bench-readme:
	$(PY) -m bench.readme

## Recompile translations after editing locale/*/LC_MESSAGES/django.po (needs gettext).
messages: install
	$(PY) manage.py makemessages -l pt_BR -l es --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

## The README's console screenshots, from a running demo (make run) at http://$(HOST):$(PORT).
screenshots: install-test
	$(PY) scripts/console_screenshots.py http://$(HOST):$(PORT)

clean:
	rm -rf $(VENV) var
