from odoo import SUPERUSER_ID, api

from odoo.addons.invoicera_timesheet.hooks import recompute_billed_time_type


def migrate(cr, version):
    """Time billed here, recorded before 18.0.1.1.0, was "Non-Billable" in Odoo's reports."""
    if version:
        env = api.Environment(cr, SUPERUSER_ID, {})
        recompute_billed_time_type(env)
        env.flush_all()
