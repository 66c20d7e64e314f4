from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """A credit note's reversal is no cost of its own since 18.0.1.3.0 (it gives
    back the bill the credit note credited): its items not invoiced are
    withdrawn, and that bill is billed as it now stands."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    reversals = env["account.move"].search(
        [("move_type", "=", "in_invoice"), ("reversed_entry_id.move_type", "=", "in_refund")]
    )
    reversals.invoice_line_ids._invoicera_sync_items()
    reversals._invoicera_sync_vendor_costs()
