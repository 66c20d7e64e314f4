# Invoicera for Odoo: the two commands of the README, and a few more.
# Every target sets up what it needs (see tools/devenv.py); variables:
#   ODOO_SRC=<Odoo 18.0 tree>  PORT=8069  DB=invoicera_demo  RESET=1 (rebuild DB)
#   TEST_DB=invoicera_test  UPSTREAM_DB=invoicera_upstream  PYTEST_ARGS="-k ..."
#   PYTHON=python3.12 (the Python that builds .run/venv: Odoo 18.0 needs 3.10-3.12)
PYTHON ?= python3

.PHONY: run test test-upstream benchmark pot clean

run:
	$(PYTHON) tools/devenv.py run

test:
	$(PYTHON) tools/devenv.py test -- $(PYTEST_ARGS)

test-upstream:
	$(PYTHON) tools/devenv.py test-upstream

benchmark:
	$(PYTHON) tools/devenv.py benchmark -- -s $(PYTEST_ARGS)

pot:
	$(PYTHON) tools/devenv.py pot

clean:
	rm -rf .run/venv .run/odoo-src .run/screenshots .run/*.log
