"""Square: hosted checkout (payment links), cards on file, refunds.

Documentation used:

- Checkout API, payment links:
  https://developer.squareup.com/docs/checkout-api/quick-pay-checkout and
  https://developer.squareup.com/reference/square/checkout-api/create-payment-link
  (``order`` with ``reference_id``, ``checkout_options.redirect_url``,
  ``payment_note`` "added to the resulting Payment", ``idempotency_key`` in the body);
  https://developer.squareup.com/docs/checkout-api/guidelines-and-limitations
- Webhooks: https://developer.squareup.com/docs/webhooks/step3validate
  (``x-square-hmacsha256-signature`` = base64 HMAC-SHA256 of notification URL + raw
  body under the subscription's signature key) and
  https://developer.squareup.com/reference/square/webhooks/payment.updated
- Payments: https://developer.squareup.com/reference/square/payments-api/create-payment
  (statuses APPROVED, PENDING, COMPLETED, CANCELED, FAILED)
- Refunds: https://developer.squareup.com/reference/square/refunds-api/refund-payment
- Cards on file: https://developer.squareup.com/docs/cards-api/walkthrough/card-from-payment-id
  (``POST /v2/cards`` with ``source_id`` = a payment ID and a customer ID) and
  https://developer.squareup.com/reference/square/customers-api/create-customer
- Idempotency: https://developer.squareup.com/docs/build-basics/common-api-patterns/idempotency

Square has no idempotency *header*: every create call carries an
``idempotency_key`` field in its JSON body, which :meth:`Square.post` fills with
the stable per-transaction key, so a retried call returns the first result.

Tokenization: the payment-link page has no "save my card" option of its own,
but Square stores a card on file from the ID of a card payment (Cards API,
"Create a Card on File from a Payment ID"). When the client asked Odoo to save
the card (``tx.tokenize``), the completed payment's ID is turned into a card on
file for a Square customer (the payment's, or one created from the partner);
the token is ``card id`` + ``customer id``, charged with ``POST /v2/payments``.
Wallet payments (Cash App, Afterpay, Apple Pay) cannot be stored: no token then.
A card Square does not store is never a reason not to record the payment: the
payment is applied, and the notification says the card was not saved (listed
under Problems); when Square was unavailable (or refused our access token), the
notification is answered 503, so that Square sends it again (for 24 hours) and
the next delivery saves the card with the same idempotency keys.
"""

import logging
from urllib.parse import urlencode

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

#: Square API version the payloads below follow (``Square-Version`` header).
SQUARE_VERSION = "2025-01-23"

PAYMENT_STATUSES = {
    "COMPLETED": "done",
    # Payment links complete payments at once (autocomplete); APPROVED is the
    # short step before it, never an authorization Odoo is meant to capture.
    "APPROVED": "pending",
    "PENDING": "pending",
    "CANCELED": "cancel",
    "FAILED": "error",
}
REFUND_STATUSES = {
    "COMPLETED": "done",
    "PENDING": "pending",
    "REJECTED": "error",
    "FAILED": "error",
}
BNPL_METHODS = {"AFTERPAY": "afterpay", "CLEARPAY": "clearpay"}


@register
class Square(Gateway):
    code = "square"
    name = "Square"
    api_url = "https://connect.squareup.com/"
    sandbox_api_url = "https://connect.squareupsandbox.com/"
    regions = "United States, Canada, United Kingdom, Ireland, France, Spain, Australia, Japan"
    countries = ("US", "CA", "GB", "IE", "FR", "ES", "AU", "JP")
    currencies = ("USD", "CAD", "GBP", "EUR", "AUD", "JPY")
    payment_methods = ("card", "cash_app_pay", "afterpay", "clearpay")
    tokenization = True
    refunds = "partial"
    webhook_scheme = (
        "base64 HMAC-SHA256 of notification URL + body with the subscription's signature key"
        " (x-square-hmacsha256-signature)"
    )
    signature_header = "x-square-hmacsha256-signature"
    signs_url = True
    # The idempotency key travels in the JSON body (see the module docstring).
    idempotency_header = ""
    credentials = {
        "invoicera_account_id": _lt("Location ID (payments are taken for this location)"),
        "invoicera_secret_key": _lt("Access token (sandbox or production)"),
        "invoicera_webhook_secret": _lt(
            "Webhook subscription signature key; the subscription's"
            " notification URL must be exactly the Webhook URL shown below"
        ),
    }

    def auth_headers(self):
        return {
            "Authorization": f"Bearer {self.provider.invoicera_secret_key}",
            "Square-Version": SQUARE_VERSION,
        }

    def error_message(self, body):
        if isinstance(body, dict) and body.get("errors"):
            return "; ".join(
                error.get("detail") or error.get("code") or "" for error in body["errors"]
            )
        return super().error_message(body)

    def post(self, path, payload, key):
        """POST with Square's body idempotency key (``key``: a stable per-operation key)."""
        return self.request("POST", path, {"idempotency_key": key, **payload}, idempotency_key=key)

    def money(self, amount, currency):
        return {"amount": self.minor(amount, currency), "currency": currency.name}

    # -- signatures --------------------------------------------------------------

    def verify(self, delivery, now=None):
        if not delivery.url:
            return False
        expected = utils.hmac_base64(
            self.signing_secret(), delivery.url.encode() + delivery.body, "sha256"
        )
        return utils.signatures_match(expected, delivery.headers.get(self.signature_header, ""))

    # -- checkout ------------------------------------------------------------------

    def create_checkout(self, tx, return_url, webhook_url):
        payload = {
            "description": tx.reference,
            "order": {
                "location_id": self.provider.invoicera_account_id,
                "reference_id": tx.reference[:40],
                "line_items": [
                    {
                        "name": tx.reference,
                        "quantity": "1",
                        "base_price_money": self.money(tx.amount, tx.currency_id),
                    }
                ],
            },
            "checkout_options": {
                "redirect_url": f"{return_url}?{urlencode({'reference': tx.reference})}",
                "ask_for_shipping_address": False,
            },
            # Square copies this note onto the resulting Payment: it is how the
            # payment.* webhooks name our transaction.
            "payment_note": tx.reference,
        }
        if tx.partner_email:
            payload["pre_populated_data"] = {"buyer_email": tx.partner_email}
        answer = self.post(
            "v2/online-checkout/payment-links", payload, self.idempotency_key(tx, "create")
        )
        return Checkout(url=answer["payment_link"]["url"])

    # -- payments --------------------------------------------------------------------

    @staticmethod
    def payment_method_of(payment):
        source = payment.get("source_type")
        if source == "CARD":
            return "card"
        if source == "WALLET" and (payment.get("wallet_details") or {}).get("brand") == "CASH_APP":
            return "cash_app_pay"
        if source == "BUY_NOW_PAY_LATER":
            brand = (payment.get("buy_now_pay_later_details") or {}).get("brand")
            return BNPL_METHODS.get(brand, "")
        return ""

    def event_from_payment(self, payment, key=""):
        money = payment.get("amount_money") or {}
        errors = (payment.get("card_details") or {}).get("errors") or []
        return GatewayEvent(
            status=PAYMENT_STATUSES.get(payment.get("status"), "ignore"),
            # the note carries the full reference (reference_id stops at 40 characters)
            reference=payment.get("note") or payment.get("reference_id") or "",
            provider_reference=payment.get("id", ""),
            key=key,
            amount=money.get("amount"),
            currency=money.get("currency", ""),
            message="; ".join(error.get("detail") or error.get("code", "") for error in errors),
            payment_method=self.payment_method_of(payment),
        )

    def event_from_refund(self, refund, reference="", key=""):
        money = refund.get("amount_money") or {}
        return GatewayEvent(
            status=REFUND_STATUSES.get(refund.get("status"), "ignore"),
            reference=reference,
            provider_reference=refund.get("id", ""),
            key=key,
            amount=money.get("amount"),
            currency=money.get("currency", ""),
            refund_of=refund.get("payment_id") or "",
            # Odoo's refunds carry the refund transaction's reference as reason.
            refund_reference=refund.get("reason") or "",
        )

    def parse_notification(self, delivery):
        payload = delivery.json()
        kind = payload.get("type", "")
        item = (payload.get("data") or {}).get("object") or {}
        key = payload.get("event_id") or ""
        if kind in ("payment.created", "payment.updated"):
            payment = item.get("payment") or {}
            if not (payment.get("note") or payment.get("reference_id")):
                return None  # a point-of-sale or other application's payment
            event = self.event_from_payment(payment, key=key)
            if event.status == "done":
                self.save_card(payment, event)
            return event
        if kind in ("refund.created", "refund.updated"):
            return self.event_from_refund(item.get("refund") or {}, key=key)
        return None

    def fetch_status(self, tx):
        # The return URL does not name the payment; the webhook will, unless we know it.
        if not tx.provider_reference:
            return None
        return self.event_from_payment(
            self.request("GET", f"v2/payments/{tx.provider_reference}")["payment"]
        )

    # -- cards on file --------------------------------------------------------------

    def save_card(self, payment, event):
        """Store the card of a completed payment when the client asked to.

        Sets ``event.token``; or, when Square does not store it, ``event.token_error``
        (the payment is applied all the same): with ``event.token_retry`` when
        Square is unavailable or refuses our credentials, so that the notification
        is answered 503 and sent again (the same idempotency keys then give the
        customer and card of the first attempt, if Square made them).
        """
        reference = event.reference
        if payment.get("source_type") != "CARD" or not reference:
            return
        tx = (
            self.provider.env["payment.transaction"]
            .sudo()
            .search(
                [("provider_id", "=", self.provider.id), ("reference", "=", reference)], limit=1
            )
        )
        if not tx.tokenize or tx.token_id:
            return
        try:
            customer_id = payment.get("customer_id") or self.create_customer(tx)
            card = self.post(
                "v2/cards",
                {
                    "source_id": payment["id"],
                    "card": {"customer_id": customer_id, "reference_id": str(tx.partner_id.id)},
                },
                self.idempotency_key(tx, "card"),
            )["card"]
            card_id = card["id"]
        except (KeyError, TypeError) as error:
            # Answered, but without the card (a changed or truncated answer): kept
            # as refused; the payment itself is applied.
            _logger.warning("%s: card of %s not saved: %r", self.name, reference, error)
            event.token_error = _("Square's answer held no card.")
            return
        except ValidationError as error:
            # The payment itself is fine; only the card could not be kept (yet).
            _logger.warning("%s: card of %s not saved: %s", self.name, reference, error)
            event.token_error = str(error)
            event.token_retry = isinstance(error, GatewayUnavailable | GatewayMisconfigured)
            return
        event.token = {
            "provider_ref": card_id,
            "payment_details": card.get("last_4", ""),
            "customer_ref": customer_id,
        }

    def create_customer(self, tx):
        partner = tx.partner_id
        values = {"reference_id": str(partner.id)}
        if partner.name:
            values["given_name"] = partner.name
        if tx.partner_email:
            values["email_address"] = tx.partner_email
        answer = self.post("v2/customers", values, self.idempotency_key(tx, "customer"))
        return answer["customer"]["id"]

    def charge_token(self, tx):
        token = tx.token_id
        payload = {
            "source_id": token.provider_ref,
            "customer_id": token.invoicera_customer_ref,
            "amount_money": self.money(tx.amount, tx.currency_id),
            "location_id": self.provider.invoicera_account_id,
            "reference_id": tx.reference[:40],
            "note": tx.reference,
            "autocomplete": True,
        }
        answer = self.post("v2/payments", payload, self.idempotency_key(tx, "charge"))
        return self.event_from_payment(answer["payment"])

    # -- refunds ----------------------------------------------------------------------

    def refund(self, tx, refund_tx, amount):
        payload = {
            "payment_id": tx.provider_reference,
            "amount_money": self.money(amount, tx.currency_id),
            "reason": refund_tx.reference,
        }
        # One key per refund transaction: two partial refunds are two refunds.
        answer = self.post("v2/refunds", payload, self.idempotency_key(refund_tx, "refund"))
        return self.event_from_refund(answer["refund"], reference=refund_tx.reference)
