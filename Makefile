# The two commands README.md documents:
#   make example   runs the worked example on the embedded default data
#   make test      runs the whole test suite (pytest with doctests, mypy --strict, ruff, Sphinx -W)
# Both create or reuse a local virtual environment in .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: example test lint typecheck pytest docs bench bench-quick bench-names clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP)

example: $(STAMP)
	$(BIN)/digimaat example

test: lint typecheck pytest docs

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts docs
	$(BIN)/ruff format --check src tests benchmarks scripts docs

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest tests src/digimaat README.md

docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	$(BIN)/sphinx-build -W --keep-going -q -b doctest docs docs/_build/doctest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --json benchmarks/out/bench.json

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run.py --quick

bench-names: $(STAMP)
	$(BIN)/python benchmarks/names.py --json benchmarks/out/names.json

clean:
	rm -rf $(VENV) docs/_build .pytest_cache .mypy_cache .ruff_cache .hypothesis
