# Two commands on a fresh machine: `make extract` then `make test`. Both set up .venv from the lock file.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CORPUS ?= corpus
OUT ?= extracted
JOBS ?= 1
WATCH_JOBS ?= 2
GOLD_REPORTS ?= ../shared/gold_reports
REPORTS ?= ../shared/corpus_reports/texts
CHECK_FLAGS ?=

.PHONY: help extract watch test test-slow eval check-reports eval-lodo train pkuseg bench notebooks lock clean-venv

help:
	@echo "make extract    set up .venv and write $(OUT)/ from $(CORPUS)/ (exit 3 from the pipeline = some inputs rejected: a warning)"
	@echo "make watch      make extract, then stay up and write $(OUT)/ again whenever a text in $(CORPUS)/ changes"
	@echo "                (Ctrl-C stops; WATCH_JOBS=2 processes: linking and writing use the second core too)"
	@echo "make test       set up .venv and run the test suite (also run by CI)"
	@echo "make eval       score both development sets: the existing $(OUT)/ against tests/gold/ (not re-run),"
	@echo "                and the work reports of $(GOLD_REPORTS) (extracted into .cache/eval/, cached;"
	@echo "                skipped with a note if absent). ARGS=--errors lists every error behind the scores"
	@echo "make check-reports  run the pipeline on $(REPORTS) (120 real texts): dates, speakers, cities, fact counts"
	@echo "                (CHECK_FLAGS=--no-ner for a faster rules-only run, --quiet for the summary only)"
	@echo "make pkuseg     install the optional pkuseg segmenter (builds from source)"
	@echo "make train      retrain the shipped entity model (by hand; deterministic)"
	@echo "make eval-lodo  eight-document leave-one-out and cross-genre tables: rules, model, rules+model (by hand)"
	@echo "make bench      speed on the 120 real texts of ../shared/corpus_reports as ratios to jieba (ARGS='--synthetic 2000' for the scale case; by hand)"
	@echo "make notebooks  execute the analyst notebooks headless, charts to notebooks/figures/"
	@echo "make test-slow  the heavy test profile (50 MB input ...), by hand"

# The package's bytecode, compiled as pip compiles an installed package's: where the environment stops
# Python writing .pyc files as it imports (PYTHONDONTWRITEBYTECODE=1), every process would compile the
# package from source again (0.06 s of each start-up). Up to date, it costs 0.03 s.
BYTECODE = $(BIN)/python -m compileall -q pipeline

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip "setuptools==84.2.1" "wheel==0.48.0"
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

extract: $(STAMP)
	@$(BYTECODE)
	@$(BIN)/python -m pipeline extract $(CORPUS) --out $(OUT) --jobs $(JOBS) --xlsx; rc=$$?; \
	if [ $$rc -eq 3 ]; then echo "warning: some inputs were rejected, see $(OUT)/errors.csv"; exit 0; fi; exit $$rc

watch: $(STAMP)
	@$(BYTECODE)
	$(BIN)/python -m pipeline extract $(CORPUS) --out $(OUT) --jobs $(WATCH_JOBS) --xlsx --watch

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

eval: $(STAMP)
	@$(BIN)/python -m pipeline eval --extracted $(OUT) --gold-reports $(GOLD_REPORTS) $(ARGS)

check-reports: $(STAMP)
	$(BIN)/python -m pipeline.check_reports $(REPORTS) --jobs $(JOBS) $(CHECK_FLAGS)

eval-lodo: $(STAMP)
	$(BIN)/python -m pipeline.train --lodo

train: $(STAMP)
	$(BIN)/python -m pipeline.train

pkuseg: $(STAMP)
	$(BIN)/python -m pip install -q numpy "cython>=3" wheel
	$(BIN)/python -m pip install -q --no-build-isolation pkuseg==0.0.25

bench: $(STAMP)
	@$(BYTECODE)
	$(BIN)/python -m pipeline.bench $(ARGS)

notebooks: $(STAMP)
	$(BIN)/python notebooks/run.py

lock:
	rm -rf /tmp/lockenv && $(PY) -m venv /tmp/lockenv && /tmp/lockenv/bin/pip install -q '.[test,notebooks,dask]' \
	  && /tmp/lockenv/bin/pip freeze --exclude-editable | grep -v '^bulletin-pipeline' > requirements.lock

clean-venv:
	rm -rf $(VENV)
