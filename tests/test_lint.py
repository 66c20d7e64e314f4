"""Lint is part of the test command: ruff, and pylint-odoo's mandatory checks."""

import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BIN = Path(sys.executable).parent

ADDONS = [
    "invoicera_billing",
    "invoicera_timesheet",
    "invoicera_portal",
    "invoicera_gateways",
]


def run(*cmd):
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    return result.returncode, (result.stdout + result.stderr).strip()


def test_ruff_check():
    code, output = run(sys.executable, "-m", "ruff", "check", "--no-fix", ".")
    assert code == 0, f"ruff found problems:\n{output}"


def test_ruff_format():
    code, output = run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert code == 0, f"ruff format would change files (run `ruff format`):\n{output}"


def test_pylint_odoo_mandatory_checks():
    code, output = run(
        sys.executable,
        "-m",
        "pylint",
        "--rcfile=.pylintrc-mandatory",
        "--jobs=2",
        *ADDONS,
    )
    assert code == 0, f"pylint-odoo's mandatory checks failed:\n{output}"


def test_addon_readmes_are_generated_from_fragments():
    code, output = run(sys.executable, "tools/gen_readme.py", "--check")
    assert code == 0, output


def test_oca_module_checks():
    """XML, CSV and manifest checks that pylint-odoo 10 moved to oca-odoo-pre-commit-hooks."""
    code, output = run(str(BIN / "oca-checks-odoo-module"), *ADDONS)
    assert code == 0, f"oca-checks-odoo-module failed:\n{output}"


def test_oca_po_checks():
    translations = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("invoicera_*/i18n/*.po*"))
    code, output = run(str(BIN / "oca-checks-po"), "--disable=po-pretty-format", *translations)
    assert code == 0, f"oca-checks-po failed:\n{output}"
