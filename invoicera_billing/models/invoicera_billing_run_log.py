from odoo import api, fields, models


class InvoiceraBillingRunLog(models.Model):
    """What a billing run did for one client."""

    _name = "invoicera.billing.run.log"
    _description = "Billing Run Log"
    _order = "run_id desc, status, id"

    run_id = fields.Many2one("invoicera.billing.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", "Client", required=True, index=True)
    status = fields.Selection(
        [
            ("invoiced", "Invoiced"),
            ("failed", "Failed"),
            ("skipped", "Skipped"),
            ("nothing", "Nothing to Bill"),
        ],
        required=True,
    )
    message = fields.Text()
    not_sent = fields.Boolean(
        readonly=True,
        help="The run sends its invoices by e-mail; this client's were not sent: "
        "it has no e-mail address, or its e-mail could not be made (the message "
        "says why).",
    )
    invoice_ids = fields.Many2many("account.move", string="Invoices")
    item_count = fields.Integer("Items")
    amount_total = fields.Monetary(compute="_compute_amount_total", currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_amount_total")

    _sql_constraints = [
        ("run_partner_uniq", "unique(run_id, partner_id)", "A run logs each client once."),
    ]

    @api.depends("invoice_ids.amount_total", "invoice_ids.state")
    def _compute_amount_total(self):
        # what the client is billed: not an invoice of the run cancelled since
        for log in self:
            invoices = log.invoice_ids.filtered(lambda m: m.state != "cancel")
            log.currency_id = invoices[:1].currency_id or log.company_id.currency_id
            log.amount_total = sum(
                invoices.filtered(lambda m, c=log.currency_id: m.currency_id == c).mapped(
                    "amount_total"
                )
            )
