"""Benchmark helpers: the scale to run at, and the table each benchmark prints.

`make test` runs the benchmarks at a small scale, so that they keep working;
`make benchmark` runs them at the sizes of the README (INVOICERA_BENCH=full).
Tables are printed and also written to .run/benchmarks/<name>.md.
"""

import os
import resource
import socket
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path
from unittest.mock import patch

import requests

from odoo.modules.registry import Registry
from odoo.service.db import exp_drop, exp_duplicate_database
from odoo.sql_db import db_connect
from odoo.tests.common import get_db_name
from odoo.tools import config

from odoo.addons.invoicera_billing.tests.common import committed_env

ROOT = Path(__file__).resolve().parents[2]


def full_scale():
    return os.environ.get("INVOICERA_BENCH") == "full"


def peak_rss_mb():
    """Peak resident memory of this process so far, in MB (Linux: ru_maxrss in kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def format_table(title, headers, rows):
    lines = [f"### {title}", "", "| " + " | ".join(headers) + " |"]
    lines.append("| " + " | ".join("---" for _ in headers) + " |")
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def report(name, title, headers, rows):
    """Print a results table and keep it in .run/benchmarks/<name>.md."""
    table = format_table(title, headers, rows)
    folder = ROOT / ".run" / "benchmarks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.md").write_text(table)
    print("\n" + table, flush=True)
    return table


def percentile(values, rank):
    """The ``rank``-th percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(rank / 100 * (len(ordered) - 1))))]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """Odoo in multi-worker mode (as a production server runs it) on the test database.

    Started on a free port with the test configuration, so with queue_job's
    job runner and its channels; ``stop()`` ends it.
    """

    def __init__(self, workers=4, database=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        odoo_bin = Path(os.environ["INVOICERA_ODOO_SRC"]) / "odoo-bin"
        database = database or get_db_name()
        command = [
            sys.executable,
            str(odoo_bin),
            "-c",
            config.rcfile,
            "-d",
            database,
            f"--db-filter=^{database}$",
            "--http-port",
            str(self.port),
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--logfile=/dev/null",
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/web/login", timeout=5).ok:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError("the multi-worker Odoo server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


# Benchmarks commit their data so that another process (the server) sees it.
new_env = committed_env


#: Odoo's database management (off in the test configuration), without tests
#: running when a registry loads
DATABASE_MANAGEMENT = {"list_db": True, "test_enable": False}


def copy_test_database(name):
    """Replace database ``name`` by a copy of the test database; its registry.

    Odoo's own Duplicate: connections to the test database are closed first.
    """
    with patch.dict(config.options, DATABASE_MANAGEMENT):
        exp_drop(name)
        exp_duplicate_database(get_db_name(), name)
        return Registry(name)


def drop_database(name):
    with patch.dict(config.options, DATABASE_MANAGEMENT):
        exp_drop(name)


def settle_database(name):
    """VACUUM ANALYZE database ``name`` once its data is generated and committed.

    Bulk-inserted rows are otherwise vacuumed and analyzed by autovacuum while
    the paths are measured, on the same two cores, slowing whichever path it
    happens to overlap; and the first reads of new rows pay for setting their
    hint bits. Settled, every path starts from the same state.
    """
    with closing(db_connect(name).cursor()) as cr:
        # as Odoo's database service does: VACUUM cannot run in a transaction
        # (a connection borrowed next from the pool is made transactional again)
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE")


def run_concurrently(target, argument_lists):
    """Run ``target(*arguments)`` in one thread per argument list; the wall time in s.

    The first error of a thread is raised once all have ended, so that a
    benchmark says why a sender stopped rather than finding its counts empty.
    """
    errors = []

    def guarded(*arguments):
        try:
            target(*arguments)
        except Exception as error:  # noqa: BLE001 - re-raised below
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=arguments) for arguments in argument_lists]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started
