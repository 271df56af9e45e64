# The two commands of README.md: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The tests start their own PostgreSQL 15 server for the gradebook-on-PostgreSQL test.
POSTGRES := /usr/lib/postgresql/15/bin/initdb

.PHONY: demo test lint

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gradelab demo

$(POSTGRES):
	apt-get update -qq && apt-get install -y -qq postgresql-15

test: $(STAMP) $(POSTGRES)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff format --check . && $(BIN)/ruff check .
