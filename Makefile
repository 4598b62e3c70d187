# The two commands a fresh machine needs:  make demo   and   make test
# Both bootstrap .venv from requirements.lock (every dependency pinned) on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench lint format clean system-deps

$(BIN)/noticewatch: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

demo: $(BIN)/noticewatch
	$(BIN)/noticewatch demo

# Debian packages the tests use: chromium + a CJK font (the reader's browser tests), redis-server
# (the cluster tests start their own). Installed once; skipped when present.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wqy || ! command -v redis-server >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei redis-server; \
	fi

# pytest -n 2: two pytest-xdist workers (tests/ is xdist-safe: free ports, tmp paths). Much of the
# suite waits on child processes, timeouts and schedules, so two workers halve it even on 2 cores.
test: $(BIN)/noticewatch system-deps
	$(BIN)/ruff check crawler monitor replica tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -q -n 2

# Benchmarks print their figures; bench-only dependencies (trafilatura) come from requirements-bench.lock.
bench: $(BIN)/noticewatch
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.lock
	$(BIN)/python bench/run.py

lint: $(BIN)/noticewatch
	$(BIN)/ruff check crawler monitor replica tests bench
	$(BIN)/ruff format --check crawler monitor replica tests bench

format: $(BIN)/noticewatch
	$(BIN)/ruff format crawler monitor replica tests

clean:
	rm -rf $(VENV) *.egg-info noticewatch-demo.db*
