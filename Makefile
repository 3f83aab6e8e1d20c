# The index of what can be done here. Everything installs from this repository's own files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := examples/demo_story.md

.PHONY: install run serve test lint typecheck models eval bench bench-corpus schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip check
	touch $(STAMP)

install: $(STAMP)

## Analyse the bundled demo story: a summary on screen, out/demo.json and out/demo.html on disk.
run: $(STAMP)
	$(BIN)/fabula analyze $(DEMO) -o out/demo.json -o out/demo.html

## Browse analysed works (out/ after `make run`) at http://127.0.0.1:8000.
serve: $(STAMP)
	$(BIN)/fabula serve out --port 8000

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

## Every accuracy figure of docs/, on LitBank dev, EWT dev and the PDNC novels (about an hour).
eval: $(STAMP)
	$(BIN)/fabula eval entities --litbank ../shared/data/litbank --split dev
	$(BIN)/fabula eval parse --conllu ../shared/data/ud_english_ewt/en_ewt-ud-dev.conllu
	$(BIN)/fabula eval coref --litbank ../shared/data/litbank --end-to-end
	$(BIN)/fabula eval quotes --pdnc ../shared/data/pdnc
	$(BIN)/fabula eval quotes --litbank ../shared/data/litbank

bench: $(STAMP)
	$(BIN)/python bench/throughput.py

bench-corpus: $(STAMP)
	$(BIN)/python bench/corpus.py

schema: $(STAMP)
	$(BIN)/fabula schema -o docs/story.schema.json

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
