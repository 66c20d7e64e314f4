"""Paystack: https://paystack.com/docs/api/ (Nigeria, Ghana, South Africa, Kenya).

Paystack references accept only letters, digits, ``-``, ``.`` and ``=``: Odoo's
(``INV/2026/00042``) are sent sanitized, kept as the transaction's provider
reference, and Odoo's own travels in ``metadata.invoicera_reference``.
"""

import re

from ... import utils
from ..base import Checkout, Gateway, GatewayEvent, register

STATUSES = {
    "success": "done",
    "pending": "pending",
    "ongoing": "pending",
    "processing": "pending",
    "queued": "pending",
    "abandoned": "cancel",
    "reversed": "cancel",
    "failed": "error",
}


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
        "invoicera_public_key": "Public Key (pk_...)",
        "invoicera_secret_key": "Secret Key (sk_...); Paystack also signs its webhooks with it",
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
        return GatewayEvent(
            status=STATUSES.get(charge.get("status"), "ignore"),
            reference=(charge.get("metadata") or {}).get("invoicera_reference", "")
            if isinstance(charge.get("metadata"), dict)
            else "",
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
        if event not in ("charge.success", "charge.failed"):
            return None
        charge = payload.get("data") or {}
        return self.event_from_charge(charge, key=f"{event}:{charge.get('id')}")

    def parse_return(self, data):
        return data.get("reference") or data.get("trxref") or ""

    def fetch_status(self, tx):
        reference = tx.provider_reference or paystack_reference(tx.reference)
        data = self.request("GET", f"transaction/verify/{reference}")["data"]
        return self.event_from_charge(data)

    def charge_token(self, tx):
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

    def refund(self, tx, refund_tx, amount):
        payload = {
            "transaction": tx.provider_reference or paystack_reference(tx.reference),
            "amount": self.minor(amount, tx.currency_id),
        }
        data = self.request("POST", "refund", payload)["data"]
        status = {"processed": "done", "failed": "error"}.get(data.get("status"), "pending")
        return GatewayEvent(
            status=status, reference=refund_tx.reference, provider_reference=str(data.get("id", ""))
        )
