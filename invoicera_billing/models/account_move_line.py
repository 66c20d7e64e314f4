from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    invoicera_item_ids = fields.One2many(
        "invoicera.billable.item", "invoice_line_id", string="Billed Items", readonly=True
    )

    def unlink(self):
        # A line removed from a draft invoice gives its items back to unbilled.
        self.sudo().invoicera_item_ids._release()
        return super().unlink()
