# Two commands for a newcomer: `make demo` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DATA   ?= var/demo-store
STAMP  := $(VENV)/.installed

.PHONY: demo test setup bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

## Load the demo library world into the embedded store and serve it at http://127.0.0.1:8000/
demo: $(STAMP)
	$(BIN)/rightsgraph --data-dir $(DATA) demo --host 127.0.0.1 --port 8000

COMUNICA := var/node/node_modules/.bin/comunica-sparql

# Comunica (a SPARQL client in Node.js) for the client tests, when npm is there.
$(COMUNICA):
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p var/node && cd var/node && npm install --no-audit --no-fund --silent @comunica/query-sparql@4; \
	else echo "npm not found: the Comunica client test will be skipped"; fi

## Run the whole test suite (unit, conformance, integration with real servers on 127.0.0.1)
test: $(STAMP) $(COMUNICA)
	$(BIN)/python -m pytest -q

## Benchmarks (figures in the closing notes): see benchmarks/README.md
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_validation.py --quick

clean:
	rm -rf $(VENV) var build *.egg-info
