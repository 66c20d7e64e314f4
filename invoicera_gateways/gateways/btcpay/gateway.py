"""BTCPay Server: self-hosted bitcoin payments through its Greenfield API (v1).

Documentation used (BTCPay Server's own OpenAPI files, served by every server
at ``/docs`` and published at https://docs.btcpayserver.org/API/Greenfield/v1/;
read in github.com/btcpayserver/btcpayserver,
``BTCPayServer/wwwroot/swagger/v1/swagger.template.*.json``):

- Invoices: create ``POST /api/v1/stores/{storeId}/invoices``, get
  ``GET /api/v1/stores/{storeId}/invoices/{invoiceId}``, refund
  ``POST /api/v1/stores/{storeId}/invoices/{invoiceId}/refund``.
- Pull payments: ``GET /api/v1/stores/{storeId}/pull-payments``,
  ``GET /api/v1/pull-payments/{pullPaymentId}`` and ``.../payouts``.
- Webhooks: ``BTCPay-Sig: sha256=HMAC256(UTF8(webhook's secret), body)``; the
  invoice events carry no amount, so the invoice is fetched before anything
  is applied (its amount and currency are what the transaction is checked
  against). ``WebhookSender.cs`` in the same repository computes the header.

There is no default server: the merchant's own BTCPay Server URL is required.
Currencies are whatever the store's rate rules can price (any fiat, or BTC).

Refunds follow BTCPay's model: the refund creates a *pull payment* for the
amount, in the invoice currency, and the client claims it on its page (the
link is in the refund transaction's message). The refund transaction stays
pending until the payouts of that pull payment reach ``Completed``
(``PayoutUpdated`` webhook). The payout of a pull payment that no refund
transaction knows (e.g. a refund issued from BTCPay's UI) is acknowledged and
ignored: a pull payment (``PullPaymentData``) names no invoice, so such a refund
cannot be reported as made outside Odoo. There is no saved payment method in
bitcoin, so no tokenization.
"""

import logging
from decimal import Decimal
from urllib.parse import quote, urlencode

from odoo import _
from odoo.tools.translate import LazyTranslate

from ... import utils
from ..base import Checkout, Gateway, GatewayEvent, GatewayMisconfigured, register

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

INVOICE_EVENTS = (
    "InvoiceReceivedPayment",
    "InvoiceProcessing",
    "InvoiceSettled",
    "InvoiceExpired",
    "InvoiceInvalid",
)
PAYOUT_EVENTS = ("PayoutUpdated",)


@register
class BTCPay(Gateway):
    code = "btcpay"
    name = "BTCPay Server"
    api_url = ""  # self-hosted: the merchant's server URL is mandatory
    regions = "Worldwide"
    countries = ()
    # Any currency the store's rate rules support: no restriction here.
    currencies = ()
    payment_methods = ("bitcoin",)
    tokenization = False
    refunds = "partial"
    webhook_scheme = "sha256=hex HMAC-SHA256 of the body with the webhook secret (BTCPay-Sig)"
    signature_header = "BTCPay-Sig"
    # BTCPay has no idempotency header: each invoice carries our unique
    # reference (metadata.orderId) and an unpaid duplicate simply expires; a
    # refund is looked up by its unique name before being created.
    idempotency_header = ""
    credentials = {
        "invoicera_server_url": _lt(
            "Your BTCPay Server's address, e.g. https://btcpay.example.com (required)"
        ),
        "invoicera_account_id": _lt("Store ID"),
        "invoicera_secret_key": _lt(
            "Greenfield API key with the permissions"
            " btcpay.store.cancreateinvoice, btcpay.store.canviewinvoices and (for refunds)"
            " btcpay.store.cancreatepullpayments"
        ),
        "invoicera_webhook_secret": _lt(
            "Secret of the store's webhook (Store > Settings > Webhooks)"
        ),
    }

    def base_url(self):
        url = (self.provider.invoicera_server_url or "").strip()
        if not url:
            raise GatewayMisconfigured(
                _(
                    "%(gateway)s: enter the address of your BTCPay Server (Server URL) on"
                    " the payment provider.",
                    gateway=self.name,
                )
            )
        return url.rstrip("/") + "/"

    def auth_headers(self):
        return {"Authorization": f"token {self.provider.invoicera_secret_key}"}

    def store_path(self, path=""):
        store_id = self.provider.invoicera_account_id
        if not store_id:
            raise GatewayMisconfigured(
                _("%(gateway)s: enter your Store ID on the payment provider.", gateway=self.name)
            )
        return f"api/v1/stores/{quote(store_id, safe='')}/{path}"

    def verify(self, delivery, now=None):
        expected = "sha256=" + utils.hmac_hex(self.signing_secret(), delivery.body, "sha256")
        received = delivery.headers.get(self.signature_header, "").strip()
        return utils.signatures_match(expected, received.lower())

    def error_message(self, body):
        # Greenfield errors: {"code", "message"} or a list of {"path", "message"}.
        if isinstance(body, list):
            return "; ".join(
                f"{item.get('path')}: {item.get('message')}"
                if item.get("path")
                else item["message"]
                for item in body
                if isinstance(item, dict) and item.get("message")
            )
        return super().error_message(body)

    def decimal_amount(self, amount, currency):
        """``amount`` as the decimal string Greenfield expects, e.g. ``"1234.50"``."""
        code = getattr(currency, "name", currency)
        return str(utils.from_minor_units(self.minor(amount, code), code, self.exponents))

    # -- checkout -------------------------------------------------------------------

    def create_checkout(self, tx, return_url, webhook_url):
        metadata = {"orderId": tx.reference}
        if tx.partner_email:
            metadata["buyerEmail"] = tx.partner_email
        if tx.partner_name:
            metadata["buyerName"] = tx.partner_name
        payload = {
            "amount": self.decimal_amount(tx.amount, tx.currency_id),
            "currency": tx.currency_id.name,
            "metadata": metadata,
            "checkout": {
                "redirectURL": f"{return_url}?{urlencode({'reference': tx.reference})}",
                "redirectAutomatically": True,
            },
        }
        invoice = self.request("POST", self.store_path("invoices"), payload)
        return Checkout(url=invoice["checkoutLink"], provider_reference=invoice["id"])

    # -- invoices -----------------------------------------------------------------------

    def get_invoice(self, invoice_id):
        return self.request("GET", self.store_path(f"invoices/{quote(invoice_id, safe='')}"))

    def event_from_invoice(self, invoice, key=""):
        status, extra = invoice.get("status"), invoice.get("additionalStatus")
        message, held = "", False
        if status == "Settled":
            state = "done"
        elif status == "Expired" and extra == "PaidLate":
            # Paid in full after it expired: BTCPay marks an expired invoice so as
            # soon as its payments cover the amount due, confirmed or not, and it
            # never settles it by itself. Under way until staff mark it settled in
            # BTCPay Server (the InvoiceSettled that follows pays it); BTCPay holds
            # the money: a transaction Odoo cancelled on its expiry is reported.
            state, held = "pending", True
            message = _(
                "The BTCPay Server invoice was paid in full after it expired: once its"
                " payment is confirmed, mark it settled in BTCPay Server (Odoo then"
                " records the payment), or refund the client from BTCPay Server."
            )
        elif status in ("New", "Processing"):
            # New with payments: partly paid; Processing: paid, awaiting confirmations.
            state = "pending"
        elif status == "Expired" and extra == "PaidPartial":
            # Paid in part, before or after it expired: BTCPay holds that money, which
            # pays nothing (a transaction Odoo cancelled on its expiry is then reported).
            state, held = "error", True
            message = _(
                "The BTCPay Server invoice expired after receiving a partial payment:"
                " settle it or refund the client from BTCPay Server."
            )
        elif status == "Expired":
            state = "cancel"
        elif status == "Invalid":
            state = "error"
            message = _("BTCPay Server marked the invoice invalid: its payment did not confirm.")
        else:
            state = "ignore"
        currency = invoice.get("currency") or ""
        amount = invoice.get("amount")
        return GatewayEvent(
            status=state,
            reference=(invoice.get("metadata") or {}).get("orderId") or "",
            provider_reference=invoice.get("id", ""),
            key=key,
            amount=None if amount in (None, "") else self.minor(amount, currency),
            currency=currency,
            message=message,
            payment_method="bitcoin",
            money_held=held,
        )

    def parse_notification(self, delivery):
        payload = delivery.json()
        kind = payload.get("type", "")
        if payload.get("storeId") and payload["storeId"] != self.provider.invoicera_account_id:
            return None  # another store's webhook pointed at this provider
        # A redelivery is the same event: deduplicate it on the first delivery's id.
        key = (payload.get("isRedelivery") and payload.get("originalDeliveryId")) or payload.get(
            "deliveryId", ""
        )
        if kind in INVOICE_EVENTS and payload.get("invoiceId"):
            # The webhook carries no amount: what counts is the invoice as it is now.
            invoice = self.get_invoice(payload["invoiceId"])
            return self.event_from_invoice(invoice, key=f"{kind}:{key}")
        if kind in PAYOUT_EVENTS and payload.get("pullPaymentId"):
            if payload.get("payoutState") != "Completed":
                return None
            if not self.transaction_known_as(payload["pullPaymentId"], refund=True):
                # Not a refund of Odoo's (whose pull payment is kept with its refund
                # transaction before its link is given to the client): e.g. one issued
                # from BTCPay's UI, whose pull payment names no invoice of ours.
                _logger.info(
                    "%s: payout of pull payment %s, not a refund of Odoo's, ignored",
                    self.name,
                    payload["pullPaymentId"],
                )
                return None
            return self.refund_event(payload["pullPaymentId"], key=f"{kind}:{key}")
        return None

    def fetch_status(self, tx):
        if not tx.provider_reference:
            return None
        return self.event_from_invoice(self.get_invoice(tx.provider_reference))

    # -- refunds ----------------------------------------------------------------------------

    def refund(self, tx, refund_tx, amount):
        invoice_id = quote(tx.provider_reference, safe="")
        # A retried refund (after a time-out) finds the pull payment it created.
        existing = self.request("GET", self.store_path("pull-payments"))
        pull_payment = next(
            (pp for pp in existing or [] if pp.get("name") == refund_tx.reference), None
        )
        if not pull_payment:
            payload = {
                "name": refund_tx.reference,
                "description": _("Refund of %s", tx.reference),
                "refundVariant": "Custom",
                "customAmount": self.decimal_amount(amount, tx.currency_id),
                "customCurrency": tx.currency_id.name,
            }
            pull_payment = self.request(
                "POST", self.store_path(f"invoices/{invoice_id}/refund"), payload
            )
        return GatewayEvent(
            status="pending",
            reference=refund_tx.reference,
            provider_reference=pull_payment.get("id", ""),
            message=_(
                "Send the client this link to claim the refund: %s",
                pull_payment.get("viewLink") or "",
            ),
        )

    def refund_event(self, pull_payment_id, key=""):
        """The refund of a pull payment: done once its completed payouts cover it."""
        path = f"api/v1/pull-payments/{quote(pull_payment_id, safe='')}"
        pull_payment = self.request("GET", path)
        payouts = self.request("GET", f"{path}/payouts")
        currency = pull_payment.get("currency") or ""
        paid = sum(
            Decimal(str(payout.get("originalAmount") or payout.get("amount") or 0))
            for payout in payouts or []
            if payout.get("state") == "Completed"
            and (payout.get("originalCurrency") or currency) == currency
        )
        amount = Decimal(str(pull_payment.get("amount") or 0))
        return GatewayEvent(
            status="done" if amount and paid >= amount else "pending",
            provider_reference=pull_payment_id,
            key=key,
            amount=self.minor(amount, currency) if currency else None,
            currency=currency,
            payment_method="bitcoin",
        )
