import hashlib
import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from .. import utils
from ..gateways import GATEWAYS, Delivery
from ..gateways.base import GatewayMisconfigured, GatewayUnavailable

_logger = logging.getLogger(__name__)


class InvoiceraGatewayEvent(models.Model):
    """One notification received from a gateway, kept once per event.

    The unique key (provider, event key) is what makes deliveries idempotent:
    a duplicate, even arriving concurrently on another worker, waits on the
    index and is then recognised and acknowledged without effect.
    """

    _name = "invoicera.gateway.event"
    _description = "Payment Gateway Notification"
    _order = "id desc"
    _rec_name = "event_key"

    provider_id = fields.Many2one("payment.provider", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="provider_id.company_id", store=True)
    # searched by billing managers, who may not read payment providers
    provider_code = fields.Selection(related="provider_id.code", store=True, string="Gateway")
    event_key = fields.Char(required=True)
    reference = fields.Char(help="The transaction reference the notification is about.")
    transaction_id = fields.Many2one(
        "payment.transaction", ondelete="set null", index="btree_not_null"
    )
    status = fields.Char(help="The state the gateway reported.")
    state = fields.Selection(
        [
            ("processed", "Processed"),
            ("ignored", "Ignored"),
            ("mismatch", "Amount or currency mismatch"),
            ("unknown", "Unknown transaction"),
            ("conflict", "Contradicts the transaction"),
            ("outside", "Refunded outside Odoo"),
            ("held", "Money held by the gateway"),
        ],
        required=True,
        default="processed",
    )
    message = fields.Char()
    currency_id = fields.Many2one("res.currency", readonly=True)
    refunded_amount = fields.Monetary(
        string="Refunded Outside Odoo",
        readonly=True,
        help="For a refund made outside Odoo: the amount refunded, which Odoo can no longer"
        " refund; negative for such a refund that failed afterwards.",
    )
    refused_by_gateway = fields.Boolean(
        string="Refused by Gateway",
        readonly=True,
        help="The gateway's API would not show what the notification is about (e.g. a"
        " payment of another account, or of the other mode: test or live), so it was not"
        " applied. Check the provider's account and mode, and look the payment up in the"
        " gateway's dashboard.",
    )

    token_failure = fields.Selection(
        [
            ("retry", "Not saved yet: the gateway sends the notification again"),
            ("refused", "Refused by the gateway"),
        ],
        string="Payment Method Not Saved",
        readonly=True,
        help="The payment was applied, but the payment method the client asked to save"
        " could not be saved. When the gateway was unavailable (or refused our"
        " credentials), the notification is answered with an error so that the gateway"
        " sends it again, and the next delivery saves it; when the gateway refused the"
        " payment method, the client has to save one on the next payment.",
    )

    _sql_constraints = [
        (
            "event_key_unique",
            "UNIQUE(provider_id, event_key)",
            "A gateway notification is recorded once per provider.",
        )
    ]

    @api.model
    def _invoicera_insert(self, provider, values, on_conflict=None):
        """Record an event of ``provider`` in one INSERT, unless it has one with
        the same ``event_key`` already; the new event, else an empty recordset.

        ``values``: its columns (``event_key`` among them); its provider's,
        its authors and dates are filled in. The unique key (provider, event
        key) serialises concurrent inserts of one event: the second waits for
        the first transaction, then does nothing (or ``on_conflict``, an SQL
        ``DO UPDATE ...`` that returns the row again where it applies).
        """
        columns = dict(
            values,
            provider_id=provider.id,
            company_id=provider.company_id.id,
            provider_code=provider.code,
            create_uid=self.env.uid,
            write_uid=self.env.uid,
        )
        now = SQL("now() at time zone 'utc'")
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO invoicera_gateway_event (%s, create_date, write_date)
                VALUES (%s, %s, %s)
                ON CONFLICT (provider_id, event_key) %s
                RETURNING id
                """,
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(columns.values()),
                now,
                now,
                on_conflict or SQL("DO NOTHING"),
            )
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0] if row else ())

    @api.model
    def _invoicera_receive(self, code, provider_id, headers, body, query=None, now=None):
        """Verify, deduplicate and apply one webhook delivery.

        :return: ``(http_status, text)``; 403 for anything whose origin cannot
            be proven, 400 for a signed notification that cannot be read, 409
            (sent again by the gateway) for a notification whose transaction is
            not found (maybe not committed yet), 200 for one whose transaction is
            another provider's of the same gateway (not applied), 503 (sent
            again) when the gateway's API, asked what the notification is about,
            is unavailable or refuses our credentials, or when it was so while
            saving the payment method of a payment that is applied all the same
            (sent again for the payment method only), 200 once the delivery is
            applied or known, or when the API refuses to show its object
            (recorded as ignored: asking again would not help).
        """
        self = self.sudo()  # pylint: disable=self-cls-assignment
        gateway_class = GATEWAYS.get(code)
        provider = self.env["payment.provider"].browse(provider_id).exists()
        # A disabled provider still hears of the payments it started (a debit collected
        # days later), as Odoo's own providers do: only new payments stop.
        if not gateway_class or not provider or provider.code != code:
            _logger.warning("Webhook for unknown provider %s/%s refused", code, provider_id)
            return 404, "unknown provider"
        gateway = provider._invoicera_gateway()
        if not gateway.signing_secret():
            _logger.warning(
                "%s: webhook refused because provider %s has no webhook secret",
                gateway.name,
                provider.id,
            )
            return 403, "webhook secret not set"
        query = query or {}
        if (gateway.signature_header and not headers.get(gateway.signature_header)) or (
            gateway.signature_param and not query.get(gateway.signature_param)
        ):
            _logger.warning("%s: webhook refused: no signature", gateway.name)
            return 403, "missing signature"
        url = provider._invoicera_url("webhook") if gateway.signs_url else ""
        delivery = Delivery(headers=headers, body=body, query=query, url=url)
        try:
            if not gateway.verify(delivery, now=now):
                _logger.warning("%s: webhook refused: invalid or stale signature", gateway.name)
                return 403, "invalid signature"
            # Some gateways send no amount: parsing asks their API, which may be down.
            event = gateway.parse_notification(delivery)
        except GatewayUnavailable as error:
            _logger.warning(
                "%s: webhook not applied, the gateway will retry: %s", gateway.name, error
            )
            return 503, "gateway unavailable"
        except GatewayMisconfigured as error:
            # Ours to fix (a revoked or wrong API key): once it is, the gateway's
            # next delivery is applied.
            _logger.error(
                "%s: webhook not applied until the settings of payment provider %s (id %s)"
                " are fixed; the gateway will send it again: %s",
                gateway.name,
                provider.name,
                provider.id,
                error,
            )
            return 503, "provider misconfigured"
        except ValidationError as error:
            # The API refuses to show the notification's object (e.g. 404: another
            # account's or mode's): it never will, so asking again would not help.
            return self._invoicera_refused(provider, gateway, body, error)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError) as error:
            # Signed, but not shaped as the gateway documents it: nothing can be
            # read from it. A clear refusal rather than a server error.
            _logger.warning(
                "%s: webhook refused: malformed notification (%s: %s)",
                gateway.name,
                type(error).__name__,
                error,
            )
            return 400, "malformed notification"
        if event is None or event.status == "ignore":
            return 200, "ignored"
        key = event.key or hashlib.sha256(body).hexdigest()
        with self.env.cr.savepoint() as savepoint:
            # The unique index serialises concurrent deliveries of one event: the
            # second insert waits for the first transaction and then does nothing.
            record = self._invoicera_insert(
                provider,
                {
                    "event_key": key[:255],
                    "reference": event.reference or event.provider_reference,
                    "status": event.status,
                    "state": "processed",
                },
                # a delivery applied but for the payment method it was to save:
                # sent again for that, applied again (the rest is done already)
                on_conflict=SQL(
                    """DO UPDATE
                       SET write_date = EXCLUDED.write_date, write_uid = EXCLUDED.write_uid
                     WHERE invoicera_gateway_event.token_failure = 'retry'"""
                ),
            )
            if not record:
                _logger.info("%s: duplicate notification %s acknowledged", gateway.name, key)
                return 200, "duplicate"
            if event.status in ("token_gone", "token_back"):
                return self._invoicera_token_changed(record, gateway, event)
            tx = self.env["payment.transaction"]._invoicera_find(provider, event)
            refunded = not tx and self._invoicera_refunded_payment(gateway, event)
            if not tx and not refunded and self._invoicera_other_provider_tx(provider, event):
                # Another provider record on the same gateway account (another
                # company's, or the other mode's) has it, and is sent it too: as
                # Odoo's payment_stripe does, acknowledged (not recorded), since
                # sending it here again would never help.
                savepoint.rollback()
                _logger.info(
                    "%s: notification %s is about a transaction of another provider than"
                    " %s (id %s); acknowledged",
                    gateway.name,
                    key,
                    provider.name,
                    provider.id,
                )
                return 200, "other provider"
            if not tx and not refunded and event.not_ours:
                # Nothing of Odoo's, now or later: a retry would never help.
                _logger.info(
                    "%s: notification %s is about nothing of Odoo's; acknowledged: %s",
                    gateway.name,
                    key,
                    event.not_ours,
                )
                record.write({"state": "ignored", "message": event.not_ours})
                return 200, "ignored"
            if not tx and not refunded:
                # Maybe not committed yet (a saved-card charge whose notification
                # overtakes the request that charges it): forget the delivery and
                # answer an error, so that the gateway sends it again and the
                # next delivery (or a manual one) is applied, not taken for a duplicate.
                savepoint.rollback()
                _logger.warning(
                    "%s: notification %s matches no transaction (yet); refused for a retry",
                    gateway.name,
                    key,
                )
                return 409, "unknown transaction"
        if refunded:
            return self._invoicera_refund_outside(record, gateway, event, refunded)
        return self._invoicera_apply(record, gateway, event, tx)

    @api.model
    def _invoicera_apply(self, record, gateway, event, tx):
        """Apply ``event``, recorded as ``record``, to its transaction ``tx``."""
        try:
            with self.env.cr.savepoint():  # all of the event or nothing of it
                outcome, message = tx._invoicera_apply_event(event)
        except ValidationError as error:
            record.write(
                {
                    "transaction_id": tx.id,
                    "state": "ignored",
                    "message": str(error),
                    "token_failure": False,
                }
            )
            return 200, "not applied"
        values = {
            "transaction_id": tx.id,
            "state": outcome,
            "message": message,
            "token_failure": False,
        }
        if event.token_error and tx.state == "done" and tx.tokenize and not tx.token_id:
            return self._invoicera_token_failed(record, gateway, event, tx, values)
        record.write(values)
        return 200, outcome

    @api.model
    def _invoicera_token_changed(self, record, gateway, event):
        """Apply ``event``, a ``token_gone`` or ``token_back`` notification recorded as
        ``record``, to the provider's saved payment methods the gateway knows as its
        ``provider_reference``."""
        tokens = self.env["payment.token"].with_context(active_test=False)
        if event.provider_reference:
            tokens = tokens.search(
                [
                    ("provider_id", "=", record.provider_id.id),
                    ("provider_ref", "=", event.provider_reference),
                ]
            )
        if not tokens:
            record.write(
                {
                    "state": "ignored",
                    "message": self.env._(
                        "No saved payment method is known as %s.", event.provider_reference
                    ),
                }
            )
            return 200, "ignored"
        if event.status == "token_back":
            return self._invoicera_token_back(record, gateway, event, tokens)
        return self._invoicera_token_gone(record, gateway, event, tokens)

    @api.model
    def _invoicera_token_back(self, record, gateway, event, tokens):
        """Restore the saved payment methods ``tokens`` the gateway can charge again
        (``event``, recorded as ``record``), when the gateway's latest notice about
        them archived them: not one archived otherwise (e.g. removed by its owner,
        which the notice then found archived already, or once restored)."""
        last = self.search(
            [
                ("provider_id", "=", record.provider_id.id),
                ("reference", "=", event.provider_reference),
                ("status", "in", ("token_gone", "token_back")),
                ("id", "!=", record.id),
            ],
            order="id desc",
            limit=1,
        )
        archived_here = last.status == "token_gone" and last.state == "processed"
        # Odoo refuses to restore a saved payment method whose payment method is
        # archived, or whose provider is disabled (which archived it too)
        restored = tokens.filtered(
            lambda token: archived_here
            and not token.active
            and token.payment_method_id.active
            and token.provider_id.state != "disabled"
        )
        if not restored:
            record.write(
                {
                    "state": "ignored",
                    "message": self.env._(
                        "%(gateway)s can charge %(methods)s again (%(reason)s), but it was"
                        " not archived on a notice of %(gateway)s (e.g. its owner removed"
                        " it), or its payment method or provider is disabled: it stays"
                        " archived.",
                        gateway=gateway.name,
                        methods=", ".join(tokens.mapped("display_name")),
                        reason=event.message or event.provider_reference,
                    ),
                }
            )
            return 200, "ignored"
        restored.active = True
        messages = []
        for token in restored:
            message = self.env._(
                "%(method)s was restored: %(gateway)s can charge it again (%(reason)s).",
                method=token.display_name,
                gateway=gateway.name,
                reason=event.message or event.provider_reference,
            )
            token.partner_id.message_post(body=message)
            messages.append(message)
        record.write({"state": "processed", "message": " ".join(messages)})
        return 200, "processed"

    @api.model
    def _invoicera_token_gone(self, record, gateway, event, tokens):
        """Apply ``event``, a ``token_gone`` notification recorded as ``record``: the
        saved payment methods ``tokens`` are archived, as Odoo archives those it can
        no longer use (autopay and the client no longer try them), and their owner's
        contact told; or, when the gateway replaced them (``event.token``), they are
        charged under their new reference from then on."""
        successor = (event.token or {}).get("provider_ref")
        if successor:
            tokens.provider_ref = successor
            messages = [
                self.env._(
                    "%(gateway)s replaced %(old)s by %(new)s: %(method)s is charged through"
                    " %(new)s from now on.",
                    gateway=gateway.name,
                    old=event.provider_reference,
                    new=successor,
                    method=token.display_name,
                )
                for token in tokens
            ]
        else:
            messages = []
            for token in tokens.filtered("active"):
                message = token._invoicera_archive_gone(
                    gateway, event.message or event.provider_reference
                )
                token.partner_id.message_post(body=message)
                messages.append(message)
            if not messages:
                record.write(
                    {
                        "state": "ignored",
                        "message": self.env._(
                            "%(method)s was archived already (%(reason)s).",
                            method=", ".join(tokens.mapped("display_name")),
                            reason=event.message or event.provider_reference,
                        ),
                    }
                )
                return 200, "ignored"
        record.write({"state": "processed", "message": " ".join(messages)})
        return 200, "processed"

    @api.model
    def _invoicera_other_provider_tx(self, provider, event):
        """The transaction of another provider of ``provider``'s gateway ``event`` is
        about (its payment, or the payment a refund is of), or nothing.

        Gateways notify every URL registered on an account: two companies sharing
        one account, or a test and a live provider record, each get the other's
        notifications.
        """
        domains = []
        if event.reference:
            domains.append([("reference", "=", event.reference)])
        if event.provider_reference:
            domains.append([("provider_reference", "=", str(event.provider_reference))])
        if event.refund_of:
            domains.append(
                [("provider_reference", "=", str(event.refund_of)), ("operation", "!=", "refund")]
            )
        if not domains:
            return self.env["payment.transaction"]
        return self.env["payment.transaction"].search(
            expression.AND(
                [
                    [("provider_id", "!=", provider.id), ("provider_code", "=", provider.code)],
                    expression.OR(domains),
                ]
            ),
            limit=1,
        )

    @api.model
    def _invoicera_refunded_payment(self, gateway, event):
        """The confirmed payment of ours a refund made outside Odoo is of, or nothing.

        A refund notification that matches no refund transaction is one made outside
        Odoo (e.g. in the gateway's dashboard) when the payment it refunds is one of
        ours, and done, and the refund does not carry the reference of one of Odoo's
        refunds of it (Odoo's own refund whose transaction is not committed yet is
        answered 409 and sent again). The payment is locked: a refund Odoo is asking
        for at this moment updates it first (see ``_send_refund_request``), so that
        this delivery waits for it and is then retried, seeing its transaction.
        """
        if not event.refund_of:
            return self.env["payment.transaction"]
        payment = gateway.transaction_known_as(event.refund_of)
        if payment.state != "done" or gateway.names_own_refund(payment, event.refund_reference):
            return self.env["payment.transaction"]
        self.env.cr.execute(
            "SELECT 1 FROM payment_transaction WHERE id = %s FOR UPDATE", [payment.id]
        )
        return payment

    @api.model
    def _invoicera_refund_outside(self, record, gateway, event, payment):
        """Record (once per refund) a refund of ``payment`` made outside Odoo.

        No refund is created in Odoo: the notification is listed under Problems and
        posted on the payment's invoices, for staff to record the refund by hand.
        A refund not (yet) completed is recorded as ignored: it is reported once the
        gateway completes it; one reported already is reported again only when it
        fails afterwards (what was recorded by hand is to be reversed).
        """
        currency = (event.currency or payment.currency_id.name).upper()
        amount = (
            f"{utils.from_minor_units(event.amount, currency, gateway.exponents)} {currency}"
            if event.amount is not None
            else self.env._("an amount")
        )
        # Kept under the refund's own id at the gateway: one report per refund.
        refund_key = event.provider_reference or record.reference
        values = {"transaction_id": payment.id, "reference": refund_key, "token_failure": False}
        reported = (
            self.search(
                [
                    ("provider_id", "=", record.provider_id.id),
                    ("state", "=", "outside"),
                    ("reference", "=", refund_key),
                    ("id", "!=", record.id),
                ]
            )
            if refund_key
            else self.browse()
        )
        if reported and event.status in ("error", "cancel"):
            # what Odoo could not refund any more can be refunded again
            values.update(
                currency_id=payment.currency_id.id,
                refunded_amount=-sum(reported.mapped("refunded_amount")),
            )
            message = self.env._(
                "%(gateway)s reports that the refund of %(amount)s of %(reference)s made"
                " outside Odoo, reported before, failed: if it was recorded in Odoo, reverse"
                " it.",
                gateway=gateway.name,
                amount=amount,
                reference=payment.reference,
            )
        elif event.status == "done" and not reported:
            if event.amount is not None and currency == payment.currency_id.name:
                # the part of the payment Odoo can no longer refund
                values.update(
                    currency_id=payment.currency_id.id,
                    refunded_amount=float(
                        utils.from_minor_units(event.amount, currency, gateway.exponents)
                    ),
                )
            message = self.env._(
                "%(gateway)s refunded %(amount)s of %(reference)s outside Odoo: record the"
                " refund in Odoo by hand (e.g. a credit note and its outgoing payment), not"
                " with the Refund button, which would refund the client again.",
                gateway=gateway.name,
                amount=amount,
                reference=payment.reference,
            )
        else:
            values["state"] = "ignored"
            values["message"] = self.env._(
                "%(gateway)s reported a refund of %(amount)s of %(reference)s made outside"
                " Odoo (%(status)s): %(what)s",
                gateway=gateway.name,
                amount=amount,
                reference=payment.reference,
                status=event.status,
                what=self.env._("reported already.")
                if reported
                else self.env._("it is reported once completed."),
            )
            record.write(values)
            return 200, "ignored"
        _logger.error(message)
        values.update(state="outside", message=message)
        record.write(values)
        for invoice in payment.invoice_ids:
            invoice.message_post(body=message)
        return 200, "outside"

    @api.model
    def _invoicera_token_failed(self, record, gateway, event, tx, values):
        """Record that the payment of ``tx`` was applied, but not the payment method the
        client asked to save; when the gateway was unavailable, answer 503 so that it
        sends the notification again (applied again: only the saving is left to do)."""
        if event.token_retry:
            note = self.env._(
                "The payment was recorded, but the payment method was not saved:"
                " %(error)s. %(gateway)s sends the notification again, which saves it.",
                error=event.token_error,
                gateway=gateway.name,
            )
        else:
            note = self.env._(
                "The payment was recorded, but %(gateway)s did not save the payment"
                " method: %(error)s",
                gateway=gateway.name,
                error=event.token_error,
            )
        _logger.warning("%s: %s: %s", gateway.name, tx.reference, note)
        values.update(
            token_failure="retry" if event.token_retry else "refused",
            message=" ".join(filter(None, [values.get("message"), note])),
        )
        record.write(values)
        if event.token_retry:
            return 503, "payment method not saved"
        return 200, values["state"]

    @api.model
    def _invoicera_refused(self, provider, gateway, body, error):
        """Record a signed delivery whose object the gateway's API refuses to show.

        It is acknowledged (200) and kept as ignored, with the gateway's answer, and
        marked refused by the gateway (listed under Problems: the merchant checks the
        account and mode); a delivery of the same body again is a duplicate.
        """
        _logger.warning(
            "%s: webhook not applied, its object cannot be read (not retried): %s",
            gateway.name,
            error,
        )
        message = self.env._(
            "Not applied, as the gateway will not show what the notification is about"
            " (%(error)s): look it up in the gateway's dashboard if it concerns one of"
            " your payments.",
            error=str(error),
        )
        record = self._invoicera_insert(
            provider,
            {
                "event_key": hashlib.sha256(body).hexdigest(),
                "state": "ignored",
                "message": message,
                "refused_by_gateway": True,
            },
        )
        if not record:
            return 200, "duplicate"
        return 200, "not applied"
