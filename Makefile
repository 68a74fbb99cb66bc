# Backpropagation, Derived and Verified: every command a reader or maintainer needs.
# `make help` lists them. Each target creates the virtual environment first if needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed
PORT   ?= 8000
JOBS   ?= 2
NOTEBOOKS ?= $(wildcard chapters/*.ipynb)

export PYTHONHASHSEED := 0
# The chapters' arrays are small: one BLAS thread runs them faster than two fighting over
# the cores, and the stored outputs do not depend on how many cores the machine has.
# (`make bench` measures the library with the BLAS's own threads; it does not use this.)
SINGLE_BLAS := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

.DEFAULT_GOAL := help
.PHONY: help book test lint notebooks serve lab bench clean

help:  ## List the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(READY): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(READY)

book: $(READY)  ## Build the HTML book and print where it is
	$(BIN)/jupyter-book build . --keep-going
	@echo ""
	@echo "The book is at $(CURDIR)/_build/html/index.html (or run: make serve)"

test: $(READY) lint  ## Unit tests, every notebook under strict nbval, a -W book build
	$(SINGLE_BLAS) $(BIN)/python -m pytest tests $(wildcard chapters) --nbval -n $(JOBS) --dist loadfile

lint: $(READY)  ## Check the code with ruff
	$(BIN)/ruff check bp_lib tests benchmarks _ext
	$(BIN)/ruff format --check bp_lib tests benchmarks _ext

notebooks: $(READY)  ## Re-run every chapter in place (or NOTEBOOKS=chapters/04_activations.ipynb)
	$(SINGLE_BLAS) $(BIN)/jupyter execute --inplace $(NOTEBOOKS)

serve: book  ## Serve the built book on http://127.0.0.1:$(PORT)
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

lab: $(READY)  ## Open the chapters in JupyterLab, with bp_lib importable
	test -x $(BIN)/jupyter-lab || $(BIN)/python -m pip install --quiet 'jupyterlab>=4,<5'
	$(BIN)/jupyter-lab chapters

bench: $(READY)  ## Time bp_lib against PyTorch and scikit-learn; table printed, JSON in _build/bench.json
	$(BIN)/python -m benchmarks

clean:  ## Remove the built book and caches (keeps .venv; rm -rf .venv to reset fully)
	rm -rf _build .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
