# The course's commands. `make lab` to learn, `make test` to check everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.install-stamp
PORT ?= 8888
ARGS ?=
NB ?=
DATA_DIR ?= course_data
KERNEL := keras-course
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
# TensorFlow C++ logs (E-level "no CUDA driver" lines included) would otherwise land in
# cell outputs and break the comparisons of checked cells.
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: lab test lint unit notebooks results student data clean distclean help

help:
	@echo "make lab      - create .venv if needed and start JupyterLab in notebooks/"
	@echo "make test     - ruff + mypy + unit tests + every notebook, executed once (smoke profile)"
	@echo "make notebooks - only the notebooks (NB=08 for one)"
	@echo "make results  - run notebooks in the full profile and write results/ (NB=08 for one)"
	@echo "make student  - write the student edition (solutions cleared) into student/"
	@echo "make data     - download every dataset once into DATA_DIR (for COURSE_DATA_DIR)"
	@echo "make site     - build the course website into site/ (nothing executed, offline)"
	@echo "make test-pythons - unit tests in a fresh venv on each Python 3.11-3.13 found here"
	@echo "make clean    - remove caches and generated files (distclean also removes .venv)"

$(VENV)/bin/python:
	@v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || \
	  { echo "error: '$(PYTHON)' was not found: install Python 3.11, 3.12 or 3.13, then run make lab again" >&2; exit 1; }; \
	case "$$v" in 3.1[1-3]) ;; \
	  *) echo "error: Python 3.11 to 3.13 is needed (TensorFlow has wheels for those), but '$(PYTHON)' is Python $$v. Install one of them, then: make lab PYTHON=python3.12" >&2; exit 1;; \
	esac
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev,teach]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (Keras course)" >/dev/null
	@touch $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --ip=127.0.0.1 --port=$(PORT) $(ROOT_FLAG) $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

unit: $(STAMP)
	$(VENV)/bin/pytest tests

# Each notebook runs once (tests/test_notebook_runs.py, tests/notebook_plugin.py): one kernel
# checks the outputs of its `# NBVAL_CHECK_OUTPUT` cells and its student edition. A cell
# that runs longer than CELL_TIMEOUT seconds fails. Exit status 5 (no test collected) is
# an error, said in words.
# PYTEST_ARGS passes more options, e.g. PYTEST_ARGS="-n 2" (pytest-xdist; .ci/run uses it).
CELL_TIMEOUT ?= 120
PYTEST_ARGS ?=
PYTEST := COURSE_PROFILE=smoke $(VENV)/bin/pytest -p no:cacheprovider --cell-timeout=$(CELL_TIMEOUT) \
	$(PYTEST_ARGS)
NO_TESTS := { s=$$?; [ $$s -ne 5 ] || echo "error: pytest collected no tests" >&2; exit $$s; }

test: lint $(STAMP)
	$(PYTEST) --durations=15 tests || $(NO_TESTS)

notebooks: $(STAMP)
	$(PYTEST) --durations=15 tests/test_notebook_runs.py $(if $(NB),-k "$(NB)") || $(NO_TESTS)

results: $(STAMP)
	$(PY) -m course_utils.runner $(NB)

student: $(STAMP)
	$(PY) -m course_utils.student notebooks student

data: $(STAMP)
	$(PY) -m course_utils.datasets fetch all --dest $(DATA_DIR)

clean:
	rm -rf student build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

# The course as a static website in site/, from the committed notebooks (nothing executed).
.PHONY: site
site: $(STAMP)
	@$(PY) -c 'import myst_nb, sphinx_book_theme' 2>/dev/null || $(PY) -m pip install --quiet -e '.[site]'
	$(PY) -m course_utils.site

# Unit tests (no notebooks) on each Python of requires-python found here, each in a fresh
# venv under .venvs/ (long: one TensorFlow install per version; not part of `make test`).
# VERSIONS="3.12 3.13" picks some; KEEP=1 also keeps the venvs of passing runs.
.PHONY: test-pythons
test-pythons:
	$(PYTHON) tools/test_pythons.py $(VERSIONS) $(if $(KEEP),--keep)
