from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date


class InvoiceraPaymentPromise(models.Model):
    """A client's promise to pay an overdue invoice by a date (from the portal): one
    with an open instalment past due.

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
    due_date = fields.Date(
        "For Instalments Due By",
        readonly=True,
        help="The promise is for the instalments of the invoice overdue when it was "
        "made (those due by this date): kept when they are paid by the date promised.",
    )
    note = fields.Text()
    amount_residual = fields.Monetary(related="invoice_id.amount_residual")
    currency_id = fields.Many2one(related="invoice_id.currency_id")
    state = fields.Selection(
        [
            ("open", "Open"),
            ("kept", "Kept"),
            ("broken", "Broken"),
            ("replaced", "Replaced"),
            ("cancelled", "Cancelled"),
        ],
        compute="_compute_state",
        store=True,
        help="Replaced: the client promised again on this invoice, which moved the date.\n"
        "Cancelled: a credit note reversed the whole invoice, or it was cancelled: "
        "nothing is left to pay.\n"
        "Dates are those of the company's time zone.",
    )

    @api.model
    def _today(self, company, timestamp=None):
        """The day it is (or of ``timestamp``, UTC) in the time zone of ``company``
        (its address's; UTC if it has none): the day promises of its invoices are
        judged by, whoever computes them (a nightly job as OdooBot, staff or a
        client elsewhere in the world)."""
        # sudo: the company's time zone, read by portal users too
        tz = company.sudo().partner_id.tz or "UTC"
        return fields.Date.context_today(self.with_context(tz=tz), timestamp)

    @api.model_create_multi
    def create(self, vals_list):
        invoices = self.env["account.move"].browse(
            [vals["invoice_id"] for vals in vals_list if "due_date" not in vals]
        )
        overdue = self._overdue_days(invoices)
        for vals in vals_list:
            if "due_date" not in vals and overdue.get(vals["invoice_id"]):
                vals["due_date"] = max(overdue[vals["invoice_id"]])
        return super().create(vals_list)

    @api.model
    def _overdue_days(self, invoices, today=None, instalments=None):
        """{invoice id: the due dates of its instalments overdue (open and past
        due on ``today``, else in its company's day)}, for those with one.
        ``instalments``: what ``invoices._invoicera_open_instalments()`` gives,
        when already read."""
        if instalments is None:
            instalments = invoices._invoicera_open_instalments()
        result = {}
        days = {}
        wanted = set(invoices.ids)
        for invoice_id, open_instalments in instalments.items():
            if invoice_id not in wanted:
                continue
            company = invoices.browse(invoice_id).company_id
            if company not in days:
                days[company] = today or self._today(company)
            due = [day for day, _amount in open_instalments if day < days[company]]
            if due:
                result[invoice_id] = due
        return result

    @api.depends(
        "promised_date",
        "due_date",
        "invoice_id.state",
        "invoice_id.payment_state",
        "invoice_id.line_ids.reconciled",
        "invoice_id.invoicera_promise_ids",
    )
    def _compute_state(self):
        today_by_company = {}
        for promise in self:
            company = promise.invoice_id.company_id
            if company not in today_by_company:
                today_by_company[company] = self._today(company)
            today = today_by_company[company]
            replacing = promise._replacing_promises()
            if replacing.filtered(lambda later, p=promise: later.due_date == p.due_date):
                promise.state = "replaced"
            elif (
                promise.invoice_id.state == "cancel"
                or promise.invoice_id.payment_state == "reversed"
            ):
                promise.state = "cancelled"
            elif not promise._promised_lines().filtered(lambda line: not line.reconciled):
                # kept when what was promised (the instalments overdue then) was
                # paid by the date promised; paid later, it was broken
                paid_on = promise._paid_on()
                promise.state = (
                    "kept" if not paid_on or paid_on <= promise.promised_date else "broken"
                )
            elif replacing:
                # promised again for these instalments and the ones fallen due since
                promise.state = "replaced"
            elif promise.promised_date < today:
                promise.state = "broken"
            else:
                promise.state = "open"

    def _replacing_promises(self):
        """The promises the client made again on the invoice while this one was
        open (by its date), for its instalments (and maybe others fallen due
        since): promising again moves the date. A promise broken before stays
        broken; one for the same instalments replaces it even once paid, one
        also for later instalments only while they are unpaid (kept, it stays
        kept)."""
        self.ensure_one()
        origin_id = self._origin.id
        company = self.invoice_id.company_id
        if not origin_id:
            return self.browse()
        return self.invoice_id.invoicera_promise_ids.filtered(
            lambda later: later._origin.id > origin_id
            and (not self.due_date or not later.due_date or later.due_date >= self.due_date)
            and later.create_date
            and self._today(company, later.create_date) <= self.promised_date
        )

    def _promised_lines(self):
        """The receivable lines of the instalments this promise is for: those
        due by its ``due_date`` (all of them for a promise of before it)."""
        self.ensure_one()
        # sudo: the invoice's journal items, read for this invoice only
        return self.invoice_id.sudo().line_ids.filtered(
            lambda line: line.display_type == "payment_term"
            and (
                not self.due_date
                or (line.date_maturity or self.invoice_id.invoice_date_due) <= self.due_date
            )
        )

    def _paid_on(self):
        """The day the invoice of this promise (paid) was paid: the date of its last
        reconciliation (a payment's date, or the invoice's if later), not counting
        the exchange differences Odoo books (maybe later, after a lock date)."""
        self.ensure_one()
        # sudo: the invoice's journal items and reconciliations, read for this
        # invoice only (the promise's state is seen by staff)
        lines = self._promised_lines()
        partials = lines.matched_credit_ids | lines.matched_debit_ids
        exchange_moves = partials.exchange_move_id | partials.full_reconcile_id.exchange_move_id
        payments = partials.filtered(
            lambda partial: not (
                (partial.debit_move_id.move_id | partial.credit_move_id.move_id) & exchange_moves
            )
        )
        return max(payments.mapped("max_date"), default=False)

    @api.model
    def _cron_update_state(self):
        """Promises whose date passed without payment become broken."""
        self.search([("state", "=", "open")])._compute_state()

    @api.model
    def _check_promise(self, invoice, promised_date):
        """Raise ValidationError when ``invoice`` cannot be promised for ``promised_date``
        (a day of the time zone of the invoice's company, see :meth:`_today`)."""
        today = self._today(invoice.company_id)
        limit = invoice.company_id.invoicera_promise_max_days
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise ValidationError(_("Only a posted invoice can be promised."))
        if invoice.payment_state in ("paid", "in_payment", "reversed"):
            raise ValidationError(
                _("The invoice %(invoice)s is already paid.", invoice=invoice.name)
            )
        # overdue: an open instalment is past due (invoice_date_due is the last one's)
        instalments = invoice._invoicera_open_instalments().get(invoice.id)
        if not instalments or instalments[0][0] >= today:
            raise ValidationError(
                _("The invoice %(invoice)s is not overdue.", invoice=invoice.name)
            )
        if not promised_date or promised_date < today:
            raise ValidationError(_("The promised date cannot be in the past."))
        firsts = self._first_promise_days(invoice)
        last = self._last_promise_days(invoice, today, firsts).get(invoice.id)
        if not last or promised_date <= last:
            return
        first = firsts.get(invoice.id)
        if last < today:
            raise ValidationError(
                _(
                    "%(invoice)s was first promised on %(date)s: a new promise could not "
                    "be later than %(last)s. Please pay it, or contact us.",
                    invoice=invoice.name,
                    date=format_date(self.env, first),
                    last=format_date(self.env, last),
                )
            )
        if first and last < today + timedelta(days=limit):
            raise ValidationError(
                _(
                    "The promised date must be within %(days)s days from your first "
                    "promise on %(invoice)s (%(date)s).",
                    days=limit,
                    invoice=invoice.name,
                    date=format_date(self.env, first),
                )
            )
        raise ValidationError(
            _("The promised date must be within %(days)s days from today.", days=limit)
        )

    @api.model
    def _first_promise_days(self, invoices, today=None, instalments=None):
        """{invoice id: the day (its company's time zone) of its first promise for
        the instalments overdue now}: an instalment falling due later is promised
        anew once the instalments promised before it are paid."""
        overdue = self._overdue_days(invoices, today, instalments)
        groups = self.sudo()._read_group(
            [("invoice_id", "in", invoices.ids)],
            ["invoice_id", "due_date:day"],
            ["create_date:min"],
        )
        firsts = {}
        for invoice, due, first in groups:
            # a promise for instalments all paid since (due before the first
            # one still overdue) does not count: one still unpaid does
            if due and invoice.id in overdue and due < min(overdue[invoice.id]):
                continue
            day = self._today(invoice.company_id, first)
            firsts[invoice.id] = min(firsts.get(invoice.id, day), day)
        return firsts

    @api.model
    def _last_promise_days(self, invoices, today=None, firsts=None, instalments=None):
        """{invoice id: the latest date a new promise on it may name}, for the invoices
        whose company sets a limit: that many days from today (``today``, else the
        day in the time zone of the invoice's company), and from the invoice's
        first promise (promising again moves the date, it never pauses reminders
        longer). A date before today: no new promise is possible. ``firsts``: what
        :meth:`_first_promise_days` gives for ``invoices``, when already read;
        ``instalments``: their open instalments, when already read."""
        if firsts is None:
            firsts = self._first_promise_days(invoices, today, instalments)
        result = {}
        days = {}  # {company: its day}, asked once per company (a dashboard lists 50)
        for invoice in invoices:
            company = invoice.company_id
            limit = company.invoicera_promise_max_days
            if not limit:
                continue
            if company not in days:
                days[company] = today or self._today(company)
            last = days[company] + timedelta(days=limit)
            if invoice.id in firsts:
                last = min(last, firsts[invoice.id] + timedelta(days=limit))
            result[invoice.id] = last
        return result
