"""Checkout.com: Hosted Payments Page, webhooks, refunds, stored cards (worldwide).

Documentation used (checkout.com/docs and the API reference):

- Hosted Payments Page: ``payments/accept-payments/accept-a-payment-on-a-hosted-page``
  and ``.../manage-your-hosted-payments-page`` (``POST /hosted-payments``:
  ``amount``, ``currency``, ``billing`` and the three redirect URLs are required,
  ``reference`` at most 50 characters; the answer's ``_links.redirect.href`` is
  the page; the client comes back with ``?cko-payment-id=pay_...``).
- Webhooks: ``developer-resources/webhooks/manage-webhooks/set-up-your-webhook-receiver``
  (``Cko-Signature`` = hex HMAC-SHA256 of the raw body under the webhook's
  signature key) and the event samples of ``.../webhook-event-types/``
  (``payment_approved``, ``payment_captured``, ``payment_declined``,
  ``payment_refunded``...).
- ``payments/accept-payments/format-the-amount-value``: minor units, with JPY,
  KRW, ISK, UGX... in whole units, BHD, KWD, JOD, OMR, TND, IQD, LYD in
  thousandths and every other currency - CLP included - in hundredths; in
  thousandths, "the last digit must always be a 0" (1001 is invalid): an amount
  such as 12.345 KWD cannot be paid or refunded through Checkout.com, and is
  refused before anything is sent (never rounded to another amount).
- Refunds: ``POST /payments/{id}/refunds`` (partial amounts, answer ``202`` with
  the refund's ``action_id``); ``Cko-Idempotency-Key`` makes retries safe.
- Stored cards: ``payments/accept-payments/pay-with-stored-card-details/
  recurring-payments-with-stored-card-details``: the first, cardholder-initiated
  payment is sent with ``payment_type: Recurring`` (the card is then stored
  without ``store_for_future_use``), and later merchant-initiated payments use
  ``source: {type: "id", id: "src_..."}`` with ``merchant_initiated: true``.
- Processing currencies: all ISO 4217 currencies except those the FX fees page
  lists as unavailable for processing (BYN, GHS, GMD, KPW, LBP, RUB, SDG, SYP,
  ZWL); funds codes and withdrawn currencies are left out too.

Payments are requested with ``capture: true`` (the HPP default), so an approved
payment is captured by Checkout.com without further call: like Odoo's own Adyen
module with automatic capture, ``payment_approved`` confirms the transaction.
"""

from urllib.parse import urlencode

from odoo import _
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ... import utils
from ..base import Checkout, Gateway, GatewayEvent, register

_lt = LazyTranslate(__name__)

#: webhook event type -> transaction status
EVENTS = {
    "payment_approved": "done",
    "payment_captured": "done",
    "payment_paid": "done",
    "payment_pending": "pending",
    "payment_declined": "error",
    "payment_capture_declined": "error",
    "payment_canceled": "cancel",
    "payment_expired": "cancel",
    "payment_voided": "cancel",
}
#: refund events, applied to the refund transaction (found by its action id)
REFUND_EVENTS = {
    "payment_refunded": "done",
    "payment_refund_pending": "pending",
    "payment_refund_declined": "error",
}
#: ``status`` of a payment (GET /payments, POST /payments) -> transaction status
STATUSES = {
    "Authorized": "done",
    "Captured": "done",
    "Partially Captured": "done",
    "Paid": "done",
    "Partially Refunded": "done",
    "Refunded": "done",
    "Pending": "pending",
    "Requested": "pending",
    "Retry Scheduled": "pending",
    "Active": "pending",
    "Declined": "error",
    "Canceled": "cancel",
    "Expired": "cancel",
    "Voided": "cancel",
}
#: Odoo payment method -> what the Hosted Payments Page offers for it (allow_payment_methods)
HPP_METHODS = {
    "card": ["card", "applepay", "googlepay"],
    "paypal": ["paypal"],
    "ideal": ["ideal"],
    "bancontact": ["bancontact"],
    "eps": ["eps"],
    "p24": ["p24"],
    "klarna": ["klarna"],
    "sepa_direct_debit": ["sepa"],
    "multibanco": ["multibanco"],
    "mbway": ["mbway"],
    "knet": ["knet"],
    "benefit": ["benefit"],
    "alipay": ["alipay_cn"],
    "alipay_hk": ["alipay_hk"],
    "gcash": ["gcash"],
    "dana": ["dana"],
    "kakaopay": ["kakaopay"],
    "touch_n_go": ["tng"],
    "truemoney": ["truemoney"],
}
#: Checkout.com source type of a payment -> Odoo payment method
METHODS = {kind: method for method, kinds in HPP_METHODS.items() for kind in kinds}

UNAVAILABLE = "BYN GHS GMD KPW LBP RUB SDG SYP ZWL"
#: currencies counted in thousandths whose amounts must end in 0 (format-the-amount-value)
LAST_DIGIT_ZERO = "BHD IQD JOD KWD LYD OMR TND"


@register
class CheckoutCom(Gateway):
    code = "checkout"
    name = "Checkout.com"
    api_url = "https://api.checkout.com/"
    sandbox_api_url = "https://api.sandbox.checkout.com/"
    regions = (
        "Worldwide: UK, European Economic Area, Switzerland, United States, Middle East"
        " (UAE, Saudi Arabia, Bahrain, Kuwait, Qatar, Oman, Jordan, Egypt), Hong Kong,"
        " Singapore, Japan, Australia, New Zealand"
    )
    # fmt: off
    countries = (
        "GB", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR",
        "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI",
        "ES", "SE", "IS", "LI", "NO", "CH", "US", "AE", "SA", "BH", "KW", "QA", "OM",
        "JO", "EG", "HK", "SG", "JP", "AU", "NZ",
    )
    currencies = tuple(
        code for code in (
            "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB"
            " BRL BSD BTN BWP BZD CAD CDF CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP"
            " ERN ETB EUR FJD FKP GBP GEL GIP GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD"
            " ISK JMD JOD JPY KES KGS KHR KMF KRW KWD KYD KZT LAK LKR LRD LSL LYD MAD MDL"
            " MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR"
            " PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RWF SAR SBD SCR SEK SGD SHP SLE SOS"
            " SRD SSP STN SVC SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS"
            " VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW"
        ).split()
        if code not in UNAVAILABLE.split()
    )
    # fmt: on
    #: CLP has no minor unit in ISO 4217 but Checkout.com counts it in hundredths.
    exponents = {"CLP": 2}
    payment_methods = tuple(HPP_METHODS)
    tokenization = True
    refunds = "partial"
    webhook_scheme = "HMAC-SHA256 of the body with the webhook signature key, hex (Cko-Signature)"
    signature_header = "Cko-Signature"
    idempotency_header = "Cko-Idempotency-Key"
    credentials = {
        "invoicera_secret_key": _lt("Secret API key (sk_...), sent as a Bearer token"),
        "invoicera_webhook_secret": _lt(
            "The signature key of your webhook (Dashboard ▸ Developers ▸ Webhooks),"
            " which signs the Cko-Signature header"
        ),
        "invoicera_account_id": _lt("Processing channel ID (pc_...), if your account has several"),
        "invoicera_server_url": _lt(
            "Your account's API base URL (https://{prefix}.api.checkout.com/ or"
            " https://{prefix}.api.sandbox.checkout.com/); empty for the generic one"
        ),
    }

    # -- signatures -------------------------------------------------------------

    def verify(self, delivery, now=None):
        expected = utils.hmac_hex(self.signing_secret(), delivery.body, "sha256")
        received = delivery.headers.get(self.signature_header, "").strip().lower()
        return utils.signatures_match(expected, received)

    def error_message(self, body):
        if not isinstance(body, dict):
            return ""
        codes = ", ".join(body.get("error_codes") or [])
        kind = body.get("error_type") or ""
        return ": ".join(part for part in (kind, codes) if part) or super().error_message(body)

    # -- payments ---------------------------------------------------------------

    def amount_of(self, amount, currency):
        """``amount`` in Checkout.com's minor units; refused (before anything is sent)
        when Checkout.com cannot take it: in BHD, IQD, JOD, KWD, LYD, OMR and TND the
        amount is in thousandths, and its last digit must be 0."""
        minor = self.minor(amount, currency)
        if currency.name in LAST_DIGIT_ZERO.split() and minor % 10:
            raise ValidationError(
                _(
                    "Checkout.com cannot take %(amount)s %(currency)s: in %(currency)s it only"
                    " accepts amounts with at most two decimals (e.g. %(lower)s or %(higher)s)."
                    " Please pay or refund this amount another way.",
                    amount=utils.from_minor_units(minor, currency.name, self.exponents),
                    currency=currency.name,
                    lower=utils.from_minor_units(minor - minor % 10, currency.name, self.exponents),
                    higher=utils.from_minor_units(
                        minor - minor % 10 + 10, currency.name, self.exponents
                    ),
                )
            )
        return minor

    def _common(self, tx):
        """Fields every payment request of ``tx`` carries."""
        values = {
            "amount": self.amount_of(tx.amount, tx.currency_id),
            "currency": tx.currency_id.name,
            "reference": tx.reference,
            "capture": True,
            "metadata": {"odoo_reference": tx.reference},
        }
        if self.provider.invoicera_account_id:
            values["processing_channel_id"] = self.provider.invoicera_account_id
        return values

    def _billing(self, tx):
        partner = tx.partner_id
        country = (tx.partner_country_id or partner.country_id or tx.company_id.country_id).code
        address = {
            "address_line1": tx.partner_address or partner.street or "",
            "address_line2": partner.street2 or "",
            "city": tx.partner_city or partner.city or "",
            "zip": tx.partner_zip or partner.zip or "",
            "country": country or "",
        }
        return {"address": {key: value for key, value in address.items() if value}}

    def create_checkout(self, tx, return_url, webhook_url):
        back = f"{return_url}?{urlencode({'reference': tx.reference})}"
        payload = {
            **self._common(tx),
            "description": (tx.invoice_ids[:1].name or tx.reference)[:100],
            "customer": {
                key: value
                for key, value in (("email", tx.partner_email), ("name", tx.partner_name))
                if value
            },
            "billing": self._billing(tx),
            "success_url": back,
            "failure_url": back,
            "cancel_url": back,
        }
        if tx.payment_method_code in HPP_METHODS:
            # Show the method the client chose in Odoo, not every method of the account.
            payload["allow_payment_methods"] = HPP_METHODS[tx.payment_method_code]
        if tx.tokenize:
            # A recurring agreement stores the card; its source id pays later.
            payload["payment_type"] = "Recurring"
        answer = self.request(
            "POST",
            "hosted-payments",
            payload,
            idempotency_key=self.idempotency_key(tx, "create"),
        )
        return Checkout(url=answer["_links"]["redirect"]["href"])

    def event_from_payment(self, payment, key="", status=None):
        """A GatewayEvent from a payment object (API answer or webhook ``data``)."""
        if status is None:
            status = STATUSES.get(payment.get("status"), "ignore")
            if payment.get("approved") is False:
                status = "error"
        source = payment.get("source") or {}
        token = None
        if status == "done" and str(source.get("id", "")).startswith("src_"):
            token = {
                "provider_ref": source["id"],
                "payment_details": source.get("last_4") or source.get("last4") or "",
                "customer_ref": (payment.get("customer") or {}).get("id"),
            }
        return GatewayEvent(
            status=status,
            reference=payment.get("reference", ""),
            provider_reference=payment.get("id", ""),
            key=key,
            amount=payment.get("amount"),
            currency=payment.get("currency", ""),
            message=payment.get("response_summary") or "",
            token=token,
            payment_method=METHODS.get(source.get("type"), ""),
        )

    def parse_notification(self, delivery):
        payload = delivery.json()
        kind = payload.get("type", "")
        data = payload.get("data") or {}
        key = payload.get("id") or ""
        if kind in REFUND_EVENTS:
            # The refund transaction holds the refund's action id, never the
            # payment id: a refund notification cannot touch the payment.
            return GatewayEvent(
                status=REFUND_EVENTS[kind],
                provider_reference=data.get("action_id", ""),
                key=key,
                message=data.get("response_summary") or "",
                amount=data.get("amount"),
                currency=data.get("currency", ""),
                # the payment refunded, and the reference sent with the refund (Odoo's
                # refund transaction's for Odoo's refunds)
                refund_of=data.get("id", ""),
                refund_reference=data.get("reference") or "",
            )
        if kind not in EVENTS:
            return None
        return self.event_from_payment(data, key=key, status=EVENTS[kind])

    def fetch_status(self, tx):
        answer = self.request("GET", "payments", params={"reference": tx.reference, "limit": 1})
        payments = answer.get("data") or []
        if payments:
            return self.event_from_payment(payments[0])
        if "data" in answer or "total_count" in answer:
            # The payment list, empty: the client left the Hosted Payments Page (its
            # cancel link) without paying. Nothing is paid, and no webhook will come
            # for a payment that does not exist.
            return GatewayEvent(status="ignore", reference=tx.reference)
        return None

    def charge_token(self, tx):
        token = tx.token_id
        payload = {
            **self._common(tx),
            "source": {"type": "id", "id": token.provider_ref},
            "payment_type": "Recurring",
            "merchant_initiated": True,
        }
        if token.invoicera_customer_ref:
            payload["customer"] = {"id": token.invoicera_customer_ref}
        answer = self.request(
            "POST", "payments", payload, idempotency_key=self.idempotency_key(tx, "charge")
        )
        event = self.event_from_payment(answer)
        if event.status == "pending" and (answer.get("_links") or {}).get("redirect"):
            # 202 with a redirect: the cardholder must authenticate (3-D Secure), and
            # nobody is there to (as Odoo's Stripe for an off-session payment).
            event.status = "error"
            event.message = _(
                "%(gateway)s asks the client to authenticate the payment (3-D Secure),"
                " which a charge of a saved card cannot do: nothing was charged. The"
                " client pays from the portal.",
                gateway=self.name,
            )
        return event

    def refund(self, tx, refund_tx, amount):
        payload = {
            "amount": self.amount_of(amount, tx.currency_id),
            "reference": refund_tx.reference,
        }
        answer = self.request(
            "POST",
            f"payments/{tx.provider_reference}/refunds",
            payload,
            idempotency_key=self.idempotency_key(refund_tx, "refund"),
        )
        # 202 Accepted: the refund is confirmed by the payment_refunded webhook.
        return GatewayEvent(
            status="pending",
            reference=refund_tx.reference,
            provider_reference=answer.get("action_id", ""),
        )
