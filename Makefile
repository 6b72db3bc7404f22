# The two entry points are `make demo` (the sandbox demo) and `make test` (every test tier).
# Both depend on `setup`, which is idempotent: a second run only checks that everything is in place.
SHELL := /bin/bash
PYTHON ?= python3
# The toolchain `make setup` builds: tofu in ~/.local/bin, providers in the offline filesystem mirror.
# The harness uses them only because these say so; a user's own PATH and CLI configuration are the default.
export PATH := $(HOME)/.local/bin:$(PATH)
export STEPGATE_PROVIDER_MIRROR ?= $(HOME)/.terraform.d/plugins
VENV := .venv
STAMP := $(VENV)/.stepgate-installed

.PHONY: setup venv toolchain demo test test-unit test-plan test-e2e test-consumer fmt docs bench clean

setup: venv toolchain

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@echo "[setup] python virtualenv $(VENV) (harness + dev dependencies, pinned by constraints.txt)"
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $(STAMP)
	@echo "[setup] python virtualenv ready"

toolchain:
	@scripts/install_toolchain.sh

demo: setup
	$(VENV)/bin/python scripts/demo.py

# The tiers run side by side, one worker per group (see tests/conftest.py): unit, plan with tofu, plan with
# terraform, two e2e groups and consumer. Most of the time is waiting on tofu, provider waiters and the emulator.
test: setup
	$(VENV)/bin/pytest -n 6 --dist loadgroup

test-unit: venv
	$(VENV)/bin/pytest -m unit

test-plan: setup
	$(VENV)/bin/pytest -m plan

test-e2e: setup
	$(VENV)/bin/pytest -m e2e

test-consumer: setup
	$(VENV)/bin/pytest -m consumer

fmt: toolchain
	~/.local/bin/tofu fmt -recursive

docs: venv
	$(VENV)/bin/python scripts/readme_tables.py --write

bench: setup
	$(VENV)/bin/python benchmarks/check_speed.py
	$(VENV)/bin/python benchmarks/e2e_latency.py

clean:
	rm -rf $(VENV) .pytest_cache
