"""Paddle Billing: checkout of a server-side transaction, signed webhooks, refunds.

Documentation used:

- Create a transaction ``POST /transactions`` (non-catalog items, ``custom_data``,
  ``checkout.url``): https://developer.paddle.com/api-reference/transactions/create-transaction
  and https://developer.paddle.com/build/transactions/pass-transaction-checkout
- Payment links, approved domains: https://developer.paddle.com/build/transactions/default-payment-link
  and https://developer.paddle.com/changelog/2023/checkout-domains
  (``transaction_checkout_url_domain_is_not_approved``)
- Paddle.js: https://developer.paddle.com/paddle-js/methods/paddle-initialize,
  https://developer.paddle.com/paddle-js/methods/paddle-environment-set
- Webhook signature: https://developer.paddle.com/webhooks/about/signature-verification
  (``Paddle-Signature: ts=<unix>;h1=<hex HMAC-SHA256(secret key, "<ts>:<raw body>")>``,
  several ``h1`` during a secret rotation, five-second tolerance as in Paddle's SDKs)
- Create an adjustment ``POST /adjustments`` (``action: refund``, partial items):
  https://developer.paddle.com/api-reference/adjustments/create-adjustment
- Currencies: https://developer.paddle.com/concepts/sell/supported-currencies and
  https://developer.paddle.com/api-reference/currencies (amounts are strings in the lowest
  denomination); test vectors and sample payloads from Paddle's own Python SDK
  (github.com/PaddleHQ/paddle-python-sdk, tests/Unit/Notification/test_Verifier.py).

Merchant of record and the amount check: Paddle sells on our behalf and adds the tax it owes.
The invoice amount already is what the client owes, so the price is sent with
``tax_mode: internal`` (tax included): Paddle carves its tax out of the amount instead of
adding it, ``details.totals.total`` equals the invoice amount and ``grand_total`` (total less
any credit, i.e. what the client pays) is what we compare. With ``external`` or an account
setting that adds tax on top, every notification would report more than the invoice and be
refused as a mismatch.

Hosted checkout: Paddle has no page of its own for a transaction; its payment link
(``checkout.url``) is a page with Paddle.js on a domain the seller got approved. We pass our
own page (``controllers.py``, ``/payment/invoicera/paddle/pay/<provider>``), so the Odoo
domain must be approved in Paddle > Checkout > Website approval; Paddle appends
``?_ptxn=<transaction>`` and Paddle.js opens the checkout for it.

Tokenization: Paddle can only charge a saved payment method through its own subscriptions;
the API offers no merchant-initiated one-off charge, hence ``tokenization = False``.

Idempotency: the Paddle API takes no idempotency key. A retried checkout creates another
transaction nobody pays; a retried refund first lists the transaction's refund adjustments and
returns the one whose reason names the refund reference instead of creating a second one.
"""

from odoo.tools.translate import LazyTranslate

from ... import utils
from ..base import Checkout, Gateway, GatewayEvent, register

_lt = LazyTranslate(__name__)

#: webhook ``event_type`` -> GatewayEvent status; None: as the transaction's status
#: and payment attempts say (:meth:`Paddle.status_of`)
EVENTS = {
    "transaction.completed": "done",
    "transaction.paid": "done",
    "transaction.payment_failed": "error",
    "transaction.canceled": "cancel",
    # the client typed their details (email, country) at the checkout: the
    # transaction has all it needs to be paid, nothing is paid yet
    "transaction.ready": None,
}

#: transaction ``status`` -> GatewayEvent status (the return from the checkout, transaction.ready).
#: ``draft`` (required fields missing) and ``ready`` (all there) say nothing was paid
#: (transaction entity, ``status``): "ignore", unless a payment attempt is under way.
TRANSACTION_STATUSES = {
    "completed": "done",
    "paid": "done",
    "canceled": "cancel",
    "draft": "ignore",
    "ready": "ignore",
    "billed": "pending",
    "past_due": "pending",
}

#: payment attempt ``status`` of a transaction still ``ready`` whose payment goes on
#: without the client: awaiting the bank or payment provider, or authorized and not
#: captured yet (payment attempt entity, ``status``)
ATTEMPTS_UNDER_WAY = ("pending_no_action_required", "authorized", "authorized_flagged")

#: adjustment ``status`` -> GatewayEvent status (refunds wait for Paddle's approval)
ADJUSTMENT_STATUSES = {
    "pending_approval": "pending",
    "approved": "done",
    "rejected": "error",
    "reversed": "cancel",
}

#: Paddle ``method_details.type`` -> Odoo payment.method code
METHODS = {
    "card": "card",
    "apple_pay": "card",
    "google_pay": "card",
    "south_korea_local_card": "card",
    "korea_local": "card",
    "paypal": "paypal",
    "alipay": "alipay",
    "ideal": "ideal",
    "bancontact": "bancontact",
    "blik": "blik",
    "pix": "pix",
    "upi": "upi",
    "wechat_pay": "wechat_pay",
    "kakao_pay": "kakaopay",
    "naver_pay": "naver_pay",
    "samsung_pay": "samsung_pay",
}


@register
class Paddle(Gateway):
    code = "paddle"
    name = "Paddle"
    api_url = "https://api.paddle.com/"
    sandbox_api_url = "https://sandbox-api.paddle.com/"
    regions = "Worldwide (merchant of record)"
    countries = ()
    # CurrencyCode of Paddle's SDK (CLP and PEN since March 2026); amounts in the lowest
    # denomination, none for JPY and KRW.
    currencies = (
        "USD EUR GBP JPY AUD CAD CHF HKD SGD SEK ARS BRL CLP CNY COP CZK DKK HUF ILS INR KRW"
        " MXN NOK NZD PEN PLN RUB THB TRY TWD UAH VND ZAR"
    ).split()
    payment_methods = (
        "card",
        "paypal",
        "alipay",
        "ideal",
        "bancontact",
        "blik",
        "pix",
        "upi",
        "wechat_pay",
        "kakaopay",
        "naver_pay",
        "samsung_pay",
    )
    tokenization = False
    refunds = "partial"
    webhook_scheme = (
        "HMAC-SHA256 of <ts>:<body> with the destination's secret key (Paddle-Signature)"
    )
    signature_header = "Paddle-Signature"
    # Paddle's SDKs refuse a signature more than five seconds old; a refused delivery is
    # retried by Paddle with a new signature.
    timestamp_tolerance = 5
    idempotency_header = ""
    credentials = {
        "invoicera_public_key": _lt(
            "Client-side token (test_... or live_...), Paddle > Developer"
            " tools > Authentication; Paddle.js uses it on the checkout page"
        ),
        "invoicera_secret_key": _lt(
            "API key (pdl_sdbx_apikey_... or pdl_live_apikey_...) with"
            " the transaction and adjustment permissions"
        ),
        "invoicera_webhook_secret": _lt(
            "Secret key (pdl_ntfset_...) of the notification"
            " destination pointing to the Webhook URL below (events transaction.completed,"
            " transaction.paid, transaction.payment_failed, transaction.canceled,"
            " transaction.ready, adjustment.created, adjustment.updated). This site's domain"
            " must be approved in Paddle > Checkout > Website approval: the checkout opens on it"
        ),
    }

    # -- webhooks --------------------------------------------------------------------

    @staticmethod
    def signature_parts(header):
        """``(ts, [h1, ...])`` of a ``Paddle-Signature`` header."""
        timestamp, hashes = "", []
        for part in (header or "").split(";"):
            name, _sep, value = part.strip().partition("=")
            if name == "ts" and not timestamp:
                timestamp = value
            elif name == "h1":
                hashes.append(value)
        return timestamp, hashes

    def verify(self, delivery, now=None):
        timestamp, hashes = self.signature_parts(delivery.headers.get(self.signature_header))
        if not timestamp.isdigit() or not self.timestamp_is_fresh(timestamp, now):
            return False
        expected = utils.hmac_hex(self.signing_secret(), timestamp.encode() + b":" + delivery.body)
        return any(utils.signatures_match(expected, value) for value in hashes)

    def parse_notification(self, delivery):
        payload = delivery.json()
        event_type = payload.get("event_type", "")
        data = payload.get("data") or {}
        key = payload.get("event_id") or ""
        if event_type in ("adjustment.created", "adjustment.updated"):
            # Refunds wait for Paddle's approval; the refund transaction holds the adjustment id.
            if data.get("action") != "refund":
                return None
            return self.event_from_adjustment(data, key=key)
        if event_type not in EVENTS:
            return None
        if event_type == "transaction.payment_failed" and (
            self.transaction_known_as(data.get("id")).state == "done"
        ):
            # A completed transaction takes no more payments: this is an attempt made
            # before the one that paid, delivered late (Paddle does not order its
            # webhooks), not a failure of the payment.
            return None
        return self.event_from_transaction(data, status=EVENTS[event_type], key=key)

    @staticmethod
    def status_of(data):
        """The GatewayEvent status of the transaction ``data``: a draft or ready one is
        unpaid (the client may leave the checkout, and pays again from the invoice),
        unless one of its payment attempts is under way."""
        status = TRANSACTION_STATUSES.get(data.get("status"), "ignore")
        if data.get("status") in ("draft", "ready") and any(
            payment.get("status") in ATTEMPTS_UNDER_WAY for payment in data.get("payments") or []
        ):
            status = "pending"
        return status

    def event_from_transaction(self, data, status=None, key=""):
        status = status or self.status_of(data)
        totals = (data.get("details") or {}).get("totals") or {}
        payments = data.get("payments") or []
        captured = [p for p in payments if p.get("status") == "captured"]
        payment = (captured or payments or [{}])[0]
        method = (payment.get("method_details") or {}).get("type")
        amount = totals.get("grand_total")
        custom_data = data.get("custom_data")
        reference = custom_data.get("reference", "") if isinstance(custom_data, dict) else ""
        return GatewayEvent(
            status=status,
            reference=reference,
            # Odoo gives every transaction it makes its reference (custom_data):
            # one without it (a subscription renewal, a payment link of this
            # account) is not Odoo's, and never will be
            not_ours=""
            if reference
            else self.provider.env._(
                "Paddle reports transaction %(transaction)s, which carries no Odoo "
                "reference: Odoo did not make it (a subscription or a payment link of "
                "this Paddle account), so nothing was changed in Odoo.",
                transaction=data.get("id") or "?",
            ),
            provider_reference=data.get("id", ""),
            key=key,
            amount=int(amount) if status == "done" and amount is not None else None,
            currency=(data.get("currency_code") or "") if status == "done" else "",
            message=self._error_message(payment.get("error_code")) if status == "error" else "",
            payment_method=METHODS.get(method, "") if status == "done" else "",
        )

    def _error_message(self, error_code):
        """The user's message for a failed payment; Paddle's ``error_code`` (e.g.
        ``declined``, ``expired_card``) is kept in it for support."""
        if not error_code:
            return self.provider.env._("Paddle did not complete the payment.")
        return self.provider.env._(
            "Paddle did not complete the payment (error code: %s).", error_code
        )

    # -- checkout ----------------------------------------------------------------------

    def create_checkout(self, tx, return_url, webhook_url):
        currency = tx.currency_id.name
        company = tx.company_id.name or tx.reference
        payload = {
            "items": [
                {
                    "quantity": 1,
                    "price": {
                        "description": tx.reference,
                        "name": tx.reference,
                        "unit_price": {
                            "amount": str(self.minor(tx.amount, tx.currency_id)),
                            "currency_code": currency,
                        },
                        # The invoice total already includes any tax: Paddle takes its own
                        # out of it rather than adding it (see the module docstring).
                        "tax_mode": "internal",
                        "product": {
                            "name": f"{company} - {tx.reference}",
                            "tax_category": "standard",
                        },
                    },
                }
            ],
            "currency_code": currency,
            "collection_mode": "automatic",
            "custom_data": {"reference": tx.reference},
            "checkout": {"url": tx.provider_id._invoicera_url("pay")},
        }
        data = self.request(
            "POST", "transactions", payload, idempotency_key=self.idempotency_key(tx, "create")
        )["data"]
        return Checkout(url=data["checkout"]["url"], provider_reference=data["id"])

    def fetch_status(self, tx):
        if not tx.provider_reference:
            return None
        data = self.request("GET", f"transactions/{tx.provider_reference}")["data"]
        return self.event_from_transaction(data)

    def error_message(self, body):
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and error.get("detail"):
            return f"{error['detail']} ({error.get('code', '')})".replace(" ()", "")
        return super().error_message(body)

    # -- refunds -----------------------------------------------------------------------

    def event_from_adjustment(self, adjustment, reference="", key=""):
        status = ADJUSTMENT_STATUSES.get(adjustment.get("status"), "pending")
        totals = adjustment.get("totals") or {}
        return GatewayEvent(
            status=status,
            reference=reference,
            provider_reference=adjustment.get("id", ""),
            key=key,
            amount=int(totals["total"]) if status == "done" and totals.get("total") else None,
            currency=adjustment.get("currency_code", "") if status == "done" else "",
            refund_of=adjustment.get("transaction_id", ""),
            # Odoo's refunds give the reason "Refund <refund reference>" (see refund()).
            refund_reference=(adjustment.get("reason") or "").removeprefix("Refund "),
        )

    def refund(self, tx, refund_tx, amount):
        transaction_id = tx.provider_reference
        reason = f"Refund {refund_tx.reference}"
        # No idempotency key at Paddle: a refund already made for this reference is reused.
        existing = self.request(
            "GET", "adjustments", params={"transaction_id": transaction_id, "action": "refund"}
        ).get("data", [])
        for adjustment in existing:
            if adjustment.get("reason") == reason:
                return self.event_from_adjustment(adjustment, refund_tx.reference)
        transaction = self.request("GET", f"transactions/{transaction_id}")["data"]
        item = transaction["details"]["line_items"][0]
        minor = self.minor(amount, tx.currency_id)
        full = minor >= int(item["totals"]["total"])
        payload = {
            "action": "refund",
            "transaction_id": transaction_id,
            "reason": reason,
            # Amounts include tax (tax_mode "internal", the default), like the price sent.
            "items": [
                {
                    "item_id": item["id"],
                    "type": "full" if full else "partial",
                    "amount": str(minor),
                }
            ],
        }
        adjustment = self.request(
            "POST",
            "adjustments",
            payload,
            idempotency_key=self.idempotency_key(refund_tx, "refund"),
        )["data"]
        return self.event_from_adjustment(adjustment, refund_tx.reference)
