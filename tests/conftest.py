"""Cross-addon tests, run by pytest-odoo from `make test` (tools/devenv.py).

`make test` passes what these tests need to reach the setup it made:
INVOICERA_ODOO_SRC (the Odoo tree) and INVOICERA_PG (the PostgreSQL
connection, as JSON); Odoo's own configuration is pytest-odoo's.
"""

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tools"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


@pytest.fixture(scope="session")
def odoo_src():
    path = os.environ.get("INVOICERA_ODOO_SRC")
    if not path:
        pytest.fail("INVOICERA_ODOO_SRC is not set: run the tests with `make test`")
    return Path(path)


@pytest.fixture(scope="session")
def pg_params():
    params = os.environ.get("INVOICERA_PG")
    if not params:
        pytest.fail("INVOICERA_PG is not set: run the tests with `make test`")
    return json.loads(params)


@pytest.fixture(scope="session")
def venv_python():
    return Path(sys.executable)
