# The two commands: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test install bench clean schema

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m flask --app app demo up

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/draws.py

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts

# Until the first release the schema is one migration, regenerated from the models.
schema: $(STAMP)
	rm -f migrations/versions/*.py
	rm -rf $(VENV)/schema-tmp && mkdir -p $(VENV)/schema-tmp
	DATABASE_URL=sqlite:///$(CURDIR)/$(VENV)/schema-tmp/schema.sqlite3 $(PY) -m flask --app app db migrate --rev-id 0001 -m "initial schema"
	rm -rf $(VENV)/schema-tmp
