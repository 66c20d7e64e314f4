"""Revolut Merchant: hosted checkout page, signed webhooks, refunds, saved payment methods.

Documentation used (Merchant API, version pinned in ``API_VERSION``):

- Merchant API reference (OpenAPI ``2026-04-20``): https://developer.revolut.com/docs/api/merchant
  - Create an order ``POST /api/orders``, Retrieve an order ``GET /api/orders/{order_id}``,
    Retrieve an order list ``GET /api/orders?merchant_order_data_reference=``,
    Refund an order ``POST /api/orders/{order_id}/refund`` (``Idempotency-Key``),
    Pay for an order ``POST /api/orders/{order_id}/payments``, Webhook event.
- Hosted checkout page via the API:
  https://developer.revolut.com/docs/guides/merchant/accept-payments/online-payments/hosted-checkout-page/api
- Webhook signature:
  https://developer.revolut.com/docs/guides/merchant/monitor-and-observe/webhooks/verify-the-payload-signature
- Saved payment methods (merchant initiated):
  https://developer.revolut.com/docs/guides/merchant/optimise-checkout/save-payment-methods/charge-saved-payment-method
  and the Checkout Widget ``RevolutCheckout(token, mode).payWithPopup({savePaymentMethodFor})``
  (https://developer.revolut.com/docs/sdks/merchant-web-sdk/initialize-widget/revolut-checkout).

How it works:

- Checkout: an order is created with our reference in ``merchant_order_data.reference`` and the
  client goes to its ``checkout_url`` (Revolut's hosted page: card, Apple Pay, Google Pay,
  Revolut Pay). When the client asked to save the payment method, the hosted page cannot save it
  for merchant-initiated payments, so the client goes instead to a small page of ours
  (``controllers.py``) opening Revolut's Checkout Widget with ``savePaymentMethodFor: merchant``;
  its URL carries an access token bound to the transaction, and the order's public token the
  widget needs is read from Revolut by that page, never taken from the URL.
- Refunds: a refund is an order of its own (``type: refund``, ``related_order_id`` naming the
  payment's order), monitored "via webhooks or Retrieve an order"
  (https://developer.revolut.com/docs/api/merchant/2026-09-22/operations/refund-order.md):
  the notification of one made in Revolut's dashboard is reported as refunded outside Odoo.
- Webhooks: ``Revolut-Signature: v1=<hex HMAC-SHA256(signing secret, "v1.<timestamp>.<body>")>``,
  several comma-separated signatures during a secret rotation, ``Revolut-Request-Timestamp`` in
  milliseconds checked against a 5-minute tolerance. The body only carries ``event``,
  ``order_id`` and ``merchant_order_ext_ref``: the order is then retrieved from the API and its
  state, amount and currency are what gets applied (so the amount check is real).
- Idempotency: Revolut documents ``Idempotency-Key`` on refunds (one key per refund
  transaction, so two partial refunds never collapse into one). The key is also sent when
  creating and paying orders, where Revolut documents none: what makes a retried token charge
  safe is that it first looks for the order already created for the reference
  (``merchant_order_data_reference``) and pays it only while it is still ``pending``.
"""

from urllib.parse import urlencode

from odoo.tools.translate import LazyTranslate

from ... import utils
from ..base import Checkout, Gateway, GatewayEvent, register
from . import controllers

_lt = LazyTranslate(__name__)

API_VERSION = "2026-04-20"

#: order ``state`` -> GatewayEvent status (capture is automatic: ``authorised`` is transient).
#: ``pending`` is an order awaiting payment (created, or open again after a failed attempt),
#: which the return reads as nothing paid (``fetch_status``); ``processing`` once the client
#: pressed Pay (https://developer.revolut.com/docs/guides/merchant/reference/order-lifecycle).
ORDER_STATES = {
    "pending": "pending",
    "processing": "pending",
    "authorised": "pending",
    "completed": "done",
    "cancelled": "cancel",
    "failed": "error",
}

#: payment ``state`` (Pay for an order answer) -> GatewayEvent status
PAYMENT_STATES = {
    "captured": "done",
    "completed": "done",
    "declined": "error",
    "soft_declined": "error",
    "failed": "error",
    "declining": "error",
    "failing": "error",
    "cancelled": "cancel",
    "cancelling": "cancel",
}

#: order events we act on; the others (authentication, incremental authorisation, payouts,
#: disputes, subscriptions) say nothing about whether the invoice is paid
ORDER_EVENTS = (
    "ORDER_COMPLETED",
    "ORDER_AUTHORISED",
    "ORDER_CANCELLED",
    "ORDER_FAILED",
    "ORDER_PAYMENT_DECLINED",
    "ORDER_PAYMENT_FAILED",
)

#: Revolut payment method ``type`` -> Odoo payment.method code
METHODS = {
    "card": "card",
    "apple_pay": "card",
    "google_pay": "card",
    "revolut_pay": "revolut_pay",
    "revolut_pay_card": "revolut_pay",
    "revolut_pay_account": "revolut_pay",
}

# The European Economic Area, the United Kingdom and the United States.
EEA = (
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO"
).split()


@register
class Revolut(Gateway):
    code = "revolut"
    name = "Revolut"
    api_url = "https://merchant.revolut.com/api/"
    sandbox_api_url = "https://sandbox-merchant.revolut.com/api/"
    regions = "United Kingdom, European Economic Area, United States"
    countries = ("GB", "US", *EEA)
    # Card payment currencies of Revolut's own e-commerce plugins (Help Center: "In which
    # currencies can I accept payments?"); amounts in ISO 4217 minor units (ISK and JPY have
    # none, BHD, KWD and OMR have three).
    currencies = (
        "AED AUD BGN BHD CAD CHF CZK DKK EUR GBP HKD HUF ILS ISK JPY KWD MXN NOK NZD OMR PLN"
        " QAR RON SAR SEK SGD TRY UAH USD ZAR"
    ).split()
    payment_methods = ("card", "revolut_pay")
    tokenization = True
    refunds = "partial"
    webhook_scheme = (
        "HMAC-SHA256 of v1.<timestamp>.<body> with the signing secret (Revolut-Signature,"
        " Revolut-Request-Timestamp); order fetched from the API"
    )
    signature_header = "Revolut-Signature"
    timestamp_header = "Revolut-Request-Timestamp"
    timestamp_tolerance = 300
    idempotency_header = "Idempotency-Key"
    credentials = {
        "invoicera_secret_key": _lt(
            "Merchant API Secret key (sk_...), Revolut Business > APIs > Merchant API"
        ),
        "invoicera_webhook_secret": _lt(
            "Signing secret (wsk_...) of the webhook created with"
            " POST /api/webhooks for the Webhook URL below (events ORDER_COMPLETED,"
            " ORDER_AUTHORISED, ORDER_CANCELLED, ORDER_FAILED, ORDER_PAYMENT_DECLINED,"
            " ORDER_PAYMENT_FAILED)"
        ),
    }

    def auth_headers(self):
        return {**super().auth_headers(), "Revolut-Api-Version": API_VERSION}

    # -- webhooks --------------------------------------------------------------------

    def verify(self, delivery, now=None):
        timestamp = delivery.headers.get(self.timestamp_header, "")
        if not self.timestamp_is_fresh(timestamp, now):
            return False
        signed = b"v1." + timestamp.encode() + b"." + delivery.body
        expected = "v1=" + utils.hmac_hex(self.signing_secret(), signed)
        received = delivery.headers.get(self.signature_header, "")
        return any(
            utils.signatures_match(expected, signature.strip()) for signature in received.split(",")
        )

    def parse_notification(self, delivery):
        payload = delivery.json()
        event, order_id = payload.get("event", ""), payload.get("order_id")
        if event not in ORDER_EVENTS or not order_id:
            return None
        # The body carries no amount: what Revolut says about the order is what counts.
        order = self.request("GET", f"orders/{order_id}")
        status = ORDER_STATES.get(order.get("state"), "ignore")
        if status == "pending" and event in ("ORDER_PAYMENT_DECLINED", "ORDER_PAYMENT_FAILED"):
            # The order stays open for another attempt; a later ORDER_COMPLETED still confirms.
            status = "error"
        result = self.event_from_order(order, key=f"{event}:{order_id}", status=status)
        if order.get("type") == "refund":
            return self.refund_notification(order, result)
        result.reference = result.reference or payload.get("merchant_order_ext_ref", "")
        return result

    def refund_notification(self, order, result):
        """The notification of a refund order (Refund an order: ``type: refund``,
        linked to the payment's order by ``related_order_id``). Odoo's refunds carry
        their refund transaction's reference; one made in Revolut's dashboard is
        reported as refunded outside Odoo (by the shared webhook code)."""
        result.token = None
        result.refund_of = order.get("related_order_id") or ""
        result.refund_reference = result.reference
        payment = self.transaction_known_as(result.refund_of)
        if payment and result.reference == payment.reference:
            # the payment's own reference would match the payment, not a refund
            result.reference = ""
        return result

    def event_from_order(self, order, key="", status=None):
        payments = order.get("payments") or []
        paid = [p for p in payments if p.get("state") in ("captured", "completed")]
        payment = paid[-1] if paid else (payments[-1] if payments else {})
        method = payment.get("payment_method") or {}
        token = None
        if paid and method.get("id"):
            # Only saved payment methods carry an id.
            token = {
                "provider_ref": method["id"],
                "payment_details": method.get("card_last_four", ""),
                "customer_ref": (order.get("customer") or {}).get("id"),
            }
        status = status or ORDER_STATES.get(order.get("state"), "ignore")
        return GatewayEvent(
            status=status,
            reference=(order.get("merchant_order_data") or {}).get("reference", ""),
            provider_reference=order.get("id", ""),
            key=key,
            amount=order.get("amount"),
            currency=order.get("currency", ""),
            message=payment.get("decline_reason", "") if status == "error" else "",
            token=token,
            payment_method=METHODS.get(method.get("type"), ""),
        )

    # -- checkout ----------------------------------------------------------------------

    def order_payload(self, tx):
        return {
            "amount": self.minor(tx.amount, tx.currency_id),
            "currency": tx.currency_id.name,
            "description": tx.reference,
            "merchant_order_data": {"reference": tx.reference},
        }

    def create_checkout(self, tx, return_url, webhook_url):
        back = f"{return_url}?{urlencode({'reference': tx.reference})}"
        payload = {**self.order_payload(tx), "redirect_url": back}
        if tx.partner_email:
            # With an email Revolut creates the customer the saved method will belong to.
            payload["customer"] = {"email": tx.partner_email}
        order = self.request(
            "POST", "orders", payload, idempotency_key=self.idempotency_key(tx, "create")
        )
        if tx.tokenize:
            # The hosted page cannot save a method for merchant-initiated payments: the
            # Checkout Widget on our page does (savePaymentMethodFor: merchant). The page's
            # URL is bound to the transaction; it reads the order's token from Revolut.
            return Checkout(
                url=tx.provider_id._invoicera_url("pay"),
                params={
                    "reference": tx.reference,
                    "access_token": controllers.page_access_token(tx),
                },
                provider_reference=order["id"],
            )
        return Checkout(url=order["checkout_url"], provider_reference=order["id"])

    def fetch_status(self, tx):
        if not tx.provider_reference:
            return None
        order = self.request("GET", f"orders/{tx.provider_reference}")
        if order.get("state") == "pending":
            # No payment under way: the client left the checkout (or closed the widget)
            # without paying. Nothing is paid, and no webhook will come until someone
            # pays the order.
            return self.event_from_order(order, status="ignore")
        return self.event_from_order(order)

    def error_message(self, body):
        if isinstance(body, dict) and body.get("message"):
            return f"{body['message']} ({body.get('code', '')})".replace(" ()", "")
        return super().error_message(body)

    # -- refunds -----------------------------------------------------------------------

    def refund(self, tx, refund_tx, amount):
        payload = {
            "amount": self.minor(amount, tx.currency_id),
            "currency": tx.currency_id.name,
            "merchant_order_data": {"reference": refund_tx.reference},
            "description": refund_tx.reference,
        }
        order = self.request(
            "POST",
            f"orders/{tx.provider_reference}/refund",
            payload,
            idempotency_key=self.idempotency_key(refund_tx, "refund"),
        )
        result = self.event_from_order(order)
        result.reference = refund_tx.reference
        return result

    # -- saved payment methods -----------------------------------------------------------

    def existing_order(self, tx):
        """The order a previous, interrupted attempt created for ``tx``, if any."""
        if tx.provider_reference:
            return self.request("GET", f"orders/{tx.provider_reference}")
        if not tx.invoicera_retry:
            return None
        found = self.request(
            "GET", "orders", params={"merchant_order_data_reference": tx.reference}
        )
        orders = [o for o in found.get("orders") or [] if o.get("type", "payment") == "payment"]
        return self.request("GET", f"orders/{orders[0]['id']}") if orders else None

    def charge_token(self, tx):
        token = tx.token_id
        key = self.idempotency_key(tx, "charge")
        order = self.existing_order(tx)
        if order is None:
            payload = self.order_payload(tx)
            if token.invoicera_customer_ref:
                payload["customer"] = {"id": token.invoicera_customer_ref}
            order = self.request("POST", "orders", payload, idempotency_key=key)
        elif order.get("state") != "pending":
            # Already paid (or closed) by the attempt that timed out: never pay twice.
            return self.event_from_order(order)
        method_type = "revolut_pay" if token.payment_method_id.code == "revolut_pay" else "card"
        payment = self.request(
            "POST",
            f"orders/{order['id']}/payments",
            {
                "saved_payment_method": {
                    "type": method_type,
                    "id": token.provider_ref,
                    "initiator": "merchant",
                }
            },
            idempotency_key=key,
        )
        status = PAYMENT_STATES.get(payment.get("state"), "pending")
        method = payment.get("payment_method") or {}
        return GatewayEvent(
            status=status,
            reference=tx.reference,
            provider_reference=order["id"],
            amount=payment.get("amount", order.get("amount")),
            currency=payment.get("currency") or order.get("currency", ""),
            message=payment.get("decline_reason", ""),
            payment_method=METHODS.get(method.get("type"), ""),
        )
