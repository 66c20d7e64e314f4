from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    invoicera_run_id = fields.Many2one(
        "invoicera.billing.run", "Billing Run", readonly=True, copy=False, index="btree_not_null"
    )
    invoicera_item_count = fields.Integer(
        "Billed Items", compute="_compute_invoicera_item_count", compute_sudo=True
    )

    @api.depends("invoice_line_ids.invoicera_item_ids")
    def _compute_invoicera_item_count(self):
        counts = dict(
            self.env["invoicera.billable.item"]._read_group(
                [("invoice_id", "in", self.ids)], ["invoice_id"], ["__count"]
            )
        )
        for move in self:
            move.invoicera_item_count = counts.get(move, 0)

    def button_cancel(self):
        res = super().button_cancel()
        self.filtered(lambda m: m.state == "cancel")._invoicera_release_items()
        return res

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # A credit note for the whole of an invoice gives the invoice's items
        # back to unbilled; a partial one leaves them invoiced (README).
        refunds = posted.filtered(lambda m: m.move_type == "out_refund" and m.reversed_entry_id)
        for refund in refunds:
            invoice = refund.reversed_entry_id
            if not refund.currency_id.compare_amounts(refund.amount_total, invoice.amount_total):
                invoice._invoicera_release_items()
        return posted

    def _invoicera_release_items(self):
        self.sudo().invoice_line_ids.invoicera_item_ids._release()

    def action_view_invoicera_items(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "invoicera_billing.action_invoicera_billable_item"
        )
        action["domain"] = [("invoice_id", "=", self.id)]
        action["context"] = {"search_default_invoiced": 1}
        return action
