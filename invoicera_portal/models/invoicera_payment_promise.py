from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date


class InvoiceraPaymentPromise(models.Model):
    """A client's promise to pay an overdue invoice by a date (from the portal).

    Staff see it on the invoice and in Billing ▸ Clients ▸ Payment Promises;
    reminders about the invoice stay paused until the promised date
    (``account.move._invoicera_reminders_paused``).
    """

    _name = "invoicera.payment.promise"
    _description = "Promise to Pay"
    _order = "promised_date desc, id desc"
    _check_company_auto = True

    invoice_id = fields.Many2one(
        "account.move", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(related="invoice_id.company_id", store=True)
    partner_id = fields.Many2one(
        "res.partner", "Client", related="invoice_id.commercial_partner_id", store=True
    )
    promised_by_id = fields.Many2one("res.partner", "Promised by", required=True)
    promised_date = fields.Date(required=True)
    note = fields.Text()
    amount_residual = fields.Monetary(related="invoice_id.amount_residual")
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken")],
        compute="_compute_state",
        store=True,
    )

    @api.depends("promised_date", "invoice_id.payment_state")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for promise in self:
            if promise.invoice_id.payment_state in ("paid", "in_payment"):
                promise.state = "kept"
            elif promise.promised_date < today:
                promise.state = "broken"
            else:
                promise.state = "open"

    @api.model
    def _cron_update_state(self):
        """Promises whose date passed without payment become broken."""
        self.search([("state", "=", "open")])._compute_state()

    @api.model
    def _check_promise(self, invoice, promised_date):
        """Raise ValidationError when ``invoice`` cannot be promised for ``promised_date``."""
        today = fields.Date.context_today(self)
        limit = invoice.company_id.invoicera_promise_max_days
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise ValidationError(_("Only a posted invoice can be promised."))
        if invoice.payment_state in ("paid", "in_payment", "reversed"):
            raise ValidationError(
                _("The invoice %(invoice)s is already paid.", invoice=invoice.name)
            )
        if not invoice.invoice_date_due or invoice.invoice_date_due >= today:
            raise ValidationError(
                _("The invoice %(invoice)s is not overdue.", invoice=invoice.name)
            )
        if not promised_date or promised_date < today:
            raise ValidationError(_("The promised date cannot be in the past."))
        # The limit counts from the first promise on the invoice: promising again
        # moves the date, it never pauses the reminders longer.
        first = min(invoice.invoicera_promise_ids.mapped("create_date"), default=False)
        if limit and first and (promised_date - first.date()).days > limit:
            raise ValidationError(
                _(
                    "The promised date must be within %(days)s days from your first "
                    "promise on %(invoice)s (%(date)s).",
                    days=limit,
                    invoice=invoice.name,
                    date=format_date(self.env, first.date()),
                )
            )
        if limit and (promised_date - today).days > limit:
            raise ValidationError(
                _(
                    "The promised date must be within %(days)s days from today.",
                    days=limit,
                )
            )
