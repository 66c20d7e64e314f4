from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Before 18.0.1.4.0, every delivery validated for a sold project was taken
    for its order's, though Odoo puts on the order only those of an operation
    type with Analytic Costs and a product re-invoiced: the others, billed by
    nobody, are billed here now (those on an order line stay the order's)."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    flagged = env["stock.move"].search([("invoicera_sold_project", "=", True)])
    unflag = flagged - flagged._invoicera_reinvoiced_on_order()
    if unflag:
        unflag.write({"invoicera_sold_project": False})
        unflag._invoicera_project_moves()._invoicera_sync_items()
        env.flush_all()
