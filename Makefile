# STRONG-BACK EDC. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DEMO   := DJANGO_SETTINGS_MODULE=strongback.settings.demo

.PHONY: run test bench model lint format clean messages

$(VENV)/.run-deps: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# The French catalogue is committed as .po and compiled here (a generated file, not committed).
MO := locale/fr/LC_MESSAGES/django.mo
$(MO): locale/fr/LC_MESSAGES/django.po $(VENV)/.run-deps
	$(VENV)/bin/pybabel compile --statistics -d locale -D django -l fr

run: $(VENV)/.run-deps $(MO)
	$(DEMO) $(PY) manage.py migrate --noinput
	$(DEMO) $(PY) manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker (with beat) in the background"; \
		$(DEMO) $(PY) -m celery -A strongback worker -B -Q celery,imaging --loglevel=INFO & \
	fi; \
	echo "Serving on http://127.0.0.1:8000/ (log in with a demo user above)"; \
	$(DEMO) exec $(PY) manage.py runserver 127.0.0.1:8000

# One pytest-xdist worker per core, each with its own test database, media folder and Celery
# queues; PYTEST_ARGS="-n 0" runs serially.
test: $(VENV)/.test-deps $(MO)
	$(PY) -m ruff check .
	$(PY) -m pytest -n auto --dist worksteal $(PYTEST_ARGS)

# Speed figures (a table in var/bench/results.md). Needs PostgreSQL: DATABASE_URL, or the local
# default below; a throw-away test database is created and dropped.
bench: $(VENV)/.test-deps
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/strongback} $(PY) -m tests.bench

# The default segmentation model: leave-one-subject-out runs (T2 subject, Dixon subject), then the
# shipped model on every source, with domain randomisation (three 9,000-step trainings, 7.5-25 min
# each on 2 CPU cores); writes imaging/segmentation/default/model.{json,pth} and MODEL_CARD.md.
# Needs SHARED_DATA_DIR.
model: $(VENV)/.run-deps
	$(PY) -m imaging.segmentation.default.build

lint: $(VENV)/.test-deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.test-deps
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# After changing marked strings: refresh the catalogue (needs GNU gettext), translate, commit.
messages: $(VENV)/.run-deps
	DJANGO_SETTINGS_MODULE=strongback.settings.test DATABASE_URL=sqlite:///:memory: \
		$(PY) manage.py makemessages -l fr --no-location --no-obsolete --ignore ".venv/*" --ignore "tests/*" --ignore "var/*"

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache .ruff_cache
