# The two commands a fresh machine needs:  make demo   and   make test
# Both bootstrap .venv from requirements.lock (every dependency pinned) on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint format clean

$(BIN)/noticewatch: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

demo: $(BIN)/noticewatch
	$(BIN)/noticewatch demo

test: $(BIN)/noticewatch
	$(BIN)/ruff check crawler monitor replica tests
	$(BIN)/pytest -q

lint: $(BIN)/noticewatch
	$(BIN)/ruff check crawler monitor replica tests
	$(BIN)/ruff format --check crawler monitor replica tests

format: $(BIN)/noticewatch
	$(BIN)/ruff format crawler monitor replica tests

clean:
	rm -rf $(VENV) *.egg-info noticewatch-demo.db*
