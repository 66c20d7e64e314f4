"""Paystack: https://paystack.com/docs/api/ (Nigeria, Ghana, South Africa, Kenya).

Paystack references accept only letters, digits, ``-``, ``.`` and ``=``: Odoo's
(``INV/2026/00042``) are sent sanitized, kept as the transaction's provider
reference, and Odoo's own travels in ``metadata.invoicera_reference``.

Paystack has no idempotency key:

- a saved-card charge is identified by its reference, which Paystack refuses
  to charge twice; a retried charge (``invoicera_retry``) therefore first asks
  ``GET transaction/verify/<reference>`` and returns what Paystack has instead
  of charging again;
- a refund carries our refund reference in ``merchant_note``; before creating
  one, ``GET refund?transaction=...`` (List Refunds) is asked for a refund of
  the same amount with that note, which a timed-out earlier attempt made.

Refunds are mostly answered "pending"/"processing" and completed by the
``refund.processed`` / ``refund.failed`` webhooks
(https://paystack.com/docs/payments/refunds/#listen-to-notifications). Their
payload names the refunded transaction (``transaction_reference``), the amount
and currency, but not the refund id (only ``refund.needs-attention`` has an
``id``): the refund transaction is the oldest unfinished refund of that
payment with that amount.

A refund webhook matching no unfinished refund of Odoo's is looked up in List
Refunds of the payment (``GET refund?transaction=...``), whose ``merchant_note``
tells Odoo's refunds (their refund transaction's reference) from the others: one
made in Paystack's dashboard is reported once as refunded outside Odoo (under
Problems and on the invoice), Odoo's own whose transaction is not committed yet is
answered 409 and sent again, and one finished already changes nothing.
"""

import json
import logging
import re

from odoo import _
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ... import utils
from ..base import (
    Checkout,
    Gateway,
    GatewayEvent,
    GatewayMisconfigured,
    GatewayUnavailable,
    register,
)

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

STATUSES = {
    "success": "done",
    "pending": "pending",
    "ongoing": "pending",
    "processing": "pending",
    "queued": "pending",
    # Begun but not completed: the client may still be on the checkout page,
    # and pays on the same reference. Not final, so nothing is changed; only
    # a final status closes a transaction.
    "abandoned": "ignore",
    "reversed": "cancel",
    "failed": "error",
}
#: refund ``status`` (Create/List Refund answers) and ``refund.*`` webhook events
REFUND_STATUSES = {
    "processed": "done",
    "failed": "error",
    "pending": "pending",
    "processing": "pending",
    "needs-attention": "pending",
}
REFUND_EVENTS = (
    "refund.pending",
    "refund.processing",
    "refund.needs-attention",
    "refund.processed",
    "refund.failed",
)


def paystack_reference(reference):
    return re.sub(r"[^A-Za-z0-9.=-]", "-", reference)


@register
class Paystack(Gateway):
    code = "paystack"
    name = "Paystack"
    api_url = "https://api.paystack.co/"
    regions = "Nigeria, Ghana, South Africa, Kenya"
    countries = ("NG", "GH", "ZA", "KE")
    currencies = ("NGN", "GHS", "ZAR", "KES", "USD")
    payment_methods = ("card", "bank_transfer", "ussd", "mobile_money")
    tokenization = True
    refunds = "partial"
    webhook_scheme = "HMAC-SHA512 of the body with the secret key (x-paystack-signature)"
    signature_header = "x-paystack-signature"
    # Paystack has no idempotency header: the transaction reference is unique
    # at Paystack, so a retried charge with the same reference is refused.
    idempotency_header = ""
    credentials = {
        "invoicera_public_key": _lt("Public Key (pk_...)"),
        "invoicera_secret_key": _lt(
            "Secret Key (sk_...); Paystack also signs its webhooks with it"
        ),
    }

    def signing_secret(self):
        return self.provider.invoicera_secret_key

    def verify(self, delivery, now=None):
        expected = utils.hmac_hex(self.signing_secret(), delivery.body, "sha512")
        return utils.signatures_match(
            expected, delivery.headers.get(self.signature_header, "").lower()
        )

    def error_message(self, body):
        return body.get("message", "") if isinstance(body, dict) else ""

    def create_checkout(self, tx, return_url, webhook_url):
        payload = {
            "email": tx.partner_email,
            "amount": self.minor(tx.amount, tx.currency_id),
            "currency": tx.currency_id.name,
            "reference": paystack_reference(tx.reference),
            "callback_url": return_url,
            "metadata": {
                "invoicera_reference": tx.reference,
                "cancel_action": f"{return_url}?reference={paystack_reference(tx.reference)}",
            },
        }
        data = self.request("POST", "transaction/initialize", payload)["data"]
        return Checkout(url=data["authorization_url"], provider_reference=payload["reference"])

    def event_from_charge(self, charge, key=""):
        authorization = charge.get("authorization") or {}
        token = None
        if authorization.get("reusable") and authorization.get("authorization_code"):
            token = {
                "provider_ref": authorization["authorization_code"],
                "payment_details": authorization.get("last4", ""),
                "customer_ref": (charge.get("customer") or {}).get("email"),
            }
        metadata = charge.get("metadata")
        if isinstance(metadata, str):
            # Paystack's metadata is stringified JSON, sent back as it was given
            try:
                metadata = json.loads(metadata)
            except ValueError:
                metadata = None
        reference = metadata.get("invoicera_reference", "") if isinstance(metadata, dict) else ""
        return GatewayEvent(
            status=STATUSES.get(charge.get("status"), "ignore"),
            reference=reference,
            # Odoo gives every charge it makes its reference in the metadata: a
            # charge without it (another shop, a payment page on this account,
            # whose webhook URL is the account's) is not Odoo's, and never will be
            not_ours=""
            if reference
            else _(
                "Paystack reports charge %(charge)s, which carries no Odoo reference: "
                "Odoo did not make it (another shop or a payment page of this Paystack "
                "account), so nothing was changed in Odoo.",
                charge=charge.get("reference") or charge.get("id") or "?",
            ),
            provider_reference=charge.get("reference", ""),
            key=key,
            amount=charge.get("amount"),
            currency=charge.get("currency", ""),
            message=charge.get("gateway_response", ""),
            token=token,
            payment_method=charge.get("channel", ""),
        )

    def parse_notification(self, delivery):
        payload = delivery.json()
        event = payload.get("event", "")
        if event in REFUND_EVENTS:
            return self._refund_event(event, payload.get("data") or {})
        if event not in ("charge.success", "charge.failed"):
            return None
        charge = payload.get("data") or {}
        return self.event_from_charge(charge, key=f"{event}:{charge.get('id')}")

    def _refund_event(self, event, data):
        """The event of a ``refund.*`` webhook: for our refund transaction, for a
        refund of one of our payments made outside Odoo, or None."""
        try:
            amount = int(data.get("amount"))
        except (TypeError, ValueError):
            amount = None
        status = REFUND_STATUSES.get(data.get("status") or event.split(".", 1)[1], "pending")
        message = ""
        if status != "done":
            message = _(
                "Paystack reports the refund as %(status)s.", status=data.get("status") or event
            )
        refund_tx = self._refund_tx_of(data)
        if not refund_tx:
            # made outside Odoo, Odoo's own not committed yet, or finished already
            return self._listed_refund_event(data, status, amount, message)
        return GatewayEvent(
            status=status,
            reference=refund_tx.reference,
            provider_reference=str(data["id"]) if data.get("id") else "",
            # No event id: an id-less event is keyed on its body (a redelivery
            # repeats it), never on the refund transaction it was matched to.
            key=f"{event}:{data['id']}" if data.get("id") else "",
            amount=amount,
            currency=data.get("currency") or "",
            message=message,
        )

    def _listed_refund_event(self, data, status, amount, message):
        """The event of a refund webhook that matches no unfinished refund of Odoo's,
        about the refund List Refunds shows for it; None when it is not of a
        confirmed payment of ours, or Paystack lists no such refund.

        The webhook names neither the refund's id nor its ``merchant_note``: of the
        payment's refunds of that amount, the one in the webhook's status is taken,
        and among those a refund made outside Odoo not reported yet (reported
        already, for a failure), then Odoo's own not committed yet (sent again),
        then Odoo's own (finished already: changes nothing).
        """
        payment = self._payment_of(data.get("transaction_reference"))
        if (
            not payment
            or payment.state != "done"
            or not payment.provider_reference
            or amount is None
        ):
            return None
        currency = (data.get("currency") or payment.currency_id.name).upper()
        transaction = payment.provider_reference
        refunds = [
            refund
            for refund in self._matching_refunds(
                self._listed_refunds(transaction, currency), transaction, amount
            )
            if refund.get("id") and (refund.get("currency") or currency).upper() == currency
        ]
        if not refunds:
            return None
        own_txs = payment.child_transaction_ids.filtered(lambda tx: tx.operation == "refund")
        own_ids = set(own_txs.mapped("provider_reference"))
        own_notes = set(own_txs.mapped("reference"))
        reported = set(
            self.env["invoicera.gateway.event"]
            .sudo()
            .search(
                [
                    ("provider_id", "=", self.provider.id),
                    ("state", "=", "outside"),
                    ("reference", "in", [str(refund["id"]) for refund in refunds]),
                ]
            )
            .mapped("reference")
        )
        failed = status in ("error", "cancel")

        def rank(refund):
            refund_id = str(refund["id"])
            note = (refund.get("merchant_note") or "").strip()
            if refund_id in own_ids or note in own_notes:
                kind = 2  # Odoo's own, finished already
            elif self.names_own_refund(payment, note):
                kind = 1  # Odoo's own, its transaction not committed yet
            elif (refund_id in reported) == failed:
                kind = 0  # outside Odoo: a new one, or the failure of one reported
            else:
                kind = 3
            return (REFUND_STATUSES.get(refund.get("status")) != status, kind)

        refund = min(refunds, key=rank)
        note = (refund.get("merchant_note") or "").strip()
        return GatewayEvent(
            status=status,
            # Odoo's own refund is found by its id, or by its reference (the note)
            reference=note if note in own_notes else "",
            provider_reference=str(refund["id"]),
            amount=amount,
            currency=currency,
            message=message,
            refund_of=transaction,
            refund_reference=note,
        )

    def _payment_of(self, reference):
        """Our payment Paystack knows as ``reference`` (a refund's ``transaction_reference``)."""
        transactions = self.env["payment.transaction"]
        if not reference:
            return transactions
        return self.transaction_known_as(reference) or transactions.search(
            [
                ("provider_id", "=", self.provider.id),
                ("operation", "!=", "refund"),
                ("reference", "=", reference),
            ],
            limit=1,
        )

    def _refund_tx_of(self, data):
        """The refund transaction a refund webhook is about.

        By the refund id when the webhook carries it, else the oldest refund
        of the paid transaction (``transaction_reference``) with that amount
        that is not finished yet.
        """
        transactions = self.env["payment.transaction"]
        refund_tx = self.transaction_known_as(data.get("id"), refund=True)
        if refund_tx:
            return refund_tx
        payment = self._payment_of(data.get("transaction_reference"))
        if not payment:
            return transactions
        refunds = payment.child_transaction_ids.filtered(
            lambda tx: tx.operation == "refund" and tx.state in ("draft", "pending")
        ).sorted("id")
        try:
            amount = int(data.get("amount"))
        except (TypeError, ValueError):
            return transactions
        return refunds.filtered(
            lambda refund: self.minor(abs(refund.amount), refund.currency_id) == amount
        )[:1]

    def parse_return(self, data):
        return data.get("reference") or data.get("trxref") or ""

    def fetch_status(self, tx):
        reference = tx.provider_reference or paystack_reference(tx.reference)
        data = self.request("GET", f"transaction/verify/{reference}")["data"]
        return self.event_from_charge(data)

    def charge_token(self, tx):
        if tx.invoicera_retry:
            # The earlier attempt timed out: Paystack may have charged it, and
            # refuses a second charge with the same reference.
            known = self._charged_before(tx)
            if known:
                return known
        payload = {
            "email": tx.token_id.invoicera_customer_ref or tx.partner_email,
            "amount": self.minor(tx.amount, tx.currency_id),
            "currency": tx.currency_id.name,
            "authorization_code": tx.token_id.provider_ref,
            "reference": paystack_reference(tx.reference),
            "metadata": {"invoicera_reference": tx.reference},
        }
        data = self.request("POST", "transaction/charge_authorization", payload)["data"]
        return self.event_from_charge(data)

    def _charged_before(self, tx):
        """What Paystack has for ``tx``'s reference (an event), or None if nothing."""
        reference = paystack_reference(tx.reference)
        try:
            data = self.request("GET", f"transaction/verify/{reference}").get("data")
        except GatewayUnavailable:
            # Unknown whether the card was charged: never charge it again blindly.
            raise
        except ValidationError as error:
            # "Transaction reference not found" (4xx): nothing was charged.
            # Any other refusal is repeated by the charge itself.
            _logger.info("Paystack: %s not charged before (%s)", reference, error)
            return None
        if not isinstance(data, dict) or not data.get("status"):
            return None
        event = self.event_from_charge(data)
        event.reference = tx.reference
        event.provider_reference = data.get("reference") or reference
        if event.status == "ignore":  # e.g. "send_otp": the webhook will tell
            event.status = "pending"
        return event

    def refund(self, tx, refund_tx, amount):
        transaction = tx.provider_reference or paystack_reference(tx.reference)
        minor = self.minor(amount, tx.currency_id)
        # Our refund reference travels in merchant_note: a refund an earlier,
        # timed-out attempt created is found there instead of refunding twice.
        data = self._existing_refund(transaction, refund_tx.reference, minor, tx.currency_id.name)
        if not data:
            payload = {
                "transaction": transaction,
                "amount": minor,
                "currency": tx.currency_id.name,
                "merchant_note": refund_tx.reference,
            }
            data = self.request("POST", "refund", payload)["data"]
        return GatewayEvent(
            status=REFUND_STATUSES.get(data.get("status"), "pending"),
            reference=refund_tx.reference,
            provider_reference=str(data.get("id", "")),
            amount=data.get("amount") if isinstance(data.get("amount"), int) else None,
            currency=data.get("currency") or "",
        )

    def _listed_refunds(self, transaction, currency):
        """The refunds of ``transaction`` Paystack lists (List Refunds)."""
        answer = self.request(
            "GET",
            "refund",
            params={"transaction": transaction, "currency": currency, "perPage": 100},
        )
        refunds = answer.get("data") if isinstance(answer, dict) else None
        return refunds if isinstance(refunds, list) else []

    def _existing_refund(self, transaction, note, minor, currency):
        """The refund of ``transaction`` made for our refund ``note``, if any (List Refunds)."""
        try:
            refunds = self._listed_refunds(transaction, currency)
        except (GatewayUnavailable, GatewayMisconfigured):
            # Whether an earlier attempt made the refund is unknown: never refund
            # again blindly (the refund fails clearly and can be asked again).
            raise
        except ValidationError as error:
            _logger.warning("Paystack: refunds of %s could not be listed: %s", transaction, error)
            return None
        return next(
            (
                refund
                for refund in self._matching_refunds(refunds, transaction, minor)
                if (refund.get("merchant_note") or "").strip() == note
            ),
            None,
        )

    @staticmethod
    def _matching_refunds(refunds, transaction, amount):
        """The refunds among ``refunds`` (List Refunds' ``data``) of the Paystack
        transaction ``transaction`` (or naming none) for ``amount`` in minor units."""
        matching = []
        for refund in refunds:
            if not isinstance(refund, dict):
                continue
            if refund.get("transaction_reference") not in (None, "", transaction):
                continue
            try:
                if int(refund.get("amount")) != amount:
                    continue
            except (TypeError, ValueError):
                continue
            matching.append(refund)
        return matching
