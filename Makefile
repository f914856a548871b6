# Two commands for a newcomer: `make demo` and `make test`. Both set up what they need;
# dev.py does the work, so `python3 dev.py demo|test` is the same without make.
PYTHON ?= python3

.PHONY: demo test setup bench clean

## Load the demo library world into the embedded store and serve it at http://127.0.0.1:8000/
demo:
	$(PYTHON) dev.py demo

## Run the whole test suite (unit, conformance, integration with real servers on 127.0.0.1)
test:
	$(PYTHON) dev.py test

setup:
	$(PYTHON) dev.py setup

## Benchmarks (figures in the issue notes); each prints its baseline beside our figure
bench: setup
	.venv/bin/python benchmarks/bench_validation.py --quick
	.venv/bin/python benchmarks/bench_decisions.py --quick

clean:
	rm -rf .venv var build *.egg-info
