# Two commands do all set-up on a fresh Debian machine:
#   make build   builds every output of the guides in source/ (the LDN guide and its translations) into output/
#   make test    installs the validators (chromium, a JRE, poppler, npm tools) and runs pytest
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip --disable-pip-version-check --quiet
LOCK   := requirements.lock

.PHONY: build test check bench lint lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list or the lock changes.
$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	sh scripts/install-build-deps.sh
	$(PIP) install -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(LOCK) $(VENV)/.installed
	$(PIP) install -c $(LOCK) -e '.[test]'
	touch $@

# Pandoc (pypandoc-binary) is the speed baseline; only the benchmark installs it.
$(VENV)/.installed-bench: pyproject.toml $(LOCK) $(VENV)/.installed
	$(PIP) install -c $(LOCK) -e '.[bench]'
	touch $@

# Every guide in source/: the LDN guide and its translations (guide.es.md, guide.ar.md).
GUIDES := $(sort $(wildcard source/*.md))

build: $(VENV)/.installed
	$(BIN)/publish build $(GUIDES)

check: $(VENV)/.installed
	$(BIN)/publish check

test: $(VENV)/.installed-test
	bash scripts/install-test-deps.sh
	$(BIN)/ruff check publish tests
	$(BIN)/python -m pytest

# Cold, no-op, watch and library builds against Pandoc 3.9; figures in bench/latest.json.
bench: $(VENV)/.installed-bench
	$(BIN)/python scripts/bench.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check publish tests

# Refresh the lock from the current environment (after changing pyproject.toml).
lock: $(VENV)/.installed-test
	$(BIN)/pip freeze --exclude-editable --exclude publish > $(LOCK)

clean:
	rm -rf output .pytest_cache .cache/publish
