import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount, str2bool

_logger = logging.getLogger(__name__)

#: payment states of an open invoice that the client may pay online, as Odoo's
#: invoice page offers it: not one whose payment staff blocked (Action ▸
#: (Un)Block Payment), nor one paid outside Odoo before Invoicing (legacy)
PAYABLE_STATES = ("not_paid", "partial")
#: a draft online payment of an invoice started less than this many hours ago
#: is under way at the gateway (autopay waits); an older one was left
PAYING_ONLINE_HOURS = 24


class AccountMove(models.Model):
    _inherit = "account.move"

    invoicera_promise_ids = fields.One2many(
        "invoicera.payment.promise",
        "invoice_id",
        string="Payment Promises",
        groups="invoicera_billing.group_billing_user",
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

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        to_charge = posted.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.commercial_partner_id.sudo().invoicera_autopay_token_id
        )
        for invoice in to_charge:
            # After the commit, in a job: a card is never charged for an invoice
            # whose posting is rolled back.
            invoice.with_delay(
                description=_("Autopay %(invoice)s", invoice=invoice.name),
                identity_key=f"invoicera_autopay_{invoice.id}",
            )._invoicera_autopay()
        return posted

    @api.model
    def _invoicera_online_payment_enabled(self):
        """Whether invoices are paid online (Settings ▸ Invoicing ▸ Invoice Online
        Payment), as Odoo's invoice page asks."""
        # sudo: a setting, read by portal users too
        return str2bool(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("account_payment.enable_portal_payment", "False")
        )

    def _invoicera_payable_online(self):
        """Whether the client may pay this open invoice online now (not blocked)."""
        self.ensure_one()
        return self.payment_state in PAYABLE_STATES and self._invoicera_online_payment_enabled()

    def _invoicera_being_paid(self):
        """The invoices of ``self`` being paid online: a payment the provider has
        not confirmed yet, or confirmed but not recorded yet. As Odoo's invoice
        page (``_has_to_be_paid``), the portal offers no payment of them."""
        # sudo: transactions are not readable in the portal; their states only
        return self.filtered(
            lambda invoice: invoice.sudo().transaction_ids.filtered(
                lambda tx: (
                    tx.state in ("pending", "authorized")
                    and tx.provider_code not in ("none", "custom")
                )
                or (tx.state == "done" and not tx.is_post_processed)
            )
        )

    def _invoicera_check_not_being_paid(self):
        """Refuse to pay the invoices of ``self`` while a payment of some of them
        is under way (``_invoicera_being_paid``), naming those."""
        being_paid = self._invoicera_being_paid()
        if being_paid:
            raise ValidationError(
                _(
                    "A payment of %(invoices)s is under way: wait for it, "
                    "or pay the other invoices without it.",
                    invoices=", ".join(being_paid.mapped("name")),
                )
            )

    def _invoicera_lock_for_payment(self):
        """Hold the invoices of ``self`` until this transaction ends: a payment
        of them is about to be made (a saved card is charged at once).

        A second request paying them (a double submit, a second tab) waits,
        then fails to serialize and is retried by Odoo, seeing the first's
        payment under way (``_invoicera_being_paid``). An UPDATE, not a mere
        row lock: at Odoo's isolation level (repeatable read) a row only
        locked by a transaction committed since this one began is locked
        again without an error, and this one would not see that payment.
        """
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET write_date = write_date WHERE id IN %s",
                    tuple(self.ids),
                )
            )

    def _invoicera_amount_to_pay(self):
        """What paying this open invoice in full costs today: while it is in its
        early payment discount period, its discounted amount (the amount Odoo's
        invoice page offers, and for which recording the payment writes the
        discount off); else what it owes."""
        self.ensure_one()
        terms = self._get_invoice_next_payment_values()
        if terms.get("installment_state") == "epd":
            return terms["amount_due"]
        return self.amount_residual

    def _invoicera_autopay(self):
        """Charge the client's autopay payment method for what this invoice owes.

        Job entry point. Does nothing for an invoice paid (or being paid) in
        the meantime; a refused charge is noted on the invoice.
        """
        self.ensure_one()
        # the client paying it in the portal at this moment (or another job)
        # waits, and sees this charge; or this job fails to serialize and is
        # retried by queue_job, seeing theirs
        self._invoicera_lock_for_payment()
        token = self.commercial_partner_id.sudo().invoicera_autopay_token_id
        if self.state == "posted" and self.payment_state == "blocked":
            # Staff hold its payment (a dispute...): no card is charged for it.
            self.message_post(
                body=_(
                    "Automatic payment skipped: the payment of this invoice is blocked. "
                    "Once unblocked, the client pays it from the portal."
                )
            )
            return self.env["payment.transaction"]
        if (
            not token
            or self.state != "posted"
            or self.payment_state not in PAYABLE_STATES
            # a payment under way (by any provider: a wire transfer announced
            # too), or confirmed and not matched with what it pays (not recorded
            # yet, or unmatched: the invoice reset and posted again); one matched
            # (an order's deposit the invoice carries) leaves what it owes to charge
            or self.transaction_ids.filtered(
                lambda tx: tx.state in ("pending", "authorized")
                or (
                    tx.state == "done"
                    and not (tx.is_post_processed and tx.payment_id.is_reconciled)
                )
            )
        ):
            return self.env["payment.transaction"]
        if not self._invoicera_online_payment_enabled():
            self.message_post(
                body=_(
                    "Automatic payment skipped: invoices are not paid online (Settings ▸ "
                    "Invoicing ▸ Invoice Online Payment is off)."
                )
            )
            return self.env["payment.transaction"]
        # sudo: transactions are read for this invoice only
        since = fields.Datetime.now() - timedelta(hours=PAYING_ONLINE_HOURS)
        paying_online = self.sudo().transaction_ids.filtered(
            lambda tx: tx.state == "draft"
            and tx.operation in ("online_redirect", "online_direct", "online_token")
            and tx.create_date >= since
        )
        if paying_online:
            # The client is paying it in the portal (at the payment provider, which
            # has not answered yet): charging the card as well would make the
            # client pay it twice. A payment started longer ago was left (the
            # gateways' checkout pages expire within a day): autopay charges.
            self.message_post(
                body=_(
                    "Automatic payment skipped: the client is paying this invoice online "
                    "(transaction %(reference)s).",
                    reference=", ".join(paying_online.mapped("reference")),
                )
            )
            return self.env["payment.transaction"]
        owner = token.partner_id
        stopped = self.commercial_partner_id._invoicera_autopay_stopped()
        if stopped:
            client = self.commercial_partner_id.display_name
            method, name = token.display_name, owner.display_name
            self.message_post(
                body={
                    "removed": _(
                        "Automatic payment skipped: %(method)s, the payment method of "
                        "%(owner)s it used, was removed. The client turns automatic "
                        "payment on again from the portal.",
                        method=method,
                        owner=name,
                    ),
                    "moved": _(
                        "Automatic payment skipped: %(method)s belongs to %(owner)s, no "
                        "longer a contact of %(client)s. The client turns automatic "
                        "payment on again from the portal.",
                        method=method,
                        owner=name,
                        client=client,
                    ),
                    "no_access": _(
                        "Automatic payment skipped: %(owner)s, who saved %(method)s, no "
                        "longer has access to the portal. The client turns automatic "
                        "payment on again from the portal.",
                        method=method,
                        owner=name,
                    ),
                }[stopped]
            )
            return self.env["payment.transaction"]
        if not owner._invoicera_can_pay_in_company(self.company_id):
            # As Odoo's portal, which would not let its owner pay this invoice
            # either: a contact registered with another company pays its own.
            self.message_post(
                body=_(
                    "Automatic payment skipped: %(owner)s, who saved %(method)s, is "
                    "registered with %(own)s and, as in the portal, cannot pay invoices of "
                    "%(company)s.",
                    method=token.display_name,
                    owner=owner.display_name,
                    own=owner.company_id.name,
                    company=self.company_id.name,
                )
            )
            return self.env["payment.transaction"]
        provider = token.provider_id
        if not provider.filtered_domain(provider._check_company_domain(self.company_id)):
            # The payment would be recorded in the provider's company, never on
            # this invoice: the client would be charged and still owe it.
            self.message_post(
                body=_(
                    "Automatic payment skipped: %(method)s cannot pay invoices of %(company)s.",
                    method=token.display_name,
                    company=self.company_id.name,
                )
            )
            return self.env["payment.transaction"]
        amount = self._invoicera_amount_to_pay()
        report = {}
        compatible = provider._get_compatible_providers(
            self.company_id.id, owner.id, amount, currency_id=self.currency_id.id, report=report
        )
        if provider not in compatible:
            # As Odoo's payment form, which would not offer it for this invoice: a
            # provider set up for other currencies, countries or smaller amounts.
            reason = report.get("providers", {}).get(provider, {}).get("reason")
            self.message_post(
                body=_(
                    "Automatic payment skipped: %(method)s cannot pay this invoice "
                    "(%(provider)s: %(reason)s).",
                    method=token.display_name,
                    provider=provider.name,
                    reason=reason or _("not available"),
                )
            )
            return self.env["payment.transaction"]
        tx_sudo = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": token.provider_id.id,
                    "payment_method_id": token.payment_method_id.id,
                    "reference": self.env["payment.transaction"]
                    .sudo()
                    ._compute_reference(token.provider_id.code, prefix=self.name),
                    "amount": amount,
                    "currency_id": self.currency_id.id,
                    "partner_id": token.partner_id.id,
                    "token_id": token.id,
                    "operation": "offline",
                    "invoice_ids": [fields.Command.set(self.ids)],
                }
            )
        )
        try:
            tx_sudo._send_payment_request()
        except (UserError, ValidationError) as error:
            _logger.info("Autopay of %s refused: %s", self.name, error)
            if getattr(error, "invoicera_outcome_unknown", False):
                # The gateway's answer could not be read (a provider says so on its
                # error): the card may have been charged, which its dashboard tells.
                # Pending, the transaction waits for the gateway's notification,
                # and the invoice is not charged again meanwhile (posted again).
                tx_sudo._set_pending(state_message=error.args[0])
                body = _("Automatic payment not confirmed: %(reason)s", reason=error.args[0])
            else:
                body = _("Automatic payment refused: %(reason)s", reason=error.args[0])
            self.message_post(body=body)
            return tx_sudo
        if tx_sudo.state == "done":
            # The card is charged: the transaction must stay, whatever happens
            # recording its payment (a job that fails is rolled back, then retried
            # or requeued: the card was charged again). What cannot be recorded
            # now is left to Odoo's post-processing, which retries it.
            try:
                with self.env.cr.savepoint():
                    tx_sudo._post_process()
            except Exception as error:
                _logger.warning("Autopay of %s: payment not recorded yet: %s", self.name, error)
                self.message_post(
                    body=_(
                        "Automatic payment %(reference)s charged %(amount)s, but its payment "
                        "could not be recorded on this invoice yet: %(reason)s. Odoo retries "
                        "recording it; the card is not charged again.",
                        reference=tx_sudo.reference,
                        amount=format_amount(self.env, tx_sudo.amount, tx_sudo.currency_id),
                        reason=error.args[0] if error.args else str(error),
                    )
                )
        elif tx_sudo.state in ("error", "cancel"):
            self.message_post(
                body=_(
                    "Automatic payment refused: %(reason)s",
                    reason=tx_sudo.state_message or tx_sudo.state,
                )
            )
        return tx_sudo

    def _invoicera_open_instalments(self):
        """{invoice id: [(due date, open amount), ...], earliest first}: the open
        instalments of the invoices ``self``, in one query.

        An invoice's ``invoice_date_due`` is its last instalment's due date (Odoo
        takes the latest maturity of its payment terms); as Odoo's aged receivable
        and follow-ups, what is overdue or due next goes by each receivable line
        (``display_type`` payment_term) not reconciled yet, with its own
        ``date_maturity`` and ``amount_residual_currency`` (in the invoice's
        currency: positive for an invoice, negative for a credit note). An
        invoice with nothing open is left out.
        """
        if not self:
            return {}
        # sudo: portal users may not read journal items; the lines read are those
        # of the invoices ``self`` only, which the callers searched as the user
        # (record rules applied) or for the client whose pages these are.
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("move_id", "in", self.ids),
                    ("display_type", "=", "payment_term"),
                    ("reconciled", "=", False),
                ],
                ["move_id", "date_maturity:day"],
                ["amount_residual_currency:sum"],
            )
        )
        result = {}
        for move, day, amount in groups:
            if move.currency_id.is_zero(amount):
                continue
            result.setdefault(move.id, []).append((day or move.invoice_date_due, amount))
        for instalments in result.values():
            instalments.sort(key=lambda instalment: instalment[0])
        return result

    def _invoicera_reminders_paused(self, day=None):
        """Invoices of ``self`` whose reminders wait for a promise to pay on ``day``
        (public API); by default today, in the time zone of each invoice's company,
        as promises are judged."""
        Promise = self.env["invoicera.payment.promise"]
        return self.filtered(
            lambda move: move.invoicera_promised_date
            and move.invoicera_promised_date >= (day or Promise._today(move.company_id))
        )
