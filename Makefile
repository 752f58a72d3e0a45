# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install demo test lint typecheck unit browser wrk bench eval clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The CPU build of torch lies on disk; install it before anything can pull a CUDA build.
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Build the demo world, embed its notes (the packaged model, offline), then the tour:
# six representative questions answered in the terminal and how to ask your own.
demo: $(STAMP)
	$(BIN)/dealwise demo --replace
	$(BIN)/dealwise index
	$(BIN)/dealwise tour

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy crm tools knowledge assistant api prompts

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

# The web page's browser test drives Debian's chromium; install it once if apt can.
browser:
	@test -x /usr/bin/chromium || ! command -v apt-get >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq chromium; }

test: lint typecheck browser unit

# lifetimes (the reference BG/NBD implementation) is a benchmark-only dependency,
# kept out of the project's venv in its own.
.venv-bench/.installed:
	$(PY) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet "lifetimes==0.11.3"
	touch $@

# The API load benchmark measures capacity with wrk (C), so the load generator does not
# take the CPU it measures; install it once if apt can.
wrk:
	@command -v wrk >/dev/null || ! command -v apt-get >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq wrk; }

bench: $(STAMP) .venv-bench/.installed wrk
	$(BIN)/python -m benchmarks all

# Quality, measured: extraction (hand-written dev and held-out notes, demo ground truth)
# and the offline planner's routing / argument / figure accuracy.
eval: $(STAMP)
	$(BIN)/python -m benchmarks extraction
	$(BIN)/python -m benchmarks extraction --heldout
	$(BIN)/python -m benchmarks extraction --demo
	$(BIN)/python -m benchmarks planner_eval

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
