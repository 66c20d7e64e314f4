import logging
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import psycopg2
from psycopg2.errors import LockNotAvailable

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from ..gateways import GATEWAYS, GatewayEvent
from ..gateways.base import (
    UNREADABLE_ANSWER,
    GatewayMisconfigured,
    GatewayRefused,
    GatewayUnavailable,
    log_unreadable_answer,
)

_logger = logging.getLogger(__name__)

#: a payment pending this long is asked about at its gateway (its notification
#: may be lost, or the gateway sends none for it: Braintree's cards, iyzico's
#: fraud reviews), until it is this old
PENDING_ASKED_AFTER = timedelta(minutes=30)
PENDING_ASKED_UNTIL = timedelta(days=30)
#: asked again at the cron's next run (every 30 minutes): a run starts a minute
#: or so after its time and stamps what it asked later still
PENDING_ASKED_AGAIN = timedelta(minutes=20)
#: payments asked about per run of the cron (it runs again at once for more)
PENDING_ASKED_PER_RUN = 50
#: what asking a gateway may find that staff must act on (as its notification would)
ASKED_PROBLEMS = ("mismatch", "conflict", "held")


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    invoicera_retry = fields.Boolean(
        string="Retry Charge",
        readonly=True,
        help="The gateway could not be reached when charging the saved payment method;"
        " Odoo's payment post-processing retries with the same idempotency key.",
    )
    invoicera_status_asked_at = fields.Datetime(
        string="Status Asked On",
        readonly=True,
        copy=False,
        help="When its gateway was last asked about this pending payment.",
    )
    invoicera_held_reported = fields.Char(
        readonly=True,
        copy=False,
        help="What the gateway said it holds of the client's money for this payment,"
        " as told to staff on the invoice (once).",
    )
    invoicera_amount_mismatch = fields.Boolean(
        readonly=True,
        help="A notification reported another amount or currency: the transaction is"
        " in error and no later notification can confirm it.",
    )
    invoicera_write_off_vals = fields.Json(
        string="Write-off Kept",
        readonly=True,
        copy=False,
        help="The write-off (Mark as fully paid) or early payment discounts chosen in"
        " Register Payment for the payment Odoo cancelled as this charge was not done"
        " at once: the payment made once the charge is collected carries them.",
    )

    # -- redirect flow ----------------------------------------------------------

    def _get_specific_rendering_values(self, processing_values):
        values = super()._get_specific_rendering_values(processing_values)
        if self.provider_code not in GATEWAYS:
            return values
        gateway = self.provider_id._invoicera_gateway()
        try:
            checkout = gateway.create_checkout(
                self,
                self.provider_id._invoicera_url("return"),
                self.provider_id._invoicera_url("webhook"),
            )
        except UNREADABLE_ANSWER as error:
            # a clear message rather than a server error for the client
            log_unreadable_answer(gateway, "checkout", self.reference, error)
            raise ValidationError(
                _(
                    "%(gateway)s gave an answer that could not be read, so the payment could"
                    " not be started. Please try again later. Administrators: check the"
                    " server URL and the keys in the payment provider's settings.",
                    gateway=gateway.name,
                )
            ) from error
        if checkout.provider_reference:
            self.provider_reference = checkout.provider_reference
        url, params = checkout.url, dict(checkout.params)
        if checkout.method.upper() == "GET":
            # Browsers drop the query string of a GET form's action: pass it as inputs.
            parts = urlsplit(url)
            params = {**dict(parse_qsl(parts.query)), **params}
            url = urlunsplit(parts._replace(query=""))
        return {"api_url": url, "form_method": checkout.method.lower(), "url_params": params}

    # -- payments by token, refunds ----------------------------------------------

    def _send_payment_request(self):
        if self.provider_code in GATEWAYS and not self.token_id:
            raise ValidationError(
                _(
                    "%s: the transaction has no saved payment method to charge.",
                    self.provider_id.name,
                )
            )
        if self.provider_code in GATEWAYS and self.token_id.provider_id != self.provider_id:
            # Another provider record's saved method (another account or company):
            # its gateway reference means nothing to this provider's account.
            raise ValidationError(
                _(
                    "%(method)s was saved with %(token_provider)s and cannot be charged"
                    " through %(provider)s: nothing was sent.",
                    method=self.token_id.display_name,
                    token_provider=self.token_id.provider_id.name,
                    provider=self.provider_id.name,
                )
            )
        res = super()._send_payment_request()
        if self.provider_code in GATEWAYS:
            self._invoicera_charge_token()
        return res

    def _invoicera_charge_token(self):
        gateway = self.provider_id._invoicera_gateway()
        try:
            event = gateway.charge_token(self)
        except GatewayUnavailable as error:
            # Nothing is known to be charged: keep the transaction pending and
            # let Odoo's post-processing retry with the same idempotency key.
            self.invoicera_retry = True
            self._set_pending(state_message=str(error))
            return
        except GatewayMisconfigured as error:
            if not self.invoicera_retry:
                raise
            # The gateway refused our key to look the earlier attempt up (a
            # first attempt sends nothing once refused): whether the card was
            # charged is unknown, so it is not charged again; the retry waits,
            # saying why.
            self.state_message = str(error)
            return
        except GatewayRefused as error:
            if self.operation != "offline" and not self.invoicera_retry:
                raise  # the client is there and sees why (as Odoo's payment_stripe)
            # Without the client (autopay, a retry by the cron), as Odoo's Stripe
            # does: the transaction is in error with the gateway's reason.
            self.invoicera_retry = False
            self._set_error(error.args[0])
            if gateway.payment_method_gone(error.body):
                self._invoicera_archive_gone_token(gateway, error.args[0])
            return
        except UNREADABLE_ANSWER as error:
            # a clear message rather than a traceback, as for a checkout or a refund
            raise self._invoicera_unreadable_error(gateway, "charge", error) from error
        self.invoicera_retry = False
        self._invoicera_apply_event(event)

    def _invoicera_unreadable_error(self, gateway, what, error):
        """Log the answer of ``gateway`` to ``what`` ("charge", "refund") for this
        transaction that could not be read (``error``); the error to raise, naming
        the payment (a refund's: the payment refunded), which nothing recorded."""
        self.ensure_one()
        log_unreadable_answer(gateway, what, self.reference, error)
        payment = self.source_transaction_id if what == "refund" else self
        message = (
            _(
                "%(gateway)s gave an answer that could not be read, so the refund of"
                " %(reference)s was not recorded.",
                gateway=gateway.name,
                reference=payment.reference,
            )
            if what == "refund"
            else _(
                "%(gateway)s gave an answer that could not be read, so the payment"
                " %(reference)s was not recorded.",
                gateway=gateway.name,
                reference=payment.reference,
            )
        )
        error = ValidationError(
            _(
                "%(message)s Check the payment in the gateway's dashboard before trying"
                " again. Administrators: check the server URL and the keys in the payment"
                " provider's settings.",
                message=message,
            )
        )
        # what became of it is unknown: autopay says "not confirmed", not "refused"
        error.invoicera_outcome_unknown = True
        return error

    def _invoicera_archive_gone_token(self, gateway, reason):
        """Archive this transaction's saved payment method, which ``gateway`` says it
        no longer has (``reason``), so that nothing tries to charge it again; tell
        the invoices it was to pay."""
        self.ensure_one()
        message = self.token_id._invoicera_archive_gone(gateway, reason)
        if not message:
            return
        for invoice in self.invoice_ids:
            invoice.message_post(body=message)

    def _send_refund_request(self, amount_to_refund=None):
        if self.provider_code in GATEWAYS:
            self._invoicera_check_refundable(amount_to_refund or self.amount)
        refund_tx = super()._send_refund_request(amount_to_refund=amount_to_refund)
        if self.provider_code not in GATEWAYS:
            return refund_tx
        # A refund notification that overtakes this request (its transaction not
        # committed yet) must not be taken for a refund made outside Odoo: it locks
        # the payment, and this update makes it wait, then retry (a serialization
        # failure, retried by Odoo) and see the refund transaction.
        self.env.cr.execute(
            "UPDATE payment_transaction SET write_date = write_date WHERE id = %s", [self.id]
        )
        gateway = self.provider_id._invoicera_gateway()
        try:
            event = gateway.refund(self, refund_tx, abs(refund_tx.amount))
        except UNREADABLE_ANSWER as error:
            # a clear message rather than a traceback; nothing is kept
            raise refund_tx._invoicera_unreadable_error(gateway, "refund", error) from error
        refund_tx._invoicera_apply_event(event)
        return refund_tx

    def _invoicera_refunded_outside(self):
        """The amount of this payment refunded outside Odoo (e.g. in the gateway's
        dashboard), as its gateway reported it: Odoo can no longer refund it."""
        self.ensure_one()
        return self._invoicera_refunded_outside_by_tx()[self.id]

    def _invoicera_refunded_outside_by_tx(self):
        """``{transaction id: amount refunded outside Odoo}`` for these payments, read
        in one query (see :meth:`_invoicera_refunded_outside`)."""
        if not self:
            return {}
        groups = (
            self.env["invoicera.gateway.event"]
            .sudo()
            ._read_group(
                [("transaction_id", "in", self.ids), ("state", "=", "outside")],
                groupby=["transaction_id"],
                aggregates=["refunded_amount:sum"],
            )
        )
        refunded = {tx.id: amount or 0.0 for tx, amount in groups}
        return {tx.id: tx.currency_id.round(refunded.get(tx.id, 0.0)) for tx in self}

    def _invoicera_refunds(self, excluding=None):
        """The refunds of this payment made in Odoo: its refund transactions but
        those cancelled or in error (a refund not confirmed yet is being made at
        the gateway all the same), but ``excluding`` (the refund being made)."""
        self.ensure_one()
        return (self.child_transaction_ids - (excluding or self.browse())).filtered(
            lambda child: child.operation == "refund" and child.state not in ("cancel", "error")
        )

    def _invoicera_check_refundable(self, amount):
        """Refuse to refund ``amount`` of this payment when a refund made outside Odoo
        leaves less than that to refund: the gateway would refuse it, less clearly."""
        self.ensure_one()
        outside = self._invoicera_refunded_outside()
        if self.currency_id.compare_amounts(outside, 0) <= 0:
            return
        refunded = sum(abs(child.amount) for child in self._invoicera_refunds())
        available = max(self.amount - refunded - outside, 0.0)
        if self.currency_id.compare_amounts(amount, available) > 0:
            raise ValidationError(
                _(
                    "%(outside)s of %(reference)s was refunded outside Odoo (e.g. in the"
                    " gateway's dashboard), so at most %(available)s can still be refunded,"
                    " not %(amount)s: nothing was sent.",
                    outside=format_amount(self.env, outside, self.currency_id),
                    reference=self.reference,
                    available=format_amount(self.env, available, self.currency_id),
                    amount=format_amount(self.env, amount, self.currency_id),
                )
            )

    # -- status read from the gateway ------------------------------------------------

    def _invoicera_read_status(self):
        """Ask the gateway what became of this transaction and apply its answer.

        What the gateway's API answers is authoritative; it is applied as a
        notification would be (amount and currency checked first).

        :return: the event applied, or None when the gateway told nothing that
            can be applied (no such call, unreachable, unreadable answer, or a
            payment whose amount it does not say).
        """
        self.ensure_one()
        gateway = self.provider_id._invoicera_gateway()
        try:
            with self.env.cr.savepoint():
                event = gateway.fetch_status(self)
                if (
                    event
                    and event.status in ("done", "authorized")
                    and (event.amount is None or not event.currency)
                ):
                    # An answer that does not say the amount or currency cannot
                    # tell whether they are wrong: the mismatch flag is for good,
                    # so leave the decision to the signed webhook.
                    _logger.warning(
                        "%s: status of %s read from the API says no amount or currency;"
                        " waiting for the webhook",
                        gateway.name,
                        self.reference,
                    )
                    return None
                if event:
                    outcome, message = self._invoicera_apply_event(event)
                    if outcome in ASKED_PROBLEMS:
                        self._invoicera_record_asked(event, outcome, message)
                return event
        except ValidationError as error:
            # Unreachable, refused or inconsistent: the signed webhook will tell.
            _logger.warning("%s: status of %s not read: %s", gateway.name, self.reference, error)
        except UNREADABLE_ANSWER as error:
            # The transaction is left as it was (the savepoint undid anything
            # applied) and the signed webhook will tell.
            log_unreadable_answer(gateway, "status", self.reference, error)
        return None

    def _invoicera_record_asked(self, event, outcome, message):
        """List under the Problems of Gateway Notifications what asking the gateway
        about this transaction found for staff to act on (no notification told
        it): once per finding, however often it is asked."""
        self.ensure_one()
        self.env["invoicera.gateway.event"].sudo()._invoicera_insert(
            self.provider_id,
            {
                "event_key": f"asked:{self.reference}:{event.status}:{outcome}",
                "reference": self.reference,
                "transaction_id": self.id,
                "status": event.status,
                "state": outcome,
                "message": message,
            },
        )

    @api.model
    def _invoicera_pending_to_ask(self, limit=200):
        """The payments of this module's gateways pending long enough to ask
        their gateway about, those asked least recently first.

        Not refunds (their gateway's answer is the refund's notification), nor
        the saved-card charges Odoo's post-processing retries.
        """
        now = fields.Datetime.now()
        return self.search(
            [
                ("provider_code", "in", list(GATEWAYS)),
                ("state", "=", "pending"),
                ("operation", "!=", "refund"),
                ("invoicera_retry", "=", False),
                ("last_state_change", "<=", now - PENDING_ASKED_AFTER),
                ("last_state_change", ">=", now - PENDING_ASKED_UNTIL),
                # not asked in its last half hour (the cron runs again at once
                # while some are left: it asks each once per turn)
                "|",
                ("invoicera_status_asked_at", "=", False),
                ("invoicera_status_asked_at", "<=", now - PENDING_ASKED_AGAIN),
            ],
            order="invoicera_status_asked_at ASC NULLS FIRST, id",
            limit=limit,
        )

    @api.model
    def _cron_invoicera_ask_pending(self):
        """Ask the gateways about the payments pending for a while (cron), a batch
        at a time (the scheduler runs it again at once while some are left)."""
        txs = self._invoicera_pending_to_ask(limit=PENDING_ASKED_PER_RUN + 1)
        batch = txs[:PENDING_ASKED_PER_RUN]
        for tx in batch:
            try:
                tx._invoicera_read_status()
            except psycopg2.OperationalError:
                # changed meanwhile (its notification arrived): asked next time
                self.env.cr.rollback()  # pylint: disable=invalid-commit
                _logger.info("%s: changed while its gateway was asked, asked later", tx.reference)
            except Exception:
                self.env.cr.rollback()  # pylint: disable=invalid-commit
                _logger.exception("%s: status not read from its gateway", tx.reference)
            # Asked, whatever came of it: not again before its turn comes back.
            # One at a time, as Odoo's post-processing: what a gateway answered
            # stays applied whatever the next one does.
            try:
                tx.invoicera_status_asked_at = fields.Datetime.now()
                self.env.cr.commit()  # pylint: disable=invalid-commit
            except psycopg2.OperationalError:
                self.env.cr.rollback()  # pylint: disable=invalid-commit
        self.env["ir.cron"]._notify_progress(done=len(batch), remaining=len(txs) - len(batch))

    def _cron_post_process(self):
        # Only the cron retries charges: not the client's public, polled
        # /payment/status/poll, which runs _post_process too.
        txs = self.with_context(invoicera_retry_charge=True)
        now = fields.Datetime.now()  # before Odoo's pass: none retried twice
        res = super(PaymentTransaction, txs)._cron_post_process()
        if not self:
            # Odoo's gives up 4 days after the last change of state, which a
            # charge to retry never has (its gateway unreachable, our key
            # refused): retried as long as a pending payment is asked about.
            stale = self.search(
                [
                    ("invoicera_retry", "=", True),
                    ("state", "=", "pending"),
                    ("is_post_processed", "=", False),
                    ("last_state_change", "<", now - timedelta(days=4)),
                    ("last_state_change", ">=", now - PENDING_ASKED_UNTIL),
                ]
            )
            stale = stale.with_context(invoicera_retry_charge=True)
            if stale:
                super(PaymentTransaction, stale)._cron_post_process()
        return res

    def _post_process(self):
        retry = self.filtered(
            lambda tx: tx.invoicera_retry and tx.state == "pending" and tx.token_id
        )
        busy = self.browse()
        if self.env.context.get("invoicera_retry_charge"):
            for tx in retry:
                if tx._invoicera_lock_retry():
                    tx._invoicera_charge_token()
                else:
                    busy |= tx
        # A charge from Register Payment that was not done at once (the gateway
        # too slow to answer, a debit confirmed later): Odoo cancelled its payment
        # then. Collected since, it gets a payment of its own, as a transaction
        # without one does: the invoice is paid.
        (self - busy).filtered(
            lambda tx: tx.provider_code in GATEWAYS
            and tx.state == "done"
            and tx.payment_id.state == "canceled"
        ).payment_id = False
        res = super(PaymentTransaction, self - busy)._post_process()
        # Still unreachable (or not retried here): stay in the post-processing
        # queue for the next run of the cron.
        (retry - busy).filtered("invoicera_retry").is_post_processed = False
        return res

    def _create_payment(self, **extra_create_values):
        # The payment of a charge collected after Odoo cancelled the one made in
        # Register Payment gets the write-off chosen there (see account.payment's
        # action_post): the invoice is paid in full, as the user chose.
        left_out = []
        if self.invoicera_write_off_vals and "write_off_line_vals" not in extra_create_values:
            # a list of its own: Odoo's early payment discount adds its lines to it
            write_off_vals = [dict(vals) for vals in self.invoicera_write_off_vals]
            if not self._invoicera_still_owes(write_off_vals):
                # The invoices changed while the charge was pending (a credit note,
                # another payment): the write-off would now settle more than they
                # owe, or less. The payment pays what it can, as any payment does.
                left_out = write_off_vals
            else:
                if self._invoicera_discount_taken_again():
                    # Odoo's payment (and invoicera_portal's) takes the early
                    # payment discount of its one invoice again: kept as well, it
                    # would be written off twice.
                    write_off_vals = self._invoicera_without_discount(write_off_vals)
                if write_off_vals:
                    extra_create_values["write_off_line_vals"] = write_off_vals
        payment = super()._create_payment(**extra_create_values)
        if left_out:
            message = _(
                "Payment %(payment)s (transaction %(reference)s) was collected after its"
                " invoices changed: they no longer owe what was charged plus the write-off"
                " of %(write_off)s chosen in Register Payment, so this write-off was not"
                " applied. What the payment does not settle is left on the client's"
                " account.",
                payment=payment.name,
                reference=self.reference,
                write_off=format_amount(
                    self.env, sum(vals["amount_currency"] for vals in left_out), self.currency_id
                ),
            )
            for invoice in self.invoice_ids:
                invoice.message_post(body=message)
        return payment

    def _invoicera_still_owes(self, write_off_vals):
        """Whether this transaction's invoices still owe what it charged plus the
        write-off ``write_off_vals`` kept from Register Payment (in the
        transaction's currency); assumed so when an invoice is in another one.
        Not when it pays no invoice (paid from journal items, or its invoices
        cancelled meanwhile, which invoicera_portal takes off it): a write-off
        on a payment settling nothing would be a gift."""
        self.ensure_one()
        if not self.invoice_ids:
            return False
        if any(invoice.currency_id != self.currency_id for invoice in self.invoice_ids):
            return True
        owed = sum(
            self.invoice_ids.filtered(lambda invoice: invoice.state == "posted")
            .line_ids.filtered(lambda line: line.display_type == "payment_term")
            .mapped("amount_residual_currency")
        )
        settled = self.amount + sum(vals["amount_currency"] for vals in write_off_vals)
        return not self.currency_id.compare_amounts(owed, settled)

    def _invoicera_discount_taken_again(self):
        """Whether Odoo's payment of this transaction writes off the early payment
        discount of its invoice itself, as account_payment's ``_create_payment``
        does: a payment of one invoice, of its discounted amount due, within its
        discount period today. Collected after it, the discount the wizard
        granted is the one kept."""
        self.ensure_one()
        invoice = self.invoice_ids
        if len(invoice) != 1 or invoice.state != "posted":
            return False
        next_payment = invoice._get_invoice_next_payment_values()
        return (
            next_payment.get("installment_state") == "epd"
            and self.amount == next_payment["amount_due"]
        )

    def _invoicera_without_discount(self, write_off_vals):
        """``write_off_vals`` without the lines of an early payment discount, nor
        the exchange difference the discount brings (a line of no amount in the
        transaction's currency)."""
        if not any(vals.get("display_type") == "epd" for vals in write_off_vals):
            return write_off_vals
        return [
            vals
            for vals in write_off_vals
            if vals.get("display_type") != "epd"
            and not self.currency_id.is_zero(vals["amount_currency"])
        ]

    def _invoicera_lock_retry(self):
        """Lock this transaction for a retry of its charge; whether it still needs one.

        Two runs of the post-processing must not charge the card twice (not
        every gateway has an idempotency key): the row lock is taken without
        waiting, and a transaction locked by another run is left to that run.
        """
        self.ensure_one()
        self.flush_recordset()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "SELECT invoicera_retry, state FROM payment_transaction"
                    " WHERE id = %s FOR UPDATE NOWAIT",
                    [self.id],
                )
                retry, state = self.env.cr.fetchone()
        except LockNotAvailable:
            _logger.info("%s: charge retried by another run, skipped", self.reference)
            return False
        self.invalidate_recordset(["invoicera_retry", "state"])
        return bool(retry) and state == "pending"

    # -- notifications -----------------------------------------------------------

    @api.model
    def _invoicera_find(self, provider, event):
        """The provider's transaction an event is about, locked for the update."""
        keys = []
        if event.provider_reference:
            keys.append(("provider_reference", "=", event.provider_reference))
        if event.reference:
            keys.append(("reference", "=", event.reference))
        if not keys:
            return self.browse()
        # One query, with what the choice below reads.
        found = self.search_fetch(
            [("provider_id", "=", provider.id), *(["|"] * (len(keys) - 1)), *keys],
            ["reference", "provider_reference", "operation"],
            order="id",
        )
        # The gateway's object id, which only our server obtained, first; and
        # as refund and payment ids may share a space (Paymob), an id alone
        # names a payment rather than a refund.
        known_as = found.filtered(
            lambda t: event.provider_reference and t.provider_reference == event.provider_reference
        )
        tx = (
            known_as.filtered(lambda t: event.reference and t.reference == event.reference)
            or known_as.filtered(lambda t: t.operation != "refund")
            or known_as
            or found.filtered(lambda t: event.reference and t.reference == event.reference)
        )[:1]
        if tx:
            # Concurrent notifications of one transaction apply one after the other.
            self.env.cr.execute(
                "SELECT 1 FROM payment_transaction WHERE id = %s FOR UPDATE", [tx.id]
            )
            tx.invalidate_recordset()
        return tx

    def _invoicera_apply_event(self, event):
        """Apply what the gateway says to this transaction.

        The amount and currency are compared with the transaction before any
        state changes: a difference puts the transaction in error for good.

        An event about another gateway object than the transaction's own
        (whose id the transaction keeps as ``provider_reference``) is applied
        only when it confirms a payment of the transaction's amount and
        currency (a client paying on a second attempt after a declined one
        makes another payment object): anyone able to create an object at the
        gateway can give it our reference, to cancel the transaction or to
        underpay it.

        :return: ``(outcome, message)``: ``processed``, ``ignored``, ``conflict``,
            ``held`` or ``mismatch``, and what to record about it.
        """
        self.ensure_one()
        gateway = self.provider_id._invoicera_gateway()
        other_object = bool(
            event.provider_reference
            and self.provider_reference
            and event.provider_reference != self.provider_reference
        )
        refused = other_object and self._invoicera_refuse_other_object(gateway, event)
        if refused:
            return refused
        if event.status in ("done", "authorized"):
            message = self._invoicera_wrong_amount(gateway, event)
            if message:
                _logger.warning(message)
                if self.state != "done":  # never undo a confirmed payment
                    self.invoicera_amount_mismatch = True
                    self._set_error(message)
                return "mismatch", message
        if self.invoicera_amount_mismatch:
            return "ignored", self.state_message
        if event.provider_reference and (
            not self.provider_reference
            or (other_object and self.state not in ("done", "authorized"))
        ):
            # the object that pays is the one refunds go to
            self.provider_reference = event.provider_reference
        if event.payment_method and event.payment_method != self.payment_method_code:
            method = self.env["payment.method"]._get_from_code(event.payment_method)
            if method:
                self.payment_method_id = method
        status = event.status
        if status == "token":
            if (
                event.token
                and self.tokenize
                and not self.token_id
                and self.state not in ("cancel", "error")
            ):
                self._invoicera_save_token(event.token)
                return "processed", self.state_message
            return "ignored", self.state_message
        if status not in ("done", "authorized", "pending", "cancel", "error"):
            return "ignored", self.state_message
        changed = self._invoicera_set_state(gateway, event)
        if status == "done" and self.state == "done":
            if event.token and self.tokenize and not self.token_id:
                self._invoicera_save_token(event.token)
        # Odoo's _set_* return the transactions they moved: none when the
        # transaction already is in that state (a redelivery, harmless) or
        # when Odoo refuses the move (e.g. cancel -> done), which must not
        # pass for processed.
        if not changed and self.state != status:
            message, conflict = self._invoicera_refused(
                gateway, status, held=event.money_held and event.message
            )
            return ("conflict" if conflict else "ignored"), message
        if event.money_held and event.message:
            return self._invoicera_report_held(gateway, event)
        return "processed", self.state_message

    def _invoicera_report_held(self, gateway, event):
        """Report an applied ``event`` saying that the gateway holds money of the
        client's that pays nothing yet (e.g. a partial payment of an invoice that
        expired): staff must settle or refund it there, and are told so on the
        invoices. :return: ``(outcome, message)``, as ``_invoicera_apply_event``."""
        message = _(
            "%(gateway)s holds money paid for %(reference)s: %(what)s",
            gateway=gateway.name,
            reference=self.reference,
            what=event.message,
        )
        if self.invoicera_held_reported == event.message:
            # told already (the gateway asked again about the pending payment,
            # or another notification of the same situation): listed once
            return "processed", message
        self.invoicera_held_reported = event.message
        _logger.error(message)
        for invoice in self.invoice_ids:
            invoice.message_post(body=message)
        return "held", message

    def _invoicera_refuse_other_object(self, gateway, event):
        """Why an event about another gateway object than this transaction's own is
        not applied, as ``(outcome, message)``; or None when it is (a payment of the
        transaction's amount and currency, on a second attempt after a failed one).
        """
        if event.status not in ("done", "authorized") or self._invoicera_wrong_amount(
            gateway, event
        ):
            message = _(
                "%(gateway)s reported %(object)s for %(reference)s, which is %(own)s at"
                " %(gateway)s: the notification was not applied.",
                gateway=gateway.name,
                object=event.provider_reference,
                reference=self.reference,
                own=self.provider_reference,
            )
            _logger.warning(message)
            return "ignored", message
        if self.state == "done" and self.operation != "refund":
            # Another payment of the right amount confirming a transaction another
            # payment paid already: the client paid twice (e.g. in a second tab).
            message = _(
                "%(gateway)s reported a second payment %(object)s for %(reference)s, which"
                " %(own)s paid already: the client may have paid twice. Check both"
                " payments on %(gateway)s and refund one of them.",
                gateway=gateway.name,
                object=event.provider_reference,
                reference=self.reference,
                own=self.provider_reference,
            )
            _logger.error(message)
            for invoice in self.invoice_ids:
                invoice.message_post(body=message)
            return "conflict", message
        return None

    def _invoicera_set_state(self, gateway, event):
        """Move to the state ``event`` reports; return what Odoo's ``_set_*`` moved."""
        message = event.message or None
        if event.status == "done":
            return self._set_done()
        if event.status == "authorized":
            return self._set_authorized()
        if event.status == "pending":
            return self._set_pending(state_message=message)
        if event.status == "cancel":
            return self._set_canceled(state_message=message)
        return self._set_error(message or _("%s declined the payment.", gateway.name))

    def _invoicera_wrong_amount(self, gateway, event):
        """Why a confirmation's amount or currency is not this transaction's, or ""."""
        # A payment is confirmed only with the amount and currency it
        # carries (an event saying neither is not taken on trust); a
        # refund's confirmation is checked on what it gives.
        is_refund = self.operation == "refund"
        expected = gateway.minor(abs(self.amount), self.currency_id)
        wrong_currency = (bool(event.currency) or not is_refund) and (
            (event.currency or "").upper() != self.currency_id.name
        )
        wrong_amount = (event.amount is not None or not is_refund) and (
            event.amount is None or int(event.amount) != expected
        )
        if not (wrong_currency or wrong_amount):
            return ""
        return _(
            "%(gateway)s reported %(amount)s %(currency)s for %(reference)s, which"
            " expects %(expected)s %(expected_currency)s (minor units). No payment"
            " was recorded.",
            gateway=gateway.name,
            amount=event.amount,
            currency=event.currency or "?",
            reference=self.reference,
            expected=expected,
            expected_currency=self.currency_id.name,
        )

    def _invoicera_refused(self, gateway, status, held=""):
        """Report that Odoo refused to move this transaction to ``status``.

        ``held``: what to do with money of the client's the gateway holds although the
        event confirms no payment (e.g. a partial payment), if it does.

        :return: ``(message, conflict)``: why, and whether the gateway contradicts the
            transaction (money taken or held for a transaction Odoo closed, or a
            confirmed payment failing afterwards: a late failure, a charge-back, a
            capture or settlement declined), which staff must act on; otherwise the
            notification merely arrived out of order (pending after done), which is
            expected.
        """
        labels = dict(self._fields["state"]._description_selection(self.env))
        message = _(
            "%(gateway)s reported %(reference)s as %(status)s, but the transaction is"
            " %(state)s and Odoo does not change it: the notification was not applied.",
            gateway=gateway.name,
            reference=self.reference,
            status=labels.get(status, status),
            state=labels.get(self.state, self.state),
        )
        if status in ("done", "authorized") and self.state not in ("done", "authorized"):
            # The gateway took the money of a transaction Odoo closed: the invoice
            # stays unpaid until someone refunds or records the payment by hand.
            message = _(
                "%(message)s Check the payment on %(gateway)s: refund it or record it by hand.",
                message=message,
                gateway=gateway.name,
            )
        elif held and self.state not in ("done", "authorized"):
            # The gateway holds money the client paid for a transaction Odoo closed
            # (e.g. a partial payment after it expired), which pays nothing: staff
            # must settle or refund it there.
            message = f"{message} {held}"
        elif status in ("error", "cancel") and self.state == "done":
            # A confirmed payment (or refund) failed afterwards: Odoo keeps it, so
            # the invoice shows money that may never have been collected.
            message = _(
                "%(message)s Check the payment on %(gateway)s: if the money was not"
                " collected (or not refunded), reverse it in Odoo.",
                message=message,
                gateway=gateway.name,
            )
        else:
            # Notifications arriving out of order (pending after done): expected.
            _logger.warning(message)
            return message, False
        _logger.error(message)
        for invoice in self.invoice_ids:
            invoice.message_post(body=message)
        return message, True

    def _invoicera_save_token(self, token):
        self.ensure_one()
        token_record = self.env["payment.token"].create(
            {
                "provider_id": self.provider_id.id,
                "payment_method_id": self.payment_method_id.id,
                "partner_id": self.partner_id.id,
                "provider_ref": token["provider_ref"],
                "payment_details": token.get("payment_details") or "",
                "invoicera_customer_ref": token.get("customer_ref") or False,
            }
        )
        self.write({"token_id": token_record.id, "tokenize": False})

    # Odoo's generic entry points, for integrators calling _handle_notification_data.
    def _get_tx_from_notification_data(self, provider_code, notification_data):
        tx = super()._get_tx_from_notification_data(provider_code, notification_data)
        if provider_code not in GATEWAYS or len(tx) == 1:
            return tx
        event = GatewayEvent(**notification_data)
        providers = self.env["payment.provider"].search([("code", "=", provider_code)])
        for provider in providers:
            tx = self._invoicera_find(provider, event)
            if tx:
                return tx
        raise ValidationError(
            _("No transaction matches reference %s.", event.reference or event.provider_reference)
        )

    def _process_notification_data(self, notification_data):
        res = super()._process_notification_data(notification_data)
        if self.provider_code in GATEWAYS:
            self._invoicera_apply_event(GatewayEvent(**notification_data))
        return res
