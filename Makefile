# The two commands a new user needs:  make demo  and  make test
VENV := .venv
PY   := $(VENV)/bin/python

.PHONY: setup demo test lint bench docs reference lock clean

setup:            ## install R packages, .venv, pinned deps, pyradiomics, the package (idempotent)
	bash scripts/setup.sh

demo: setup       ## set up, then run the end-to-end demo on the synthetic cohort
	$(VENV)/bin/radiogenomics demo --out runs/demo

test: setup       ## set up, then lint and run the whole test suite (R tests included)
	$(VENV)/bin/ruff check .
	RADIOGENOMICS_STRICT=1 $(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .

bench: setup      ## performance ratios (see benchmarks/)
	$(PY) benchmarks/bench_associate.py
	$(PY) benchmarks/bench_stats.py
	$(PY) benchmarks/bench_models.py
	$(PY) benchmarks/bench_de.py
	$(PY) benchmarks/bench_lrt.py
	$(PY) benchmarks/bench_io.py
	$(PY) benchmarks/bench_radiomics.py
	$(PY) benchmarks/bench_deep.py
	$(PY) benchmarks/bench_fmcib.py
	$(PY) benchmarks/bench_competing.py
	$(PY) benchmarks/bench_gpu.py
	$(PY) benchmarks/bench_demo.py
	$(PY) benchmarks/bench_recipes.py
	$(PY) benchmarks/bench_app.py
	$(PY) benchmarks/readme_table.py

docs: setup       ## build the documentation site into site/ (warnings are errors)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

reference:        ## regenerate the R reference CSVs in tests/reference/ (every make_*.R)
	for f in tests/reference/make_*.R; do Rscript "$$f" || exit 1; done

lock: setup       ## re-pin requirements/constraints.txt from the current .venv
	{ echo "# Resolved, pinned dependency set (pip freeze of a working .venv). Regenerate with 'make lock'."; \
	  $(PY) -m pip freeze --exclude-editable | grep -v -i -E '^(radiogenomics|pip|setuptools|wheel)[= ]'; \
	} > requirements/constraints.txt

clean:
	rm -rf runs site .pytest_cache .ruff_cache
