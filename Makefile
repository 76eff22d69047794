# The two commands README.md documents:
#   make example   runs the worked example on the embedded default data
#   make test      runs the whole test suite (pytest with doctests, mypy --strict, ruff, Sphinx -W)
# Both create or reuse a local virtual environment in .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: example test lint typecheck pytest docs bench bench-quick bench-sc bench-names sc-baseline profiles messages dist dist-check clean

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

bench-sc: $(STAMP)
	$(BIN)/python benchmarks/sc_import.py

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run.py --quick

# The national baseline (package data) from the SC harvest kept in data/sc (chapter SCI).
sc-baseline: $(STAMP)
	$(BIN)/python scripts/build_sc_baseline.py

# The built-in profiles' data as JSON (data/profiles/builtin.json), from their TOML files,
# which define them: the command line reads it instead of parsing TOML (PRF-2).
profiles: $(STAMP)
	$(BIN)/python scripts/build_profiles.py

# The message catalogues of the command line (gettext): the template from the marks in the
# code, merged into every language's .po, compiled into the .mo files the package ships.
messages: $(STAMP)
	$(BIN)/python scripts/messages.py all

# The source distribution and the wheel, built from it, in dist/; twine checks their metadata.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/twine check --strict dist/*

# Install the wheel in a clean environment and run the command line and the conformance
# vectors from it; unpack the sdist, install it with its test extra and run a quick subset
# of its tests (pytest -m packaging; it is part of make test too).
dist-check: $(STAMP)
	$(BIN)/python -m pytest -m packaging tests/test_packaging.py

bench-names: $(STAMP)
	$(BIN)/python benchmarks/names.py --json benchmarks/out/names.json

clean:
	rm -rf $(VENV) docs/_build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
