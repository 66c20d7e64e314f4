from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    invoicera_promise_ids = fields.One2many(
        "invoicera.payment.promise", "invoice_id", string="Payment Promises"
    )
    invoicera_promised_date = fields.Date(
        "Promised Payment Date",
        compute="_compute_invoicera_promised_date",
        store=True,
        help="The client promised to pay by this date (portal); reminders wait until then.",
    )

    @api.depends("invoicera_promise_ids.promised_date", "invoicera_promise_ids.state")
    def _compute_invoicera_promised_date(self):
        for move in self:
            open_promises = move.invoicera_promise_ids.filtered(lambda p: p.state == "open")
            move.invoicera_promised_date = max(open_promises.mapped("promised_date"), default=False)

    def _invoicera_reminders_paused(self, day=None):
        """Invoices of ``self`` whose reminders wait for a promise to pay (public API)."""
        day = day or fields.Date.context_today(self)
        return self.filtered(
            lambda move: move.invoicera_promised_date and move.invoicera_promised_date >= day
        )
