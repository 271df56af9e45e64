# The two commands of README.md: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The tests start their own PostgreSQL 15 server for the gradebook-on-PostgreSQL test.
POSTGRES := /usr/lib/postgresql/15/bin/initdb
# tests/test_browser.py drives Debian's Chromium through Playwright (no Playwright download).
CHROMIUM := /usr/bin/chromium
# tests/test_jupyterhub.py runs JupyterHub behind its proxy, installed here from npm.
PROXY := build/proxy/node_modules/.bin/configurable-http-proxy
PROXY_VERSION := 4.6.3

# `make benchmark` grades N submissions with stock nbgrader and with gradelab, side by side;
# `make benchmark N=1000 ARGS=--skip-nbgrader` times gradelab alone.
N ?= 40
ARGS ?=

.PHONY: demo test lint benchmark

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[instructor,dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gradelab demo --keep build/demo

$(POSTGRES):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "$(CHROMIUM) is missing; as root: apt-get install chromium." \
			"Until then tests/test_browser.py is skipped." >&2; \
	fi

$(PROXY):
	npm install --silent --no-audit --no-fund --prefix build/proxy \
		configurable-http-proxy@$(PROXY_VERSION)

# Two workers share the tests (a module's tests stay in one worker); the tests that count
# the machine's sandbox processes run after them, alone. Both parts run whatever the first gives.
test: $(STAMP) $(POSTGRES) $(CHROMIUM) $(PROXY)
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not serial"; parallel=$$?; \
	$(BIN)/python -m pytest -m serial; serial=$$?; \
	test $$parallel -eq 0 -a $$serial -eq 0

benchmark: $(STAMP)
	$(BIN)/python benchmarks/autograde_vs_nbgrader.py $(N) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check . && $(BIN)/ruff check .
