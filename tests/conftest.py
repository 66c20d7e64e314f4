"""Cross-addon tests, run by pytest-odoo from `make test` (tools/devenv.py).

`make test` passes what these tests need to reach the setup it made:
INVOICERA_ODOO_SRC (the Odoo tree) and INVOICERA_PG (the PostgreSQL
connection, as JSON); Odoo's own configuration is pytest-odoo's.
"""

import json
import os
import sys
import unittest
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


def pytest_collection_finish(session):
    """Before a test starts: read every addon's manifest once, and give headless
    Chrome the time to start.

    Odoo's HTTP server parses all manifests on its first static file request.
    Parsed in that thread while the test's thread parses Python too, CPython
    3.11's ast module can fail with "SystemError: AST constructor recursion
    depth mismatch" (python/cpython#106905), failing a tour at random.
    """
    import odoo.http  # noqa: PLC0415 (pytest-odoo has configured Odoo by now)
    import odoo.tests.common  # noqa: PLC0415

    odoo.http.root.statics  # noqa: B018 (a lazy property: computed and kept)
    # Odoo skips a browser test when headless Chrome has not told its port
    # within 10 s; on two busy cores a first start took longer (a tour was
    # skipped in a green run). A tour that does not run is no test: wait 60 s.
    common = odoo.tests.common
    common.CHECK_BROWSER_ITERATIONS = int(60 / common.CHECK_BROWSER_SLEEP)
    common.BROWSER_WAIT = common.CHECK_BROWSER_SLEEP * common.CHECK_BROWSER_ITERATIONS
    # ... and if it still does not start, the tour fails instead of being skipped
    # (Odoo skips it: a red run, not a green one with a tour that never ran).
    spawn = common.ChromeBrowser._spawn_chrome

    def spawn_or_fail(browser, cmd):
        try:
            return spawn(browser, cmd)
        except unittest.SkipTest as skipped:
            raise AssertionError(f"Headless Chrome did not start: {skipped}") from None

    common.ChromeBrowser._spawn_chrome = spawn_or_fail
