from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Items keep their source's quantity unrounded since 18.0.1.3.0 (an invoice
    line rounds their sum): the time to bill, recorded before, rounded entry by
    entry to the unit's precision, takes its timesheet's hours again."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    items = (
        env["invoicera.billable.item"]
        .with_context(active_test=False)
        .search([("source", "=", "time"), ("state", "!=", "invoiced")])
    )
    lines = env["account.analytic.line"].browse(items.mapped("source_id")).exists()
    lines._invoicera_sync_items()
