#!/usr/bin/env python3
"""Set up, run and test Invoicera for Odoo from a clone.

This is what ``make run``, ``make test`` and ``make test-upstream`` call. It
uses only the standard library, so it runs before any virtualenv exists.
Everything it creates lives under the clone's ``.run/`` folder, except the
PostgreSQL databases it names, which it marks (a comment on the database) so
that it never drops a database it did not create itself.

Steps, each skipped when already done:

1. find an Odoo 18.0 source tree (``$ODOO_SRC``, ``/opt/odoo/18.0``, or
   Odoo's official 18.0 source archive, downloaded into ``.run/``);
2. install the tools Odoo needs from Debian where missing (``chromium`` for
   the tests' browser tours, ``wkhtmltopdf`` for PDF reports; what pip builds
   ``psycopg2`` with, before building the virtualenv);
3. build ``.run/venv`` with Odoo, its requirements and ours;
4. find PostgreSQL (``PG*`` variables / local socket, then 127.0.0.1:5432),
   else start a private cluster in ``.run/pgdata`` (as root, in a clone the
   ``postgres`` user cannot reach, ``/var/lib/postgresql/invoicera-pg-<digest>``);
5. create or reuse the database, install the addons, load ``data/``.
"""

import argparse
import configparser
import getpass
import hashlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / ".run"
ADDONS = (
    "invoicera_billing",
    "invoicera_timesheet",
    "invoicera_portal",
    "invoicera_gateways",
)
#: installed with the addons in make run's and make test's databases: the
#: demo payment provider, to pay invoices from the portal without a gateway
EXTRA_MODULES = ("payment_demo",)
DEFAULT_ODOO_SRC = Path("/opt/odoo/18.0")
ODOO_ARCHIVE_URL = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
# Odoo's stock suites that must stay green with our addons installed.
UPSTREAM_SUITES = (
    "account",
    "sale_timesheet",
    "hr_timesheet",
    "portal",
    "payment",
    "account_payment",
)
MARKER_PREFIX = "invoicera:"
DEMO_LOGINS_PARAM = "invoicera.demo_logins"
DEMO_LOADED_PARAM = "invoicera.demo_data_profile"

NO_ODOO_MESSAGE = """\
No Odoo 18.0 source tree was found. Give one of these:
  1. ODOO_SRC=/path/to/odoo-18.0 (a checkout of https://github.com/odoo/odoo, branch 18.0);
  2. an Odoo 18.0 source tree at /opt/odoo/18.0;
  3. network access to Odoo's official source archive:
     {url}
     ({reason})"""


class SetupError(Exception):
    """A problem the user must fix; printed without a traceback."""


def log(message):
    print(f"[invoicera] {message}", flush=True)


def run(cmd, check=True, quiet=False, **kwargs):
    """Run a command, failing with its output when it fails."""
    if quiet:
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.STDOUT)
        kwargs.setdefault("text", True)
    try:
        result = subprocess.run([str(c) for c in cmd], check=False, **kwargs)
    except OSError as error:
        raise SetupError(f"cannot run {cmd[0]}: {error}") from None
    if check and result.returncode:
        output = (result.stdout or "")[-4000:] if quiet else ""
        raise SetupError(
            f"command failed ({result.returncode}): {' '.join(map(str, cmd))}\n{output}"
        )
    return result


# ---------------------------------------------------------------------------
# 1. Odoo source tree
# ---------------------------------------------------------------------------
def odoo_series(path):
    """Return "18.0" for an Odoo 18.0 source tree, None for anything else."""
    path = Path(path)
    release = path / "odoo" / "release.py"
    if not (path / "odoo-bin").is_file() or not release.is_file():
        return None
    match = re.search(r"^version_info\s*=\s*\((\d+),\s*(\d+)", release.read_text(), re.MULTILINE)
    return f"{match[1]}.{match[2]}" if match else None


def download_odoo(url, dest, timeout=30):
    """Download and unpack Odoo's official source archive into ``dest``."""
    partial = dest.with_name(dest.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    log(f"downloading Odoo 18.0 sources from {url}")
    try:
        with tempfile.TemporaryFile() as archive:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                shutil.copyfileobj(response, archive)
            archive.seek(0)
            with tarfile.open(fileobj=archive, mode="r:gz") as tar:
                # the "data" filter where this Python has it (3.11.4 and later)
                safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                tar.extractall(partial, **safe)
        # Odoo's nightly archive is its sdist: the addons moved into odoo/addons
        # and the launcher as setup/odoo (no odoo-bin, no top-level addons/)
        tops = [p for p in partial.iterdir() if (p / "odoo" / "release.py").is_file()]
        if len(tops) != 1:
            raise OSError("the archive holds no Odoo source tree at its top level")
        top = tops[0]
        if not (top / "odoo-bin").is_file():
            if not (top / "setup" / "odoo").is_file():
                raise OSError("the archive holds neither odoo-bin nor setup/odoo")
            shutil.copy2(top / "setup" / "odoo", top / "odoo-bin")
        (top / "addons").mkdir(exist_ok=True)  # the addons path names it
        shutil.rmtree(dest, ignore_errors=True)
        top.rename(dest)
    except (tarfile.TarError, EOFError, zlib.error) as error:
        raise OSError(f"the archive cannot be read: {error}") from error
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return dest


def find_odoo_src(environ=None, default=DEFAULT_ODOO_SRC, cache=None, download=None):
    """Where the Odoo 18.0 sources are: ``$ODOO_SRC``, ``default``, a download.

    An explicit ``ODOO_SRC`` that is not an 18.0 tree is an error rather than
    a silent fallback: the user asked for that tree.
    """
    environ = os.environ if environ is None else environ
    cache = RUN / "odoo-src" if cache is None else Path(cache)
    download = download_odoo if download is None else download
    explicit = environ.get("ODOO_SRC")
    if explicit:
        series = odoo_series(explicit)
        if series != "18.0":
            found = f"Odoo {series}" if series else "no odoo-bin and odoo/release.py"
            raise SetupError(f"ODOO_SRC={explicit} is not an Odoo 18.0 source tree ({found}).")
        return Path(explicit).resolve()
    for candidate in (Path(default), cache):
        if odoo_series(candidate) == "18.0":
            return candidate.resolve()
    if environ.get("INVOICERA_NO_DOWNLOAD"):
        reason = "download disabled by INVOICERA_NO_DOWNLOAD"
    else:
        try:
            path = download(ODOO_ARCHIVE_URL, cache)
            if odoo_series(path) == "18.0":
                return path.resolve()
            reason = "the archive is not Odoo 18.0"
        except OSError as error:
            reason = f"download failed: {error}"
    raise SetupError(NO_ODOO_MESSAGE.format(url=ODOO_ARCHIVE_URL, reason=reason))


# ---------------------------------------------------------------------------
# 2. System packages
# ---------------------------------------------------------------------------
def apt_install(packages):
    """Install Debian packages, as root or through sudo."""
    if not packages:
        return
    prefix = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            raise SetupError(
                f"missing system packages: {' '.join(packages)}; install them "
                f"(apt-get install {' '.join(packages)}) and run again."
            )
        prefix = ["sudo"]
    if not shutil.which("apt-get"):
        raise SetupError(f"missing system packages: {' '.join(packages)}, and no apt-get here.")
    log(f"installing Debian packages: {' '.join(packages)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = prefix + ["apt-get", "install", "-y", "-q", "--no-install-recommends"]
    if run(cmd + packages, check=False, quiet=True, env=env).returncode:
        run(prefix + ["apt-get", "update", "-q"], quiet=True, env=env)
        run(cmd + packages, quiet=True, env=env)


def build_tools_missing(python_include=None):
    """The Debian packages pip needs to build Odoo's ``psycopg2`` (no wheel on
    PyPI): PostgreSQL's client headers, a C compiler, this Python's headers."""
    missing = []
    if not shutil.which("pg_config"):
        missing.append("libpq-dev")
    if not shutil.which("gcc"):
        missing.append("gcc")
    include = Path(python_include or sysconfig.get_paths()["include"])
    if not (include / "Python.h").exists():
        missing.append(f"python{sys.version_info.major}.{sys.version_info.minor}-dev")
    return missing


def ensure_system_tools(browser=True):
    """wkhtmltopdf (PDF reports), and Chromium for the browser tours (``browser``:
    the tests, not ``make run``), where missing."""
    missing = []
    if browser and not any(
        shutil.which(name) for name in ("google-chrome", "chromium", "chromium-browser")
    ):
        missing.append("chromium")
    if not shutil.which("wkhtmltopdf"):
        missing.append("wkhtmltopdf")
    apt_install(missing)


# ---------------------------------------------------------------------------
# 3. Virtualenv
# ---------------------------------------------------------------------------
def odoo_requirements(odoo_src):
    """Odoo's requirements.txt, minus what does not install on these machines.

    ``cbor2==5.4.2`` cannot build with current setuptools (5.6.2 has wheels and
    is the version Odoo pins for Python 3.12); ``python-ldap`` needs LDAP
    headers and only serves ``auth_ldap``.
    """
    lines = []
    for line in (odoo_src / "requirements.txt").read_text().splitlines():
        name = re.split(r"[=<>;\s\[]", line.strip(), maxsplit=1)[0].lower()
        if name == "python-ldap":
            continue
        if name == "cbor2":
            line = re.sub(r"cbor2==5\.4\.2", "cbor2==5.6.2", line)
        lines.append(line)
    return "\n".join(lines) + "\n"


def venv_python():
    return RUN / "venv" / "bin" / "python"


#: set when the setup runs again with another Python (never twice)
SWITCHED_PYTHON = "INVOICERA_SWITCHED_PYTHON"


def python_bounds(odoo_src):
    """(lowest, highest) (major, minor) Python the Odoo tree runs on."""
    text = (odoo_src / "odoo" / "__init__.py").read_text()
    return tuple(
        tuple(int(n) for n in re.search(rf"{name} = \((\d+), (\d+)\)", text).groups())
        for name in ("MIN_PY_VERSION", "MAX_PY_VERSION")
    )


def python_runs(python, version):
    """Whether ``python`` runs, is ``version`` (major, minor) and makes
    virtualenvs (Debian's ensurepip comes with python3.X-venv; a pyenv shim of
    a version not selected is on the PATH and fails)."""
    try:
        result = subprocess.run(
            [python, "-c", "import sys, ensurepip, venv; print('%s.%s' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == "%s.%s" % version


def supported_python(odoo_src, which=shutil.which, runs=python_runs):
    """The path of a Python on PATH that the Odoo tree runs on, the latest
    first (``python3.12``, then ``python3.11``...), else None."""
    (major, low), (_major, high) = python_bounds(odoo_src)
    for minor in range(high, low - 1, -1):
        found = which(f"python{major}.{minor}")
        if found and runs(found, (major, minor)):
            return found
    return None


def check_python(odoo_src, version=None):
    """Odoo 18.0 runs on the Pythons its tree names (odoo/__init__.py): its
    pinned requirements have no wheels for later ones (pip would compile them
    and fail). Refused with what to do."""
    version = tuple((version or sys.version_info)[:2])
    low, high = python_bounds(odoo_src)
    if not low <= version <= high:

        def shown(v):
            return ".".join(map(str, v))

        raise SetupError(
            f"Python {shown(version)} runs this setup; Odoo 18.0 needs Python "
            f"{shown(low)} to {shown(high)}. Install one (e.g. python3.12 and "
            f"python3.12-venv) and run: make PYTHON=python3.12 test"
        )


def ensure_venv(odoo_src):
    """Build ``.run/venv`` once per set of requirements; reuse it after."""
    try:
        check_python(odoo_src)
    except SetupError:
        # python3 is one Odoo does not run on (3.13 on Debian 13): the setup
        # runs again with one it does, where the machine has it
        other = None if os.environ.get(SWITCHED_PYTHON) else supported_python(odoo_src)
        if not other:
            raise
        log(f"Odoo 18.0 does not run on Python {sys.version.split()[0]}: using {other}")
        os.environ[SWITCHED_PYTHON] = other
        os.execv(other, [other, str(Path(__file__).resolve()), *sys.argv[1:]])
    requirements = odoo_requirements(odoo_src)
    ours = [
        ROOT / name for name in ("requirements.txt", "requirements-test.txt", "constraints.txt")
    ]
    digest = hashlib.sha256()
    digest.update(str(odoo_src).encode())
    digest.update((odoo_src / "odoo" / "release.py").read_bytes())
    digest.update(requirements.encode())
    digest.update(sys.version.encode())
    for path in ours:
        digest.update(path.read_bytes())
    stamp = RUN / "venv" / ".invoicera-stamp"
    python = venv_python()
    if python.exists() and stamp.exists() and stamp.read_text() == digest.hexdigest():
        return python
    apt_install(build_tools_missing())
    log("building the virtualenv .run/venv (Odoo 18.0 and every dependency)")
    started = time.monotonic()
    shutil.rmtree(RUN / "venv", ignore_errors=True)
    RUN.mkdir(exist_ok=True)
    run([sys.executable, "-m", "venv", RUN / "venv"])
    req_file = RUN / "odoo-requirements.txt"
    req_file.write_text(requirements)
    pip = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    run(pip + ["-r", req_file, "-c", ROOT / "constraints.txt"], quiet=True)
    # Editable in "compat" mode: a path entry to the tree, so that OCA addons
    # installed as wheels under site-packages/odoo/addons are found as well.
    run(
        pip + ["--no-deps", "--config-settings", "editable_mode=compat", "-e", odoo_src],
        quiet=True,
    )
    run(
        pip
        + ["-r", ROOT / "requirements.txt", "-r", ROOT / "requirements-test.txt"]
        + ["-c", ROOT / "constraints.txt"],
        quiet=True,
    )
    stamp.write_text(digest.hexdigest())
    log(f"virtualenv ready in {time.monotonic() - started:.0f} s")
    return python


# ---------------------------------------------------------------------------
# 4. PostgreSQL
# ---------------------------------------------------------------------------
PG_PROBE = """
import json, sys, psycopg2
params = json.loads(sys.argv[1])
try:
    conn = psycopg2.connect(dbname="postgres", connect_timeout=3, **params)
except psycopg2.Error as error:
    print(json.dumps({"error": str(error).strip()}))
else:
    with conn.cursor() as cr:
        cr.execute("SELECT current_user, current_setting('server_version')")
        user, version = cr.fetchone()
    print(json.dumps({"user": user, "version": version}))
"""


def probe_postgres(python, params):
    out = run([python, "-c", PG_PROBE, json.dumps(params)], quiet=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def as_postgres_user():
    """Prefix running a command as the ``postgres`` system user (we are root)."""
    runuser = shutil.which("runuser", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    if runuser is None:
        raise SetupError("runuser is missing: cannot run PostgreSQL as the postgres user.")
    return [runuser, "-u", "postgres", "--"]


def pg_bindir():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def others_may_enter(path):
    """Whether every existing folder down to ``path`` lets other users (the
    ``postgres`` user) through."""
    path = Path(path).resolve()
    for folder in (*reversed(path.parents), path):
        try:
            mode = folder.stat().st_mode
        except FileNotFoundError:
            break  # made by us, with the umask's rights
        if not mode & stat.S_IXOTH:
            return False
    return True


#: the home of Debian's postgres user, where a private cluster goes when the
#: clone is in a folder that user cannot enter
POSTGRES_HOME = Path("/var/lib/postgresql")


def private_cluster_paths(run_dir=RUN):
    run_dir = Path(run_dir)
    digest = hashlib.sha1(str(run_dir).encode()).hexdigest()[:10]
    if os.geteuid() == 0 and not others_may_enter(run_dir):
        # As root, the cluster runs as postgres, who cannot reach a clone in a
        # folder of root's only (/root, a mktemp -d): kept in postgres's own
        # home (Debian's packages make it), one per clone; not under /var/tmp,
        # whose files untouched for a month the system deletes.
        run_dir = POSTGRES_HOME / f"invoicera-pg-{digest}"
    sockdir = run_dir / "pgsock"
    if len(str(sockdir)) > 80:  # unix socket paths are limited to 107 bytes
        sockdir = Path(tempfile.gettempdir()) / f"invoicera-pg-{digest}"
    return run_dir / "pgdata", sockdir


def start_machine_cluster(etc=Path("/etc/postgresql")):
    """Start the machine's own PostgreSQL clusters (Debian's, ``pg_ctlcluster``,
    no systemd needed), installed but not running yet: whether one started.
    Only as root, who may; a running one is left as it is."""
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        return False
    started = False
    for conf in sorted(etc.glob("*/*/postgresql.conf")):
        version, cluster = conf.parent.parent.name, conf.parent.name
        log(f"starting the machine's PostgreSQL {version}/{cluster}")
        try:
            result = subprocess.run(
                ["pg_ctlcluster", version, cluster, "start"],
                capture_output=True,
                text=True,
                timeout=120,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        started = started or result.returncode == 0
    return started


def start_private_cluster(run_dir=RUN, port=5432):
    """Start (initialising if needed) a PostgreSQL cluster private to the clone.

    It listens on a unix socket only, so it never competes for a TCP port.
    PostgreSQL refuses to run as root: as root, the cluster runs as the
    ``postgres`` system user that Debian's packages create.
    """
    bindir = pg_bindir()
    if bindir is None:
        apt_install(["postgresql"])
        bindir = pg_bindir()
        if bindir is None:
            raise SetupError("PostgreSQL's server binaries are not installed.")
    datadir, sockdir = private_cluster_paths(run_dir)
    role = getpass.getuser()
    if role == "postgres":  # Odoo refuses to connect as postgres
        role = "odoo"
    as_owner = []
    if os.geteuid() == 0:
        as_owner = as_postgres_user()
    folders = [datadir, sockdir]
    if datadir.parent != Path(run_dir):
        folders.insert(0, datadir.parent)  # in postgres's home: its own
    for path in folders:
        path.mkdir(parents=True, exist_ok=True)
        if as_owner:
            shutil.chown(path, "postgres", "postgres")
    if not (datadir / "PG_VERSION").exists():
        log(f"initialising a private PostgreSQL cluster in {datadir}")
        run(
            as_owner
            + [
                bindir / "initdb",
                "-D",
                datadir,
                "-U",
                role,
                "--auth=trust",
                "-E",
                "UTF8",
            ]
            + ["--locale=C.UTF-8"],
            quiet=True,
        )
    status = run(as_owner + [bindir / "pg_ctl", "-D", datadir, "status"], check=False, quiet=True)
    if status.returncode != 0:
        log("starting the private PostgreSQL cluster")
        options = f"-k {sockdir} -c listen_addresses='' -p {port}"
        run(
            as_owner
            + [bindir / "pg_ctl", "-D", datadir, "-o", options, "-w", "-t", "60"]
            + ["-l", datadir / "server.log", "start"],
            quiet=True,
        )
    return {"host": str(sockdir), "port": port, "user": role}


def stop_private_cluster(run_dir=RUN):
    bindir = pg_bindir()
    datadir, _sockdir = private_cluster_paths(run_dir)
    if bindir and (datadir / "PG_VERSION").exists():
        as_owner = as_postgres_user() if os.geteuid() == 0 else []
        run(
            as_owner + [bindir / "pg_ctl", "-D", datadir, "-m", "fast", "stop"],
            check=False,
            quiet=True,
        )


def find_postgres(python, environ=None):
    """Connection parameters of a PostgreSQL server Odoo can use."""
    environ = os.environ if environ is None else environ
    tried = []
    # the machine's server; where it is installed but not running yet, started
    attempts = (False, True) if environ.get("INVOICERA_PG") != "private" else ()
    for start in attempts:
        if start and not start_machine_cluster():
            break
        for params in ({}, {"host": "127.0.0.1", "port": 5432}):
            where = "127.0.0.1:5432" if params else "PG* variables / local socket"
            found = probe_postgres(python, params)
            if "error" in found:
                tried.append(f"{where}: {found['error'].splitlines()[0]}")
                continue
            if found["user"] == "postgres":
                raise SetupError(
                    f"PostgreSQL at {where} connects as the role 'postgres', which "
                    "Odoo refuses; set PGUSER to another (superuser) role."
                )
            return dict(params, user=found["user"])
    try:
        params = start_private_cluster()
    except SetupError as error:
        tried.append(f"private cluster in {private_cluster_paths()[0]}: {error}")
        raise SetupError(
            "PostgreSQL is not reachable and a private cluster could not be started:\n  "
            + "\n  ".join(tried)
        ) from None
    found = probe_postgres(python, params)
    if "error" in found:
        raise SetupError(f"the private PostgreSQL cluster does not answer: {found['error']}")
    return params


# ---------------------------------------------------------------------------
# 5. Databases
# ---------------------------------------------------------------------------
DB_TOOL = """
import json, sys, psycopg2
from psycopg2 import sql
params, action, name, marker = json.loads(sys.argv[1])
conn = psycopg2.connect(dbname="postgres", **params)
conn.autocommit = True
cr = conn.cursor()
ident = sql.Identifier(name)
if action == "state":
    cr.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    )
    row = cr.fetchone()
    print(json.dumps({"exists": bool(row), "comment": row and row[0]}))
elif action == "create":
    cr.execute(
        sql.SQL("CREATE DATABASE {} ENCODING 'unicode' LC_COLLATE 'C' TEMPLATE template0")
        .format(ident)
    )
    cr.execute(sql.SQL("COMMENT ON DATABASE {} IS %s").format(ident), [marker])
    print("{}")
elif action == "drop":
    cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
    print("{}")
elif action == "query":
    db = psycopg2.connect(dbname=name, **params)
    with db.cursor() as dcr:
        dcr.execute(marker)
        print(json.dumps(dcr.fetchall(), default=str))
"""


def db_call(python, pg, action, name, arg=None):
    out = run([python, "-c", DB_TOOL, json.dumps([pg, action, name, arg])], quiet=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def db_owner(python, pg, name):
    """None if the database does not exist, else who created it."""
    state = db_call(python, pg, "state", name)
    if not state["exists"]:
        return None
    comment = state["comment"] or ""
    return comment[len(MARKER_PREFIX) :] if comment.startswith(MARKER_PREFIX) else "someone else"


def check_db_name(name):
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name):
        raise SetupError(f"{name!r} is not a valid database name (letters, digits, _ . -).")


def prepare_db(python, pg, name, purpose, drop_ours=False, reset=False):
    """Create the database ``name`` for ``purpose``, or keep it if it is ours.

    Returns True when the database was created by this call. A database that
    this tool did not create is never dropped unless ``reset`` is given.
    """
    check_db_name(name)
    owner = db_owner(python, pg, name)
    if owner is not None:
        if owner != purpose and not reset:
            made_by = "something else" if owner == "someone else" else f"'make {owner}'"
            raise SetupError(
                f"the database {name!r} already exists and was created by {made_by}; "
                f"nothing was changed. Pick another name ({_db_variable(purpose)}=...) "
                f"or drop it explicitly with RESET=1."
            )
        if owner == purpose and not (drop_ours or reset):
            return False
        log(f"dropping the database {name!r}")
        db_call(python, pg, "drop", name)
    log(f"creating the database {name!r}")
    db_call(python, pg, "create", name, MARKER_PREFIX + purpose)
    return True


def _db_variable(purpose):
    return {"run": "DB", "test": "TEST_DB", "test-upstream": "UPSTREAM_DB"}.get(purpose, "DB")


def db_query(python, pg, name, query):
    return db_call(python, pg, "query", name, query)


# ---------------------------------------------------------------------------
# Odoo configuration and commands
# ---------------------------------------------------------------------------
def write_config(path, odoo_src, pg, **options):
    lines = [
        "[options]",
        f"addons_path = {odoo_src}/odoo/addons,{odoo_src}/addons,{ROOT}",
        f"data_dir = {RUN / 'data'}",
        f"screenshots = {RUN / 'screenshots'}",
        f"db_host = {pg.get('host', False)}",
        f"db_port = {pg.get('port', False)}",
        f"db_user = {pg.get('user', False)}",
        "db_password = False",
        "list_db = False",
        "server_wide_modules = base,web,queue_job",
    ]
    lines += [f"{key} = {value}" for key, value in options.items()]
    lines += ["", "[queue_job]", "channels = root:2", ""]
    path.write_text("\n".join(lines))
    return path


def odoo_cmd(python, odoo_src, config, *args):
    return [python, odoo_src / "odoo-bin", "-c", config, *args]


def addons_digest():
    """A digest of the addons' sources, to upgrade a kept database when they change."""
    digest = hashlib.sha256()
    for addon in ADDONS:
        for path in sorted((ROOT / addon).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def log_tail(config, lines=60):
    """Where Odoo wrote its log with ``config``, and its last ``lines``: the
    test configuration logs to a file, which a CI run leaves in its clone."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config)
    logfile = parser.get("options", "logfile", fallback="")
    if not logfile or logfile.lower() == "false":
        return " Odoo's log is above."
    path = Path(logfile)
    tail = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
    return f" Odoo's log is {path}; it ends with:\n" + "\n".join(tail)


def install_addons(python, odoo_src, config, db, modules, extra=()):
    log(f"installing {', '.join(modules)} in {db!r}")
    started = time.monotonic()
    result = run(
        odoo_cmd(python, odoo_src, config, "-d", db, "-i", ",".join(modules))
        + ["--stop-after-init", "--log-level=warn", *extra],
        check=False,
    )
    if result.returncode:
        raise SetupError(f"installing the addons in {db!r} failed.{log_tail(config)}")
    log(f"installed in {time.monotonic() - started:.0f} s")


def load_demo_data(python, config, db, profile="demo", extra=()):
    log(f"loading the {profile} data of data/ into {db!r}")
    started = time.monotonic()
    run(
        [
            python,
            ROOT / "data" / "generate.py",
            "-c",
            config,
            "-d",
            db,
            "--profile",
            profile,
            *extra,
        ]
    )
    log(f"data loaded in {time.monotonic() - started:.0f} s")


def check_port_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            raise SetupError(
                f"port {port} is busy: another server (an Odoo already running?) "
                f"listens on it; stop it or choose another port: make run PORT=<port>."
            ) from None


def setup(environ=None, browser=True):
    """Steps 1 to 4: (odoo_src, python, pg). ``browser``: Chromium is needed."""
    odoo_src = find_odoo_src(environ)
    log(f"Odoo 18.0 sources: {odoo_src}")
    ensure_system_tools(browser=browser)
    python = ensure_venv(odoo_src)
    pg = find_postgres(python, environ)
    log(f"PostgreSQL: {pg.get('host', 'local socket')}:{pg.get('port', 5432)} as {pg['user']}")
    return odoo_src, python, pg


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def cmd_run(args):
    check_port_free(args.port)
    odoo_src, python, pg = setup(browser=False)
    config = write_config(
        RUN / "odoo.conf",
        odoo_src,
        pg,
        db_name=args.db,
        dbfilter=f"^{re.escape(args.db)}$",
        http_port=args.port,
        without_demo="all",
    )
    created = prepare_db(python, pg, args.db, "run", reset=args.reset)
    installed = not created and addons_installed(python, pg, args.db)
    if installed:
        check_filestore(args.db)
    update_addons(python, odoo_src, config, args.db, created=created, installed=installed)
    if not _param(python, pg, args.db, DEMO_LOADED_PARAM):
        load_demo_data(python, config, args.db, extra=["--translations"])
    logins = json.loads(_param(python, pg, args.db, DEMO_LOGINS_PARAM) or "{}")
    check_port_free(args.port)
    print()
    print(f"  Invoicera for Odoo: http://localhost:{args.port}")
    print("  Admin login:         admin / admin")
    for login, password in logins.get("portal", []):
        print(f"  Client (portal):     {login} / {password}")
    print("  Stop with Ctrl-C. Data stays in the database", repr(args.db))
    print(flush=True)
    os.execv(str(python), [str(c) for c in odoo_cmd(python, odoo_src, config, "-d", args.db)])


def update_addons(python, odoo_src, config, db, created, installed):
    """Bring the addons of the ``make run`` database ``db`` up to its clone's
    code: installed in a new one, the missing modules installed in a kept one
    (``installed``: all of them are), and the addons upgraded in a kept one
    built from other sources (Odoo's ``-i`` leaves installed modules as they
    are: a kept database missing a module, upgraded by ``-i`` alone, had old
    fields and data stamped as new)."""
    stamp = RUN / f"{db}.addons-digest"
    digest = addons_digest()
    if not installed:
        install_addons(python, odoo_src, config, db, ADDONS + EXTRA_MODULES)
    if not created and (not stamp.exists() or stamp.read_text() != digest):
        log("the addons changed since the database was built: upgrading them")
        run(
            odoo_cmd(python, odoo_src, config, "-d", db, "-u", ",".join(ADDONS))
            + ["--stop-after-init", "--log-level=warn"]
        )
    stamp.write_text(digest)


def check_filestore(db, data_dir=None):
    """A database kept by make run has its files (attachments, the assets'
    bundles, the apps' icons) in ``.run/data``: in another clone, or after
    ``.run`` was removed, they are gone, and Odoo would serve blank icons and
    fail on its assets. Refused with what to do."""
    filestore = (data_dir or RUN / "data") / "filestore" / db
    if not filestore.is_dir():
        raise SetupError(
            f"the database {db!r} is kept, but its files ({filestore}) are not here: "
            f"it was built from another clone, or .run/ was removed. Rebuild it with "
            f"RESET=1, or name another database with DB=."
        )


def addons_installed(python, pg, db):
    """True when the four addons and the extra modules (the demo payment
    provider) are installed in ``db`` (an Odoo database): a database built
    before a module joined them gets it installed."""
    if not db_query(python, pg, db, "SELECT to_regclass('ir_module_module') IS NOT NULL")[0][0]:
        return False
    modules = ADDONS + EXTRA_MODULES
    names = ", ".join(f"'{module}'" for module in modules)
    query = f"SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name IN ({names})"
    return db_query(python, pg, db, query)[0][0] == len(modules)


def _param(python, pg, db, key):
    if not re.fullmatch(r"[\w.]+", key):
        raise ValueError(key)
    rows = db_query(python, pg, db, f"SELECT value FROM ir_config_parameter WHERE key = '{key}'")
    return rows[0][0] if rows else None


def test_config(odoo_src, pg, db):
    return write_config(
        RUN / "odoo-test.conf",
        odoo_src,
        pg,
        db_name=db,
        dbfilter=f"^{re.escape(db)}$",
        without_demo="all",
        logfile=RUN / "test-odoo.log",
        log_level="warn",
    )


def cmd_test(args, paths=(*ADDONS, "tests"), env_extra=None):
    started = time.monotonic()
    odoo_src, python, pg = setup()
    config = test_config(odoo_src, pg, args.db)
    (RUN / "test-odoo.log").unlink(missing_ok=True)
    prepare_db(python, pg, args.db, "test", drop_ours=True, reset=args.reset)
    install_addons(python, odoo_src, config, args.db, ADDONS + EXTRA_MODULES)
    load_demo_data(python, config, args.db)
    log(f"test database ready in {time.monotonic() - started:.0f} s; running pytest")
    env = dict(os.environ, INVOICERA_ODOO_SRC=str(odoo_src), INVOICERA_PG=json.dumps(pg))
    env.update(env_extra or {})
    env.pop("PYTHONPATH", None)
    cmd = [
        python,
        "-m",
        "pytest",
        "-c",
        ROOT / "pytest.ini",
        "--rootdir",
        ROOT,
        f"--odoo-config={config}",
        f"--odoo-database={args.db}",
        "--odoo-http",
        "--odoo-log-level=warn",
        *paths,
        *args.pytest_args,
    ]
    result = run(cmd, check=False, cwd=ROOT, env=env)
    sys.exit(result.returncode)


def cmd_pot(args):
    """Rebuild each addon's i18n/<addon>.pot from a fresh test database."""
    odoo_src, python, pg = setup(browser=False)
    config = test_config(odoo_src, pg, args.db)
    prepare_db(python, pg, args.db, "test", drop_ours=True, reset=args.reset)
    install_addons(python, odoo_src, config, args.db, ADDONS)
    for addon in ADDONS:
        pot = ROOT / addon / "i18n" / f"{addon}.pot"
        run(
            odoo_cmd(python, odoo_src, config, "-d", args.db, "--modules", addon)
            + [f"--i18n-export={pot}", "--stop-after-init", "--log-level=warn"]
        )
        log(f"wrote {pot.relative_to(ROOT)}")


def cmd_benchmark(args):
    """The benchmarks of tests/benchmarks at the README's sizes, tables printed."""
    cmd_test(args, paths=("tests/benchmarks",), env_extra={"INVOICERA_BENCH": "full"})


def cmd_test_upstream(args):
    started = time.monotonic()
    odoo_src, python, pg = setup()
    config = write_config(
        RUN / "odoo-upstream.conf",
        odoo_src,
        pg,
        db_name=args.db,
        dbfilter=f"^{re.escape(args.db)}$",
        without_demo="False",
        logfile=RUN / "upstream-odoo.log",
        log_level="info",
    )
    prepare_db(python, pg, args.db, "test-upstream", drop_ours=True, reset=args.reset)
    suites = args.suites or list(UPSTREAM_SUITES)
    log(
        f"installing Odoo's {', '.join(suites)} with demo data and our addons, then "
        f"running their tests; Odoo's log: {RUN / 'upstream-odoo.log'}"
    )
    logfile = RUN / "upstream-odoo.log"
    logfile.unlink(missing_ok=True)
    result = run(
        odoo_cmd(python, odoo_src, config, "-d", args.db, "-i", ",".join([*suites, *ADDONS]))
        + ["--test-tags", ",".join(f"/{s}" for s in suites), "--stop-after-init"],
        check=False,
    )
    text = logfile.read_text(errors="replace") if logfile.exists() else ""
    failures = upstream_failures(text)
    known = known_upstream_failures()
    unexpected = sorted(failures - known)
    for name in sorted(failures & known):
        log(f"known failure of the stock core (tests/upstream/known_failures.txt): {name}")
    for name in sorted(known - failures):
        log(f"passes now, remove it from tests/upstream/known_failures.txt: {name}")
    for name in unexpected:
        log(f"FAILED: {name}")
    summary = re.findall(r"\d+ failed, \d+ error\(s\) of \d+ tests", text)
    log(f"Odoo's summary: {summary[0] if summary else 'none (did the install fail?)'}")
    minutes = (time.monotonic() - started) / 60
    log(f"finished in {minutes:.1f} min: {len(unexpected)} unexpected failure(s)")
    if result.returncode and not failures:
        sys.exit(result.returncode)  # the install itself failed
    sys.exit(1 if unexpected else 0)


def upstream_failures(log_text):
    """Names (``module:Class.test``) of the tests Odoo's log reports as failed."""
    found = re.findall(r"odoo\.addons\.(\w+)\.tests\.[\w.]+: (?:FAIL|ERROR): ([\w.]+)", log_text)
    return {f"{module}:{test}" for module, test in found}


def known_upstream_failures():
    """Failures of the stock core itself (tests/upstream/known_failures.txt)."""
    path = ROOT / "tests" / "upstream" / "known_failures.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def env_flag(name, environ=None):
    """The yes/no variable ``name`` (``RESET=1``): 1, true, yes or on is yes;
    unset, empty, 0, false, no or off is no; anything else is refused (a
    ``RESET=0`` read as "set" would drop the database)."""
    value = (os.environ if environ is None else environ).get(name, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise SetupError(f"{name}={value!r} is neither yes nor no: write {name}=1, or leave it out.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="set up and serve Odoo with the demo data")
    p_run.add_argument("--db", default=os.environ.get("DB") or "invoicera_demo")
    p_run.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8069))
    p_run.add_argument("--reset", action="store_true", default=None)
    p_test = sub.add_parser("test", help="fresh test database, then pytest")
    p_test.add_argument("--db", default=os.environ.get("TEST_DB") or "invoicera_test")
    p_test.add_argument("pytest_args", nargs="*")
    p_pot = sub.add_parser("pot", help="regenerate the addons' .pot files")
    p_pot.add_argument("--db", default=os.environ.get("TEST_DB") or "invoicera_test")
    p_bench = sub.add_parser("benchmark", help="fresh test database, then the benchmarks")
    p_bench.add_argument("--db", default=os.environ.get("TEST_DB") or "invoicera_test")
    p_bench.add_argument("pytest_args", nargs="*")
    p_up = sub.add_parser("test-upstream", help="Odoo's own suites with our addons installed")
    p_up.add_argument("--db", default=os.environ.get("UPSTREAM_DB") or "invoicera_upstream")
    p_up.add_argument("suites", nargs="*")
    args = parser.parse_args(argv)
    try:
        if getattr(args, "reset", None) is None:
            # every command: a database another tool made is dropped only then
            args.reset = env_flag("RESET")
        commands = {
            "run": cmd_run,
            "test": cmd_test,
            "benchmark": cmd_benchmark,
            "pot": cmd_pot,
            "test-upstream": cmd_test_upstream,
        }
        commands[args.command](args)
    except SetupError as error:
        print(f"\n[invoicera] ERROR: {error}\n", file=sys.stderr, flush=True)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
