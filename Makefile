# Two commands: `make deploy` and `make test`. Everything else is a helper.
SHELL := /bin/bash
CACHE := $(or $(LOCALDEV_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/localdev-kube)
VENV := $(or $(LOCALDEV_VENV),$(CACHE)/venv)
export PATH := $(VENV)/bin:$(CACHE)/bin:$(PATH)
# Only gates whose name contains one of these words, e.g. `make test GATES=lint`.
GATES ?=

.PHONY: deploy teardown test venv venv-test test-env gates check changelog clean

deploy: venv ## Deploy the app (ansible-playbook site.yml)
	ansible-playbook site.yml $(ARGS)

teardown: venv ## Remove the release and the hosts entries
	ansible-playbook playbooks/teardown.yml $(ARGS)

check: venv ## Show drift without changing anything
	ansible-playbook site.yml --check --diff $(ARGS)

test: venv-test test-env gates ## Provision the test environment and run every gate

venv:
	@scripts/venv.sh requirements.txt

venv-test:
	@scripts/venv.sh requirements.txt requirements-test.txt

test-env:
	@tests/env/setup.sh

gates:
	@$(VENV)/bin/python tests/run_gates.py $(GATES)

changelog: venv-test ## Write CHANGELOG.md from changelogs/ (antsibull-changelog)
	@scripts/changelog.sh

clean: ## Remove test output from the checkout (caches stay)
	rm -rf tests/output .pytest_cache .ruff_cache *.tar.gz
