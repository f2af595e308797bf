# Two commands for a newcomer: `make run` and `make test`. Both create .venv when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck unit bench clean system-libs

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "MARAC Desk needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ echo "Could not create a virtual environment: on Debian/Ubuntu run 'sudo apt-get install python3-venv'."; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $@

system-libs: $(STAMP)
	@sh scripts/qt-system-libs.sh $(BIN)/python

run: $(STAMP) system-libs
	$(BIN)/marac-desk --demo-if-no-store

lint: $(STAMP)
	$(BIN)/ruff check marac_desk tests benchmarks
	$(BIN)/ruff format --check marac_desk tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP) system-libs
	QT_QPA_PLATFORM=$${QT_QPA_PLATFORM:-offscreen} $(BIN)/python -m pytest -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --referrals 1000 --out benchmarks/results/bench-1000.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
