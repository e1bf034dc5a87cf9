# The two commands: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test install bench clean schema lock audit lint

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
	@sh bin/debian-packages test
	$(PY) -m pytest $(PYTEST_ARGS)

# The linter and formatter keep the shape (line length 120, complexity 10: pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(STAMP)
	@sh bin/debian-packages bench
	$(PY) bench/draws.py
	$(PY) bench/visit.py

clean:
	rm -rf $(VENV) instance .pytest_cache test-artifacts

# Until the first release the schema is one migration, regenerated from the models.
schema: $(STAMP)
	rm -f migrations/versions/*.py
	rm -rf $(VENV)/schema-tmp && mkdir -p $(VENV)/schema-tmp
	DATABASE_URL=sqlite:///$(CURDIR)/$(VENV)/schema-tmp/schema.sqlite3 $(PY) -m flask --app app db migrate --rev-id 0001 -m "initial schema"
	rm -rf $(VENV)/schema-tmp

# requirements.lock: the exact versions installed in the venv (what the tests ran against).
lock: $(STAMP)
	{ echo "# The exact versions the suite runs against: regenerate with \`make lock\`, audit with \`make audit\`."; \
	  $(PY) -m pip freeze --exclude-editable; } > requirements.lock

# Known vulnerabilities in the locked versions (fails when pip-audit finds one). The vulnerability
# service is the package index's JSON API; packages it cannot look up are listed as skipped, and
# AUDIT_ARGS=--strict makes those fail too.
audit: $(STAMP)
	@$(PY) -m pip freeze --exclude-editable > $(VENV)/freeze.txt
	@grep -v '^#' requirements.lock | diff -q - $(VENV)/freeze.txt >/dev/null \
	  || echo "note: the venv differs from requirements.lock; run \`make lock\` to refresh it"
	@$(PY) -m pip_audit --requirement requirements.lock --no-deps --disable-pip --progress-spinner off $(AUDIT_ARGS) \
	  > $(VENV)/audit.txt 2>&1; status=$$?; cat $(VENV)/audit.txt; \
	  skipped=$$(grep -c 'could not be audited' $(VENV)/audit.txt); \
	  [ "$$skipped" = 0 ] || echo "warning: $$skipped locked packages could not be audited (the vulnerability service did not know or did not answer for them)"; \
	  exit $$status
