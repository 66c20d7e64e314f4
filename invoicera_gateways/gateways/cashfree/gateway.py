"""Cashfree Payments (India): PG API version 2023-08-01.

Documentation used:

- Create order, get payments for an order, create refund (API reference v2023-08-01):
  https://www.cashfree.com/docs/api-reference/payments/previous/v2023-08-01/orders/create
  https://www.cashfree.com/docs/api-reference/payments/previous/v2023-08-01/payments/get-payments-for-order
  https://www.cashfree.com/docs/api-reference/payments/previous/v2023-08-01/refunds/create
  (fields, enums and examples cross-checked with the OpenAPI file Cashfree
  published in github.com/cashfree/cashfree-pg, ``api/openapi.yaml``: it is
  version 2025-01-01, whose order, payment and refund entities are the same).
- Migration note "Checkout: Migration to Version 2022-09-01" (docs.cashfree.com):
  ``payment_session_id`` replaced the order's ``payment_link``.
- Web checkout: https://www.cashfree.com/docs/payments/online/web/redirect and
  https://www.cashfree.com/docs/js-integration (``cashfree.checkout()``).
- Webhooks and their signature:
  https://www.cashfree.com/docs/api-reference/payments/previous/v2023-08-01/payments/webhooks
  (its payment success sample: an order of 2 INR of which the customer paid 1,
  ``payment_amount``, thanks to a discount offer listed in ``payment_offers``).
  What is checked against the transaction is what the payment collected for
  the order: ``payment_amount`` in ``payment_currency``, less the service
  charge and its tax when the merchant collects them from the customer
  (``payment_surcharge``; the OpenAPI file's payment entity: "Order amount can
  be different from payment amount if you collect service fee from the
  customer"). A discount offer, which the merchant funds (offers are created
  by the merchant, ``POST /offers``), is then a short collection: flagged as an
  amount mismatch, never an invoice paid in full.
- Refund webhooks (``REFUND_STATUS_WEBHOOK``, signed like the payment ones):
  https://www.cashfree.com/docs/api-reference/payments/previous/v2023-08-01/refunds/webhooks
  They complete a refund answered as pending; matched on the refund
  transaction's provider reference (``cf_refund_id``) or, failing that, on
  our ``refund_id`` (the refund transaction's reference, made a Cashfree id).
  One matching none of Odoo's refunds, of an order of ours (``order_id``), was
  made in Cashfree's dashboard: reported as refunded outside Odoo.
- Webhook idempotency
  (https://www.cashfree.com/docs/api-reference/payments/latest/webhooks/idempotency):
  an order takes several payment attempts, each its own ``cf_payment_id``, until
  one succeeds; only ``SUCCESS`` is final. Once an attempt has paid the order, the
  failure or drop of another one (delivered late) is ignored, not taken for a
  failure of the payment.

Checkout: Cashfree documents no plain hosted-page URL for an order any more
(the ``payment_link`` of older API versions is gone since 2022-09-01); its
hosted checkout is opened by the JS SDK, ``cashfree.checkout({paymentSessionId})``.
The client is therefore sent to a tiny page of ours (see ``controllers.py``)
whose only job is to call the SDK with the order's ``payment_session_id``,
which redirects to Cashfree's hosted checkout in the same tab.

Tokenization is not offered: Cashfree's saved cards are card-on-file tokens
that, under RBI rules, still need the customer (CVV/OTP) for each payment,
and merchant-initiated charges need a Cashfree Subscription (an e-mandate
authorised in its own checkout, each charge pre-notified and settled
asynchronously), which a one-off order payment does not create.
"""

import hashlib
import json
import logging
import re
from urllib.parse import urlencode

from markupsafe import escape

from odoo import _
from odoo.tools.misc import hmac as odoo_hmac
from odoo.tools.translate import LazyTranslate

from ... import utils
from ..base import Checkout, Gateway, GatewayEvent, register

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

API_VERSION = "2023-08-01"
SDK_URL = "https://sdk.cashfree.com/js/v3/cashfree.js"
#: scope of the access token of our checkout page (``controllers.py``)
CHECKOUT_SCOPE = "invoicera_gateways.cashfree_checkout"

#: ``payment_status`` of a payment entity (webhooks and the payments API).
#: A dropped or failed attempt is an error, not a cancellation: the customer
#: may try again on the same order, and Odoo can confirm an errored
#: transaction later but never a cancelled one.
STATUSES = {
    "SUCCESS": "done",
    "PENDING": "pending",
    "NOT_ATTEMPTED": "pending",
    "FAILED": "error",
    "USER_DROPPED": "error",
    "CANCELLED": "cancel",
    "VOID": "cancel",
}
WEBHOOK_TYPES = (
    "PAYMENT_SUCCESS_WEBHOOK",
    "PAYMENT_FAILED_WEBHOOK",
    "PAYMENT_USER_DROPPED_WEBHOOK",
)
REFUND_WEBHOOK_TYPE = "REFUND_STATUS_WEBHOOK"
#: Cashfree ``payment_group`` -> Odoo payment method code
PAYMENT_GROUPS = {
    "credit_card": "card",
    "debit_card": "card",
    "prepaid_card": "card",
    "upi": "upi",
    "upi_credit_card": "upi",
    "upi_ppi": "upi",
    "upi_ppi_offline": "upi",
    "net_banking": "netbanking",
    "wallet": "wallets_india",
    "pay_later": "paylater_india",
    "cardless_emi": "emi_india",
    "credit_card_emi": "emi_india",
    "debit_card_emi": "emi_india",
}
REFUND_STATUSES = {
    "SUCCESS": "done",
    "PENDING": "pending",
    "ONHOLD": "pending",
    "CANCELLED": "error",
    "FAILED": "error",
}


def cashfree_id(reference, max_length=45):
    """Our reference as a Cashfree identifier: letters, digits, ``_`` and ``-`` only.

    Invoice references contain ``/`` (``INV/2025/00001``); too long ones are
    cut and suffixed with a hash of the whole reference to stay unique.
    """
    value = re.sub(r"[^A-Za-z0-9_-]", "_", reference)
    if len(value) > max_length:
        digest = hashlib.sha1(reference.encode()).hexdigest()[:8]
        value = f"{value[: max_length - 9]}-{digest}"
    return value


@register
class Cashfree(Gateway):
    code = "cashfree"
    name = "Cashfree Payments"
    api_url = "https://api.cashfree.com/pg/"
    sandbox_api_url = "https://sandbox.cashfree.com/pg/"
    regions = "India"
    countries = ("IN",)
    # INR is the default; other currencies must be enabled by Cashfree on the account.
    currencies = ("INR",)
    payment_methods = ("card", "upi", "netbanking", "wallets_india", "paylater_india", "emi_india")
    tokenization = False
    refunds = "partial"
    webhook_scheme = (
        "base64 HMAC-SHA256 of x-webhook-timestamp + body with the client secret"
        " (x-webhook-signature)"
    )
    signature_header = "x-webhook-signature"
    idempotency_header = "x-idempotency-key"
    credentials = {
        "invoicera_account_id": _lt("App ID (x-client-id)"),
        "invoicera_secret_key": _lt(
            "Secret Key (x-client-secret); Cashfree also signs its webhooks with it"
        ),
    }

    def auth_headers(self):
        return {
            "x-client-id": self.provider.invoicera_account_id or "",
            "x-client-secret": self.provider.invoicera_secret_key or "",
            "x-api-version": API_VERSION,
        }

    def signing_secret(self):
        return self.provider.invoicera_secret_key

    def verify(self, delivery, now=None):
        timestamp = delivery.headers.get("x-webhook-timestamp", "")
        if not self.timestamp_is_fresh(timestamp, now):
            return False
        expected = utils.hmac_base64(self.signing_secret(), timestamp.encode() + delivery.body)
        return utils.signatures_match(expected, delivery.headers.get(self.signature_header, ""))

    # -- checkout -------------------------------------------------------------------

    def mode(self):
        """The JS SDK's environment, matching the API the order was created on."""
        return "sandbox" if self.base_url() == self.sandbox_api_url else "production"

    def checkout_token(self, reference, session_id):
        """Proof that our checkout page's parameters were issued by this database."""
        env = self.provider.env(su=True)
        return odoo_hmac(env, CHECKOUT_SCOPE, (self.provider.id, reference, session_id))

    def customer_details(self, tx):
        # customer_id and customer_phone (10 digits) are mandatory; Cashfree
        # accepts placeholder details when the merchant does not have them.
        digits = re.sub(r"\D", "", tx.partner_phone or "")
        details = {
            "customer_id": f"odoo{tx.partner_id.id}",
            "customer_phone": digits[-10:] if len(digits) >= 10 else "9999999999",
        }
        if tx.partner_email:
            details["customer_email"] = tx.partner_email
        if tx.partner_name and len(tx.partner_name) >= 3:
            details["customer_name"] = tx.partner_name[:100]
        return details

    def major(self, amount, currency):
        """``amount`` rounded to the currency's decimals, as the JSON number Cashfree wants."""
        code = getattr(currency, "name", currency)
        return float(utils.from_minor_units(self.minor(amount, code), code, self.exponents))

    def create_checkout(self, tx, return_url, webhook_url):
        order_id = cashfree_id(tx.reference)
        order_meta = {"return_url": f"{return_url}?{urlencode({'reference': tx.reference})}"}
        if webhook_url.startswith("https://"):  # Cashfree refuses a plain-http notify_url
            order_meta["notify_url"] = webhook_url
        payload = {
            "order_id": order_id,
            "order_amount": self.major(tx.amount, tx.currency_id),
            "order_currency": tx.currency_id.name,
            "customer_details": self.customer_details(tx),
            "order_meta": order_meta,
            "order_tags": {"invoicera_reference": tx.reference},
            "order_note": tx.reference[:200],
        }
        order = self.request(
            "POST", "orders", payload, idempotency_key=self.idempotency_key(tx, "create")
        )
        session_id = order["payment_session_id"]
        return Checkout(
            url=self.provider._invoicera_url("checkout"),
            params={
                "session": session_id,
                "reference": tx.reference,
                "token": self.checkout_token(tx.reference, session_id),
            },
            provider_reference=order_id,
        )

    # -- notifications and status -----------------------------------------------------

    def collected(self, payment, currency, surcharge=None):
        """What ``payment`` collected for its order, in minor units of ``currency``,
        or None when it does not say.

        ``payment_amount`` is what the customer paid: less than the order's amount
        after a discount offer, more by the service charge and its tax when they
        are collected from the customer (``payment_surcharge``, beside the payment
        in webhooks, in the payment entity of the API), which are not the order's.
        """
        amount = payment.get("payment_amount")
        currency = currency or "INR"
        if amount is None:
            return None
        surcharge = surcharge or payment.get("payment_surcharge") or {}
        fees = sum(
            self.minor(surcharge.get(part) or 0, currency)
            for part in ("payment_surcharge_service_charge", "payment_surcharge_service_tax")
        )
        return self.minor(amount, currency) - fees

    def event_from_payment(self, payment, order, reference, key="", error=None, surcharge=None):
        status = STATUSES.get(payment.get("payment_status"), "ignore")
        message = payment.get("payment_message") or ""
        # error_details: in the payment entity (API), beside it (webhooks).
        error = error or payment.get("error_details") or {}
        if status != "done" and error.get("error_description"):
            message = (
                f"{message} ({error['error_description']})"
                if message
                else error["error_description"]
            )
        currency = payment.get("payment_currency") or order.get("order_currency") or ""
        return GatewayEvent(
            status=status,
            reference=reference,
            provider_reference=order.get("order_id", ""),
            key=key,
            # What was collected, not what the order asked for: a discount offer
            # leaves the invoice partly unpaid.
            amount=self.collected(payment, currency, surcharge),
            currency=currency,
            message=message,
            payment_method=PAYMENT_GROUPS.get(payment.get("payment_group"), ""),
        )

    def parse_notification(self, delivery):
        payload = delivery.json()
        kind = payload.get("type", "")
        if kind == REFUND_WEBHOOK_TYPE:
            return self._refund_event(payload)
        if kind not in WEBHOOK_TYPES:
            return None
        data = payload.get("data") or {}
        order = data.get("order") or {}
        payment = data.get("payment") or {}
        reference = (order.get("order_tags") or {}).get("invoicera_reference") or order.get(
            "order_id", ""
        )
        event = self.event_from_payment(
            payment,
            order,
            reference,
            key=f"{kind}:{payment.get('cf_payment_id')}",
            error=data.get("error_details"),
            surcharge=data.get("payment_surcharge"),
        )
        if event.status != "done" and self.paid_by_another_attempt(
            event.provider_reference, payment.get("cf_payment_id")
        ):
            _logger.info(
                "Cashfree: attempt %s (%s) of order %s, paid by another attempt, ignored",
                payment.get("cf_payment_id"),
                payment.get("payment_status"),
                event.provider_reference,
            )
            return None
        return event

    def paid_by_another_attempt(self, order_id, cf_payment_id):
        """Whether an attempt other than ``cf_payment_id`` paid the order ``order_id``.

        Each attempt at paying an order is a payment of its own, and only SUCCESS is
        final (Webhook Idempotency): the failure or drop of another attempt than the
        one that paid (arriving late) says nothing about the payment. The attempt that
        paid is the one of the order's PAYMENT_SUCCESS_WEBHOOK; when none arrived yet
        (the payment was read on the client's return), a failure is another attempt's.
        """
        tx = self.transaction_known_as(order_id)
        if tx.state != "done":
            return False
        paid = self.env["invoicera.gateway.event"].search(
            [
                ("provider_id", "=", self.provider.id),
                ("transaction_id", "=", tx.id),
                ("event_key", "=like", "PAYMENT_SUCCESS_WEBHOOK:%"),
                ("state", "=", "processed"),
            ]
        )
        return str(cf_payment_id) not in {key.split(":", 1)[1] for key in paid.mapped("event_key")}

    def parse_return(self, data):
        return data.get("reference") or data.get("order_id") or ""

    def fetch_status(self, tx):
        order_id = cashfree_id(tx.reference)
        payments = self.request("GET", f"orders/{order_id}/payments")
        if not isinstance(payments, list):
            return None
        if not payments:
            # No attempt at all: the client left the checkout without trying to pay.
            # Nothing is paid and no webhook will come (one is sent per attempt).
            return GatewayEvent(status="ignore", reference=tx.reference)
        # NOT_ATTEMPTED: an attempt created and not acknowledged by the bank (Payment
        # Lifecycle; PENDING is one sent to the bank): nothing paid, and the client
        # who left it can pay again. Its webhook, should it end later, still applies
        # (a draft can still be confirmed, or put in error).
        attempted = [p for p in payments if p.get("payment_status") != "NOT_ATTEMPTED"]
        if not attempted:
            return GatewayEvent(status="ignore", reference=tx.reference)
        by_status = {payment.get("payment_status"): payment for payment in attempted}
        payment = (
            by_status.get("SUCCESS")
            or by_status.get("PENDING")
            or max(attempted, key=lambda p: p.get("payment_time") or "")
        )
        # A payment entity says what it collected (payment_amount, in
        # payment_currency, with its payment_surcharge).
        return self.event_from_payment(payment, {"order_id": order_id}, tx.reference)

    # -- refunds --------------------------------------------------------------------------

    def _refund_event(self, payload):
        """The event of a refund webhook for a refund made from Odoo, or None."""
        refund = (payload.get("data") or {}).get("refund")
        if not isinstance(refund, dict):
            return None
        refund_tx = self._refund_tx_of(refund)
        refund_status = refund.get("refund_status") or ""
        status = REFUND_STATUSES.get(refund_status, "pending")
        currency = refund.get("refund_currency") or ""
        amount = refund.get("refund_amount")
        cf_refund_id = str(refund.get("cf_refund_id") or "")
        return GatewayEvent(
            status=status,
            reference=refund_tx.reference,
            provider_reference=cf_refund_id,
            # One delivery per refund and status (PENDING, then SUCCESS or CANCELLED).
            key=f"{REFUND_WEBHOOK_TYPE}:{cf_refund_id or refund.get('refund_id')}:{refund_status}",
            amount=None if amount is None else self.minor(amount, currency or "INR"),
            currency=currency,
            message=(refund.get("status_description") or "") if status != "done" else "",
            # None of Odoo's refunds (e.g. one made in Cashfree's dashboard): of
            # the order's payment, reported if it is ours
            refund_of=str(refund.get("order_id") or "") if not refund_tx else "",
            refund_reference=str(refund.get("refund_id") or ""),
        )

    def names_own_refund(self, payment, refund_reference):
        # Odoo's refund ids are its refund references made Cashfree ids of at most
        # 40 characters (``refund``): a longer one is cut to 31, then "-" and a hash.
        own = cashfree_id(f"R-{payment.reference}", max_length=1000)
        reference = refund_reference or ""
        return bool(reference) and (
            reference.startswith(own) or (len(reference) == 40 and own.startswith(reference[:31]))
        )

    def _refund_tx_of(self, refund):
        """Our refund transaction named by a refund entity: by ``cf_refund_id``, kept
        when the refund was created, else by our ``refund_id``."""
        transactions = self.env["payment.transaction"]
        refund_tx = self.transaction_known_as(refund.get("cf_refund_id"), refund=True)
        if refund_tx:
            return refund_tx
        refund_id = refund.get("refund_id")
        if not refund_id:
            return transactions
        candidates = transactions.search(
            [
                ("provider_id", "=", self.provider.id),
                ("operation", "=", "refund"),
                ("reference", "=", refund_id),
            ]
        )
        if not candidates and refund.get("order_id"):
            candidates = self.transaction_known_as(
                refund["order_id"]
            ).child_transaction_ids.filtered(lambda tx: tx.operation == "refund")
        return candidates.filtered(
            lambda tx: cashfree_id(tx.reference, max_length=40) == refund_id
        )[:1]

    def refund(self, tx, refund_tx, amount):
        payload = {
            "refund_amount": self.major(amount, tx.currency_id),
            "refund_id": cashfree_id(refund_tx.reference, max_length=40),
            "refund_note": refund_tx.reference[:100],
        }
        data = self.request(
            "POST",
            f"orders/{cashfree_id(tx.reference)}/refunds",
            payload,
            idempotency_key=self.idempotency_key(refund_tx, "refund"),
        )
        return GatewayEvent(
            status=REFUND_STATUSES.get(data.get("refund_status"), "pending"),
            reference=refund_tx.reference,
            provider_reference=str(data.get("cf_refund_id") or ""),
            message=data.get("status_description") or "",
        )

    # -- our checkout page (controllers.py) ----------------------------------------------

    def checkout_page(self, session_id, reference, token):
        """``(http status, html)`` of the page that opens Cashfree's hosted checkout."""
        expected = self.checkout_token(reference or "", session_id or "")
        if not session_id or not reference or not utils.signatures_match(expected, token or ""):
            invalid = _escape(_("This payment link is not valid."))
            return 403, f"<p>{invalid}</p>"
        options = {"paymentSessionId": session_id, "redirectTarget": "_self"}
        redirecting = _escape(_("Redirecting to Cashfree Payments…"))
        no_script = _escape(_("Please enable JavaScript to pay with Cashfree Payments."))
        html = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="robots" content="noindex"/>
<title>{_escape(self.name)}</title>
<script src="{SDK_URL}"></script>
</head>
<body>
<p>{redirecting}</p>
<noscript>{no_script}</noscript>
<script>
Cashfree({{mode: {_js(self.mode())}}}).checkout({_js(options)});
</script>
</body>
</html>
"""
        return 200, html


def _escape(text):
    return str(escape(text))


def _js(value):
    """``value`` as a JavaScript literal that is safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
