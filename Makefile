# The index of what can be done here. Everything installs from this repository's own files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := examples/demo_story.md

.PHONY: install run test lint typecheck models bench schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[encoder,dev]"
	$(BIN)/python -m pip check
	touch $(STAMP)

install: $(STAMP)

## Analyse the bundled demo story: a summary on screen, out/demo.json and out/demo.html on disk.
run: $(STAMP)
	$(BIN)/fabula analyze $(DEMO) -o out/demo.json -o out/demo.html

## Lint, type-check, then the whole test suite (a sample of the accuracy runs).
test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

## Rebuild the shipped models from ../shared/data (hours on a laptop CPU).
models: $(STAMP)
	$(BIN)/fabula train all --data ../shared/data

bench: $(STAMP)
	$(BIN)/python bench/throughput.py

schema: $(STAMP)
	$(BIN)/fabula schema -o docs/story.schema.json

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
