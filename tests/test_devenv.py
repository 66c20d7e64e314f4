"""The setup behind `make run` / `make test` (tools/devenv.py): bad input gets
a clear message and changes nothing."""

import re
import shutil
import socket
import subprocess
import sys
import tarfile
import zipfile

import devenv
import psycopg2
import pytest
from conftest import ROOT
from psycopg2 import sql

from odoo.tests.common import get_db_name


def fail_download(url, dest):
    raise OSError("network unreachable")


def test_no_odoo_tree_names_the_three_options(tmp_path):
    with pytest.raises(devenv.SetupError) as error:
        devenv.find_odoo_src(
            environ={},
            default=tmp_path / "none",
            cache=tmp_path / "cache",
            download=fail_download,
        )
    message = str(error.value)
    assert "ODOO_SRC=" in message
    assert "/opt/odoo/18.0" in message
    assert devenv.ODOO_ARCHIVE_URL in message
    assert "network unreachable" in message
    assert not (tmp_path / "cache").exists(), "a failed download left files behind"


def test_odoo_src_of_another_version_is_refused(tmp_path):
    (tmp_path / "odoo").mkdir()
    (tmp_path / "odoo-bin").write_text("")
    (tmp_path / "odoo" / "release.py").write_text("version_info = (17, 0, 0, FINAL, 0, '')\n")
    with pytest.raises(devenv.SetupError, match=r"not an Odoo 18\.0 source tree \(Odoo 17\.0\)"):
        devenv.find_odoo_src(environ={"ODOO_SRC": str(tmp_path)}, download=fail_download)


def test_odoo_src_is_found_in_order(tmp_path, odoo_src):
    assert devenv.find_odoo_src(environ={"ODOO_SRC": str(odoo_src)}) == odoo_src.resolve()
    assert devenv.find_odoo_src(environ={}, default=odoo_src, cache=tmp_path) == odoo_src.resolve()


def test_no_odoo_tree_from_the_command_line(tmp_path):
    """The whole command stops with the message and exit code 2, creating nothing."""
    env = {"PATH": "/usr/bin:/bin", "ODOO_SRC": str(tmp_path / "missing")}
    result = subprocess.run(
        [sys.executable, ROOT / "tools" / "devenv.py", "test"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert f"ODOO_SRC={tmp_path / 'missing'} is not an Odoo 18.0 source tree" in result.stderr


def test_official_archive_is_unpacked_into_a_tree(tmp_path):
    """Odoo's nightly archive is its sdist: the addons in odoo/addons, the
    launcher as setup/odoo. Unpacked, it is a tree `make` runs (odoo-bin, an
    addons folder for the addons path); an unreadable archive leaves nothing."""
    top = tmp_path / "src" / "odoo-18.0.post20261201"
    (top / "odoo" / "addons" / "base").mkdir(parents=True)
    (top / "odoo" / "release.py").write_text("version_info = (18, 0, 0, 'final', 0, '')\n")
    (top / "setup").mkdir()
    (top / "setup" / "odoo").write_text("#!/usr/bin/env python3\nimport odoo\n")
    archive = tmp_path / "odoo_18.0.latest.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(top, arcname=top.name)
    cache = tmp_path / "cache"
    tree = devenv.find_odoo_src(
        environ={},
        default=tmp_path / "none",
        cache=cache,
        download=lambda url, dest: devenv.download_odoo(archive.as_uri(), dest),
    )
    assert tree == cache.resolve()
    assert devenv.odoo_series(tree) == "18.0"
    assert (tree / "addons").is_dir()
    assert not (tmp_path / "cache.partial").exists()
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(archive.read_bytes()[:200])
    with pytest.raises(OSError, match="cannot be read"):
        devenv.download_odoo(broken.as_uri(), tmp_path / "other")
    assert not (tmp_path / "other").exists()
    assert not (tmp_path / "other.partial").exists()


def test_machine_server_installed_but_stopped_is_started(monkeypatch, venv_python):
    """PostgreSQL installed but not running yet (a machine just booted): its
    own cluster is started (pg_ctlcluster, no systemd) and used, before any
    private cluster."""
    running = {"up": False}
    monkeypatch.setattr(
        devenv,
        "probe_postgres",
        lambda python, params: {"user": "root"}
        if running["up"]
        else {"error": "could not connect to server"},
    )

    def start():
        running["up"] = True
        return True

    monkeypatch.setattr(devenv, "start_machine_cluster", start)

    def no_private_cluster(*args, **kwargs):
        raise AssertionError("the machine's server is used, not a private cluster")

    monkeypatch.setattr(devenv, "start_private_cluster", no_private_cluster)
    assert devenv.find_postgres(venv_python, environ={}) == {"user": "root"}


def test_busy_port_is_reported():
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(devenv.SetupError, match=f"port {port} is busy"):
            devenv.check_port_free(port)


def test_unreachable_postgres_without_private_cluster(monkeypatch, venv_python):
    monkeypatch.setattr(devenv, "pg_bindir", lambda: None)

    def no_apt(packages):
        raise devenv.SetupError(f"missing system packages: {' '.join(packages)}")

    monkeypatch.setattr(devenv, "apt_install", no_apt)
    with pytest.raises(devenv.SetupError) as error:
        devenv.find_postgres(venv_python, environ={"INVOICERA_PG": "private"})
    assert "PostgreSQL is not reachable and a private cluster could not be started" in str(
        error.value
    )
    assert "missing system packages: postgresql" in str(error.value)


def test_private_cluster_starts_when_no_server(venv_python):
    """Where no PostgreSQL runs, the setup starts one of its own under .run/."""
    if devenv.pg_bindir() is None:
        pytest.fail("PostgreSQL's server binaries are missing: the setup installs them")
    run_dir = ROOT / ".run" / "test-private-cluster"
    shutil.rmtree(run_dir, ignore_errors=True)
    try:
        params = devenv.start_private_cluster(run_dir=run_dir, port=5499)
        found = devenv.probe_postgres(venv_python, params)
        assert "error" not in found, found
        assert found["user"] == params["user"] != "postgres"
        assert found["version"].startswith(devenv.pg_bindir().parent.name)
    finally:
        devenv.stop_private_cluster(run_dir=run_dir)
        shutil.rmtree(run_dir, ignore_errors=True)


def test_private_cluster_of_a_clone_in_a_folder_of_its_own(tmp_path, venv_python):
    """A clone in a folder others may not enter (/root, a mktemp -d folder):
    the cluster, which runs as postgres when we are root, starts all the same
    (initdb could not reach its folder)."""
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o700)
    run_dir = home / "clone" / ".run"
    run_dir.mkdir(parents=True)
    datadir, sockdir = devenv.private_cluster_paths(run_dir)
    try:
        params = devenv.start_private_cluster(run_dir=run_dir, port=5498)
        found = devenv.probe_postgres(venv_python, params)
        assert "error" not in found, found
    finally:
        devenv.stop_private_cluster(run_dir=run_dir)
        for path in (datadir.parent, sockdir):
            if home not in path.parents:
                shutil.rmtree(path, ignore_errors=True)


def test_a_kept_database_missing_a_module_is_also_upgraded(monkeypatch):
    """make run on a kept database missing a module (the demo payment provider,
    or a new addon) whose addons changed: the missing module is installed and
    the others are upgraded; before, only installed (Odoo's -i leaves installed
    modules as they were), and stamped as up to date."""
    calls = []
    monkeypatch.setattr(
        devenv, "install_addons", lambda python, src, config, db, modules: calls.append("-i")
    )
    monkeypatch.setattr(devenv, "odoo_cmd", lambda *args: list(args))
    monkeypatch.setattr(
        devenv, "run", lambda cmd, **kw: calls.append(next(c for c in cmd if c in ("-u", "-i")))
    )
    db = f"{get_db_name()}_stamp"
    stamp = ROOT / ".run" / f"{db}.addons-digest"
    stamp.write_text("built from other sources")
    try:
        devenv.update_addons(None, None, None, db, created=False, installed=False)
        assert calls == ["-i", "-u"]
        assert stamp.read_text() == devenv.addons_digest()
        calls.clear()
        devenv.update_addons(None, None, None, db, created=False, installed=True)
        assert calls == [], "up to date: nothing done"
        devenv.update_addons(None, None, None, db, created=True, installed=False)
        assert calls == ["-i"], "a new database is installed, not upgraded"
    finally:
        stamp.unlink(missing_ok=True)


def test_database_made_by_someone_else_is_never_dropped(pg_params, venv_python):
    name = f"{get_db_name()}_foreign"
    conn = psycopg2.connect(dbname="postgres", **pg_params)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            cr.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        with pytest.raises(
            devenv.SetupError,
            match="was created by something else; nothing was changed",
        ):
            devenv.prepare_db(venv_python, pg_params, name, "run", drop_ours=True)
        assert devenv.db_owner(venv_python, pg_params, name) == "someone else"
        # The explicit flag is the only way through.
        assert devenv.prepare_db(venv_python, pg_params, name, "run", reset=True)
        assert devenv.db_owner(venv_python, pg_params, name) == "run"
        # Ours: kept (not recreated) on the next run.
        assert not devenv.prepare_db(venv_python, pg_params, name, "run")
    finally:
        with conn.cursor() as cr:
            cr.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        conn.close()


def test_reset_is_read_by_every_command(monkeypatch):
    """The refusal of a database another tool made says RESET=1, for make test
    as for make run: every command reads it (make test ignored it)."""
    commands = ("run", "test", "pot", "benchmark", "test-upstream")
    seen = {}
    for command in commands:
        monkeypatch.setattr(
            devenv,
            "cmd_" + command.replace("-", "_"),
            lambda args, command=command: seen.__setitem__(command, args.reset),
        )
    monkeypatch.setenv("RESET", "1")
    for command in commands:
        devenv.main([command])
    assert seen == dict.fromkeys(commands, True)
    monkeypatch.delenv("RESET")
    for command in commands:
        devenv.main([command])
    assert seen == dict.fromkeys(commands, False)


def test_bad_database_name():
    with pytest.raises(devenv.SetupError, match="not a valid database name"):
        devenv.check_db_name("demo; DROP TABLE x")


def test_pip_install_puts_the_addons_in_odoo_addons(tmp_path):
    """`pip install .` installs the four addons as odoo.addons.* with their data files."""
    source = tmp_path / "src"  # a copy, so that the build leaves nothing in the clone
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".run", ".git", "__pycache__"))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("invoicera_odoo-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for addon in devenv.ADDONS:
        assert f"odoo/addons/{addon}/__manifest__.py" in names
        assert f"odoo/addons/{addon}/i18n/{addon}.pot" in names
    assert "odoo/addons/invoicera_billing/views/invoicera_billing_menus.xml" in names
    assert "odoo/addons/invoicera_billing/static/description/icon.png" in names
    assert not any(
        name.startswith(("odoo/__init__", "odoo/addons/__init__")) for name in names
    ), "the wheel must not own the odoo namespace"
    metadata = next(n for n in names if n.endswith("METADATA"))
    # Names as written in requirements.txt, normalised the way the metadata is.
    requires = re.sub(r"(?<=[a-z])_(?=[a-z])", "-", zipfile.ZipFile(wheel).read(metadata).decode())
    for requirement in (
        "odoo<18.1,>=18.0",
        "psycopg2",
        "lxml",
        "babel",
        "qrcode",
        "odoo-addon-queue-job",
    ):
        assert f"Requires-Dist: {requirement}" in requires


def test_upstream_failures_are_read_from_odoo_log():
    log_text = (
        "2026-11-25 04:17:24,349 1 ERROR db "
        "odoo.addons.account.tests.test_account_move_in_invoice: "
        "FAIL: TestAccountMoveInInvoiceOnchanges.test_in_invoice_payment_register_wizard\n"
        "2026-11-25 04:17:25,349 1 INFO db "
        "odoo.addons.account.tests.test_x: Starting TestX.test_ok ...\n"
        "2026-11-25 04:18:46,260 1 ERROR db odoo.addons.portal.tests.test_portal: "
        "ERROR: TestPortal.test_new_failure\n"
    )
    failures = devenv.upstream_failures(log_text)
    assert failures == {
        "account:TestAccountMoveInInvoiceOnchanges.test_in_invoice_payment_register_wizard",
        "portal:TestPortal.test_new_failure",
    }
    assert failures - devenv.known_upstream_failures() == {"portal:TestPortal.test_new_failure"}


def test_gevent_starts_as_the_gevent_worker_of_odoo_does(venv_python):
    """A multi-worker Odoo serves websockets from a gevent worker, which patches first.

    With metadata gevent's plugin loader cannot read, that worker dies at
    start and Odoo's master starts it again and again, taking CPU from the
    other workers (constraints.txt pins the zope packages gevent needs).
    """
    result = subprocess.run(
        [venv_python, "-c", "from gevent import monkey; monkey.patch_all(); print('patched')"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "patched"


def test_reset_is_yes_or_no():
    """`make run RESET=0` keeps the database (it was read as "set": dropped)."""
    for value in ("", "0", "false", "No", "off"):
        assert devenv.env_flag("RESET", {"RESET": value}) is False, value
    assert devenv.env_flag("RESET", {}) is False
    for value in ("1", "true", "YES", "on"):
        assert devenv.env_flag("RESET", {"RESET": value}) is True, value
    with pytest.raises(devenv.SetupError, match="RESET='maybe' is neither yes nor no"):
        devenv.env_flag("RESET", {"RESET": "maybe"})


def test_python_odoo_does_not_run_on_is_refused(odoo_src):
    """A Python past Odoo 18.0's (3.13: no wheels for its pins) is refused
    before pip compiles anything, naming what to run instead."""
    devenv.check_python(odoo_src, (3, 11))
    devenv.check_python(odoo_src, (3, 12))
    for version in ((3, 9), (3, 13)):
        with pytest.raises(devenv.SetupError) as error:
            devenv.check_python(odoo_src, version)
        assert f"Python {version[0]}.{version[1]} runs this setup" in str(error.value)
        assert "3.10 to 3.12" in str(error.value)
        assert "make PYTHON=python3.12 test" in str(error.value)


def test_a_python_odoo_runs_on_is_found_on_the_path(odoo_src):
    """python3 is 3.13 (Debian 13) but python3.11 is installed: the setup runs
    again with it, rather than refusing (.ci/run cannot pass PYTHON=)."""
    installed = {"python3.11": "/usr/bin/python3.11", "python3.13": "/usr/bin/python3.13"}
    working = {"/usr/bin/python3.11"}

    def found(which):
        return devenv.supported_python(
            odoo_src, which=which, runs=lambda python, version: python in working
        )

    assert found(installed.get) == "/usr/bin/python3.11"
    installed["python3.12"] = "/usr/local/bin/python3.12"
    assert found(installed.get) == "/usr/bin/python3.11", "a shim of a version not selected"
    working.add("/usr/local/bin/python3.12")
    assert found(installed.get) == "/usr/local/bin/python3.12"
    assert found({}.get) is None
    # this very Python runs, and says its version
    assert devenv.python_runs(sys.executable, sys.version_info[:2])
    assert not devenv.python_runs(sys.executable, (2, 7))


def test_the_setup_runs_again_with_a_python_odoo_runs_on(monkeypatch, odoo_src):
    """Refused by python3 (3.13), the setup runs itself again, as it was
    called, with the Python found; once only: refused again, it says why."""
    monkeypatch.delenv(devenv.SWITCHED_PYTHON, raising=False)

    def refuse(src, version=None):
        raise devenv.SetupError("Python 3.13 runs this setup")

    monkeypatch.setattr(devenv, "check_python", refuse)
    monkeypatch.setattr(devenv, "supported_python", lambda src: "/usr/bin/python3.11")
    monkeypatch.setattr(sys, "argv", ["tools/devenv.py", "test", "--", "-k", "x"])
    execs = []

    def execv(path, args):
        execs.append((path, args))
        raise SystemExit(0)

    monkeypatch.setattr(devenv.os, "execv", execv)
    with pytest.raises(SystemExit):
        devenv.ensure_venv(odoo_src)
    assert execs == [
        (
            "/usr/bin/python3.11",
            ["/usr/bin/python3.11", str(ROOT / "tools" / "devenv.py"), "test", "--", "-k", "x"],
        )
    ]
    assert devenv.os.environ[devenv.SWITCHED_PYTHON] == "/usr/bin/python3.11"
    with pytest.raises(devenv.SetupError, match="3.13"):
        devenv.ensure_venv(odoo_src)
    assert len(execs) == 1, "never twice"


def test_failed_install_shows_the_end_of_odoo_s_log(tmp_path):
    """make test logs to a file (a CI run leaves it in its clone): a failed
    install says where, and shows how it ends (it said "see the log above",
    above which there was nothing)."""
    log = tmp_path / "test-odoo.log"
    log.write_text("".join(f"line {n}\n" for n in range(100)) + "ParseError: bad view\n")
    config = tmp_path / "odoo.conf"
    config.write_text(f"[options]\nlogfile = {log}\n")
    tail = devenv.log_tail(config)
    assert str(log) in tail
    assert "ParseError: bad view" in tail
    assert "line 10\n" not in tail
    config.write_text("[options]\nlogfile = False\n")
    assert devenv.log_tail(config) == " Odoo's log is above."


def test_a_database_without_the_extra_modules_gets_them(monkeypatch, pg_params, venv_python):
    """A make run database built before the demo payment provider joined is not
    taken as installed (it never got the provider)."""
    db = get_db_name()
    assert devenv.addons_installed(venv_python, pg_params, db)
    monkeypatch.setattr(devenv, "EXTRA_MODULES", (*devenv.EXTRA_MODULES, "payment_adyen"))
    assert not devenv.addons_installed(venv_python, pg_params, db)


def test_a_kept_database_without_its_files_is_refused(tmp_path):
    """make run keeps its database, whose files live in .run/data: from another
    clone, or once .run/ was removed, it would serve blank icons and broken
    assets. It says so, and what to do."""
    (tmp_path / "filestore" / "demo").mkdir(parents=True)
    devenv.check_filestore("demo", tmp_path)
    with pytest.raises(devenv.SetupError) as error:
        devenv.check_filestore("other", tmp_path)
    assert str(tmp_path / "filestore" / "other") in str(error.value)
    assert "RESET=1" in str(error.value)
