# jupyter-wellml: two commands from a fresh clone.
#   make lab    creates .venv, installs everything (labextension built from labextension/), starts JupyterLab on binder/
#   make test   the same install, then every suite (lint, import contracts, lens check, pytest incl. browser tests)
# Everything is installed here: nothing installed by hand is assumed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.wellml-installed
LAB_PORT ?= 8888
ROOT_FLAG := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# jlpm (yarn) uses the same npm registry as npm itself
export YARN_NPM_REGISTRY_SERVER ?= $(shell npm config get registry 2>/dev/null)

JS_SOURCES := $(shell find labextension/src labextension/style labextension/schema -type f 2>/dev/null) \
              labextension/package.json labextension/yarn.lock labextension/tsconfig.json

.PHONY: help install lab test lint chromium bench screenshots clean

help:
	@echo "make lab     install everything and start JupyterLab on the demo notebooks in binder/"
	@echo "make test    install everything and run every test suite"
	@echo "make lint    ruff, import-layer contracts, lens check"
	@echo "make bench   run the benchmarks in bench/"
	@echo "make screenshots  refresh docs/images from the browser tests"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -U pip

$(STAMP): $(BIN)/python pyproject.toml Makefile $(JS_SOURCES)
	@command -v node >/dev/null || { echo "Node.js >= 20 is needed to build the labextension"; exit 1; }
	@# the build hook skips the labextension when its output exists or is newer than src/ (a
	@# change in style/ alone would be missed): sources changed, so drop the whole output
	rm -rf jupyter_wellml/labextension
	$(BIN)/python -m pip install -q -e ".[test]"
	@# capture first, then grep: with pipefail, grep -q closing the pipe early fails the writer
	@out="$$($(BIN)/jupyter labextension list 2>&1)"; grep "jupyter-wellml.*enabled.*OK" <<<"$$out" \
	  || { echo "$$out"; echo "the jupyter-wellml labextension is not enabled OK"; exit 1; }
	@out="$$($(BIN)/jupyter server extension list 2>&1)"; grep "jupyter_wellml.*OK" <<<"$$out" \
	  || { echo "$$out"; echo "the jupyter_wellml server extension is not enabled OK"; exit 1; }
	touch $@

install: $(STAMP)

chromium:
	@if ! command -v chromium >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi
	@chromium --version 2>/dev/null | head -1

lab: install
	$(BIN)/jupyter lab --notebook-dir=binder --ip=127.0.0.1 --port=$(LAB_PORT) $(ROOT_FLAG)

lint: install
	$(BIN)/ruff check jupyter_wellml tests bench
	$(BIN)/lint-imports
	$(BIN)/jupyter wellml lens check lens/ml
	cd labextension && PATH="$(CURDIR)/$(BIN):$$PATH" jlpm lint:check

screenshots: install chromium
	WELLML_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/browser -k screenshots

test: install chromium lint
	cd labextension && PATH="$(CURDIR)/$(BIN):$$PATH" WELLML_PYTHON="$(CURDIR)/$(BIN)/python" jlpm test
	$(BIN)/python -m pytest

bench: install chromium
	@for b in bench/*.py; do case $$b in */make_notebook.py) continue;; esac; \
	  echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) labextension/node_modules labextension/lib jupyter_wellml/labextension jupyter_wellml/_version.py
