"""`make run` from the README: sets up, serves the login page, and a second
run reuses the database and the virtualenv; a busy port is refused."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import devenv
import pytest
from conftest import ROOT

from odoo.tests.common import get_db_name

#: named after this run's test database (see test_install.DB)
DB = f"{get_db_name()}_run"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_run(port, odoo_src):
    # this run's environment (PostgreSQL's PG* variables, the PYTHON given to
    # make), but for a RESET meant for another database
    env = {name: value for name, value in os.environ.items() if name != "RESET"}
    env.update(ODOO_SRC=str(odoo_src), DB=DB, PORT=str(port))
    return subprocess.Popen(
        ["make", "-s", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_login_page(process, port, timeout):
    deadline = time.monotonic() + timeout
    output = []
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output.append(process.stdout.read())
            pytest.fail("make run stopped:\n" + "".join(output)[-4000:])
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/web/login", timeout=5
            ) as response:
                return response.status, response.read().decode()
        except OSError:
            time.sleep(1)
    pytest.fail(f"make run did not serve /web/login within {timeout} s")


def stop(process):
    process.terminate()
    try:
        return process.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[0]


@pytest.fixture(scope="module")
def run_db(pg_params, venv_python):
    if devenv.db_owner(venv_python, pg_params, DB) == "run":
        devenv.db_call(venv_python, pg_params, "drop", DB)
    yield DB
    devenv.db_call(venv_python, pg_params, "drop", DB)
    (ROOT / ".run" / f"{DB}.addons-digest").unlink(missing_ok=True)


def test_make_run_serves_then_reuses(run_db, odoo_src, pg_params, venv_python):
    port = free_port()
    process = start_run(port, odoo_src)
    try:
        status, page = wait_for_login_page(process, port, timeout=900)
        assert status == 200
        assert 'name="login"' in page and 'name="password"' in page
        # Port busy: a second `make run` on the same port says so, changing nothing.
        busy = subprocess.run(
            [
                sys.executable,
                ROOT / "tools" / "devenv.py",
                "run",
                "--db",
                DB,
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert busy.returncode == 2
        assert f"port {port} is busy" in busy.stderr
    finally:
        output = stop(process)
    assert "Admin login:         admin / admin" in output
    assert re.search(r"Client \(portal\): +\S+@\S+ / portal", output), output[-2000:]
    # The demo data is in the database make run built.
    clients = devenv.db_query(
        venv_python,
        pg_params,
        DB,
        "SELECT count(*) FROM res_partner WHERE is_company AND customer_rank > 0",
    )[0][0]
    assert clients >= 20

    # Second run: the virtualenv and the database are reused, nothing rebuilt.
    process = start_run(port, odoo_src)
    try:
        status, _page = wait_for_login_page(process, port, timeout=300)
        assert status == 200
    finally:
        output = stop(process)
    for rebuilt in (
        "building the virtualenv",
        "creating the database",
        "installing",
        "loading the demo data",
    ):
        assert rebuilt not in output, output
