"""Every addon installs on an empty database and uninstalls cleanly.

Runs Odoo itself (odoo-bin) on a database of its own, created and dropped
here, the way an administrator installs and removes the addons.
"""

import subprocess
import sys

import devenv
import pytest

from odoo.tests.common import get_db_name
from odoo.tools import config

#: of its own, named after this run's test database: runs on other test
#: databases (CI beside a developer) do not drop each other's
DB = f"{get_db_name()}_install"

# Reverse order of dependency: the base last.
UNINSTALL_ORDER = [
    "invoicera_gateways",
    "invoicera_portal",
    "invoicera_timesheet",
    "invoicera_billing",
]


@pytest.fixture(scope="module")
def install_db(odoo_src, pg_params, venv_python):
    devenv.prepare_db(venv_python, pg_params, DB, "test", drop_ours=True)
    yield DB
    devenv.db_call(venv_python, pg_params, "drop", DB)


def odoo_bin(odoo_src, *args, command=(), stdin=None):
    """Run odoo-bin on the install database; returns the finished process, its log
    in ``stderr`` (shown on failure)."""
    cmd = [sys.executable, odoo_src / "odoo-bin", *command, "-c", config.rcfile, "-d", DB]
    cmd += ["--no-http", "--logfile=/dev/stderr", "--log-level=warn", *args]
    result = subprocess.run(
        [str(c) for c in cmd], input=stdin, capture_output=True, text=True, check=False
    )
    command_line = " ".join(map(str, cmd))
    assert result.returncode == 0, f"{command_line} failed:\n{result.stderr[-4000:]}"
    return result


def module_states(venv_python, pg_params):
    names = ", ".join(f"'{name}'" for name in devenv.ADDONS)
    rows = devenv.db_query(
        venv_python,
        pg_params,
        DB,
        f"SELECT name, state FROM ir_module_module WHERE name IN ({names})",
    )
    return dict(rows)


def leftovers(venv_python, pg_params, addon):
    """What an uninstalled addon left in the database."""
    return devenv.db_query(
        venv_python,
        pg_params,
        DB,
        f"SELECT model, name FROM ir_model_data WHERE module = '{addon}' "
        f"UNION ALL SELECT 'ir.ui.menu', name->>'en_US' FROM ir_ui_menu "
        f"WHERE web_icon LIKE '{addon},%'",
    )


def test_each_addon_installs_then_uninstalls_cleanly(install_db, odoo_src, pg_params, venv_python):
    for addon in devenv.ADDONS:
        log = odoo_bin(odoo_src, "-i", addon, "--stop-after-init", "--without-demo=all").stderr
        assert module_states(venv_python, pg_params)[addon] == "installed", addon
        # what an administrator reads in the log of the install: no warning of ours
        # (two fields of a model with the same label, a view, a field's definition...),
        # told apart by our names, not the database's on every line
        warnings = [
            line
            for line in log.splitlines()
            if " WARNING " in line and "invoicera" in line.replace(DB, "")
        ]
        assert warnings == [], f"{addon}: " + "\n".join(warnings)
    # a billing run's background job, as a run of several chunks leaves them
    odoo_bin(
        odoo_src,
        command=["shell"],
        stdin=(
            "run = env['invoicera.billing.run'].create({'invoice_date': '2026-03-31'})\n"
            "run.with_delay()._end_run()\n"
            # and a job of Odoo's, which stays
            "env.user.partner_id.with_delay().write({'comment': 'kept'})\n"
            # and an autopay charge waiting
            "env['account.move'].with_delay()._invoicera_autopay()\n"
            "env.cr.commit()\n"
        ),
    )
    assert devenv.db_query(venv_python, pg_params, DB, "SELECT count(*) FROM queue_job") == [[3]]
    for addon in UNINSTALL_ORDER:
        odoo_bin(
            odoo_src,
            command=["shell"],
            stdin=(
                f"env['ir.module.module'].search([('name', '=', '{addon}')])"
                ".button_immediate_uninstall()\n"
            ),
        )
        states = module_states(venv_python, pg_params)
        assert states[addon] == "uninstalled", f"{addon}: {states[addon]}"
        assert leftovers(venv_python, pg_params, addon) == [], f"{addon} left records behind"
    # Queue Jobs still opens every job (a run's, its model gone, raised KeyError)
    jobs = odoo_bin(
        odoo_src,
        command=["shell"],
        stdin="print('jobs:', sorted(j.records._name for j in env['queue.job'].search([])))\n",
    ).stdout
    assert "jobs: ['account.move', 'res.partner']" in jobs, jobs
    # the autopay charge is cancelled, not left to fail (its method gone)
    assert devenv.db_query(
        venv_python, pg_params, DB, "SELECT model_name, state FROM queue_job ORDER BY id"
    ) == [["res.partner", "pending"], ["account.move", "cancelled"]]
    # The base addon's groups and menus are gone with it.
    assert devenv.db_query(
        venv_python,
        pg_params,
        DB,
        "SELECT count(*) FROM res_groups "
        "WHERE name->>'en_US' IN ('Billing User', 'Billing Manager')",
    ) == [[0]]


def test_time_billed_before_an_uninstall_stays_billed_once_installed_again(
    install_db, odoo_src, pg_params, venv_python
):
    """Uninstalled, Invoicera Timesheet deletes its items; installed again, the
    time an invoice billed is invoiced (an expense or a delivery would otherwise
    be offered to bill again): its item comes back with its invoice line."""
    odoo_bin(odoo_src, "-i", "invoicera_timesheet", "--stop-after-init", "--without-demo=all")
    billed = odoo_bin(
        odoo_src,
        command=["shell"],
        stdin=(
            "client = env['res.partner'].create({'name': 'Acme', 'is_company': True})\n"
            "project = env['project.project'].create({'name': 'Site', 'partner_id': client.id,"
            " 'allow_billable': True, 'allow_timesheets': True})\n"
            "dev = env['hr.employee'].create({'name': 'Dev', 'invoicera_billing_rate': 90})\n"
            "env['account.analytic.line'].create({'project_id': project.id,"
            " 'employee_id': dev.id, 'unit_amount': 2, 'date': '2026-03-10', 'name': 'Work'})\n"
            "items = env['invoicera.billable.item'].search([('partner_id', '=', client.id)])\n"
            "print('invoiced:', items._invoice(env.company, '2026-03-31').amount_untaxed)\n"
            "env.cr.commit()\n"
        ),
    ).stdout
    assert "invoiced: 180.0" in billed, billed
    items = "SELECT source, state, invoice_line_id IS NOT NULL FROM invoicera_billable_item"
    odoo_bin(
        odoo_src,
        command=["shell"],
        stdin=(
            "env['ir.module.module'].search([('name', '=', 'invoicera_timesheet')])"
            ".button_immediate_uninstall()\n"
        ),
    )
    assert module_states(venv_python, pg_params)["invoicera_timesheet"] == "uninstalled"
    assert devenv.db_query(venv_python, pg_params, DB, items) == []
    odoo_bin(odoo_src, "-i", "invoicera_timesheet", "--stop-after-init", "--without-demo=all")
    assert devenv.db_query(venv_python, pg_params, DB, items) == [["time", "invoiced", True]]
