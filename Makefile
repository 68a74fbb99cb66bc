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
.PHONY: help book pdf test lint notebooks serve workbook lab bench clean

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

# The PDF edition: Jupyter Book's LaTeX builder, xelatex via latexmk (jupyter-book runs them
# into _build/pdf/_build/latex, apart from the HTML build's _build/.doctrees), then the PDF is
# copied to _build/pdf/ (and into _build/html/, if built, for the HTML book's link to it).
PDF_NAME  := backpropagation-derived-and-verified.pdf
PDF_WORK  := _build/pdf/_build/latex
PDF_FLAGS ?= --keep-going
TEX_DEBS  := texlive-xetex texlive-latex-extra texlive-fonts-recommended latexmk fonts-freefont-otf

pdf: $(READY)  ## Build the PDF edition into _build/pdf/ (needs TeX: see the README)
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null && kpsewhich ucharclasses.sty >/dev/null \
	  && fc-list | grep -q FreeSerif \
	  || { echo "make pdf needs TeX; on Debian/Ubuntu: sudo apt-get install $(TEX_DEBS)"; exit 1; }
	rm -rf $(PDF_WORK)  # latexmk would otherwise repeat an earlier run's error
	$(BIN)/jupyter-book build . --builder pdflatex --path-output _build/pdf $(PDF_FLAGS)
	cp $(PDF_WORK)/$(PDF_NAME) _build/pdf/$(PDF_NAME)
	if [ -d _build/html ]; then cp _build/pdf/$(PDF_NAME) _build/html/; fi
	@echo ""
	@echo "The PDF is at $(CURDIR)/_build/pdf/$(PDF_NAME)"

test: $(READY) lint  ## Unit tests, every notebook under strict nbval, a -W book build
	$(SINGLE_BLAS) $(BIN)/python -m pytest tests $(wildcard chapters) --nbval -n $(JOBS) --dist loadfile

lint: $(READY)  ## Check the code with ruff
	$(BIN)/ruff check bp_lib tests benchmarks _ext
	$(BIN)/ruff format --check bp_lib tests benchmarks _ext

notebooks: $(READY)  ## Re-run every chapter in place (or NOTEBOOKS=chapters/04_activations.ipynb)
	$(SINGLE_BLAS) $(BIN)/jupyter execute --inplace $(NOTEBOOKS)

serve: book  ## Serve the built book on http://127.0.0.1:$(PORT)
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

workbook: $(READY)  ## Write the workbook (exercises without solutions) to _build/workbook/ and its .zip
	$(BIN)/python -m bp_lib.book.workbook

# JupyterLab with jupyterlab-myst, which renders the book's MyST (exercises, solutions,
# {eq} references, admonitions). On 127.0.0.1 only; as root (a container, a cloud VM)
# it needs --allow-root. LAB_DIR=_build/workbook opens the workbook (run make workbook).
LAB_DIR  ?= chapters
LAB_PORT ?= 8888
LAB_PKGS := 'jupyterlab>=4,<5' 'jupyterlab-myst>=2.4,<3'
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(READY)  ## Open the chapters (or LAB_DIR=...) in JupyterLab on 127.0.0.1, MyST rendered
	$(BIN)/python -c "import jupyterlab, jupyterlab_myst" 2>/dev/null \
	  || $(BIN)/python -m pip install --quiet $(LAB_PKGS)
	$(BIN)/jupyter-lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) $(ROOT_FLAG) $(LAB_DIR)

bench: $(READY)  ## Time bp_lib against PyTorch and scikit-learn; table printed, JSON in _build/bench.json
	$(BIN)/python -m benchmarks

clean:  ## Remove the built book and caches (keeps .venv; rm -rf .venv to reset fully)
	rm -rf _build .pytest_cache .hypothesis .ruff_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
