"""iyzico (Turkey): Checkout Form, webhooks, refunds and stored cards.

Documentation used:

- Authentication: https://docs.iyzico.com/en/getting-started/preliminaries/authentication/hmacsha256-auth
  (``Authorization: IYZWSv2 base64("apiKey:" + apiKey + "&randomKey:" + rnd +
  "&signature:" + hex HMAC-SHA256(secretKey, rnd + uri.path + body))`` and ``x-iyzi-rnd``).
- Checkout Form: https://docs.iyzico.com/en/payment-methods/checkoutform/cf-implementation/cf-initialize
  and .../cf-retrieve (``POST /payment/iyzipos/checkoutform/initialize/auth/ecom``
  answers ``paymentPageUrl`` and ``token``; ``POST
  /payment/iyzipos/checkoutform/auth/ecom/detail`` gives paymentStatus, fraudStatus,
  paidPrice, currency, paymentId and, for a card the client chose to store,
  cardUserKey and cardToken).
- Retrieve payment: ``POST /payment/detail`` by paymentId or paymentConversationId.
- Webhooks: https://docs.iyzico.com/en/advanced/webhook and the signature samples of
  iyzipay-php (samples/webhook_Signature_Validation.php): ``X-IYZ-SIGNATURE-V3`` = hex
  HMAC-SHA256(secretKey, secretKey + iyziEventType + iyziPaymentId + token +
  paymentConversationId + status) for the Checkout Form (HPP) format, and
  HMAC-SHA256(secretKey, secretKey + iyziEventType + paymentId + paymentConversationId
  + status) for the direct format. A webhook carries no amount: the payment is
  retrieved before anything is applied.
- Refunds: https://docs.iyzico.com/en/advanced/refund-and-cancel (Refund V2, ``POST
  /v2/payment/refund`` with paymentId and price).
- Stored cards: https://docs.iyzico.com/en/advanced/card-storage and the non-3DS
  payment (``POST /payment/auth``) with ``paymentCard.cardUserKey``/``cardToken``
  (iyzipay samples/create_payment_with_registered_card.py).
- Idempotency: https://docs.iyzico.com/en/getting-started/preliminaries/idempotency
  (no idempotency header; conversationId and basketId carry our reference). A refund's
  conversationId is the refund transaction's reference, and the reporting service
  (https://docs.iyzico.com/en/advanced/reporting-service, ``GET
  /v2/reporting/payment/details``; field names from iyzipay-java ``PaymentDetail``,
  ``PaymentTxDetail``, ``RefundTxDetail``) is asked for it before a refund is sent.

- Errors: https://docs.iyzico.com/en/add-ons/error-codes. A business failure is answered
  HTTP 200 with ``status: failure``, ``errorCode`` and ``errorMessage``. Codes 1 and 2 are
  "System error occurred" (iyzico's own trouble: tried again later). Code 1001 ("api
  bilgileri bulunamadı", API key not found) and 1000 ("Geçersiz imza", the request's
  IYZWSv2 signature, made with the secret key, is wrong) are iyzico's answers to wrong
  credentials (recorded answers of the API in iyzi ruby client's specs; iyzico's FAQ,
  https://docs.iyzico.com/sss/hata-mesajlari, files "Geçersiz imza" under request and
  authentication errors: check the secret key), or keys of the other environment.

Prices are decimal strings in major units.
"""

import base64
import json
import logging
import secrets
from decimal import Decimal
from urllib.parse import urlencode

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

SIGNATURE_HEADER = "X-IYZ-SIGNATURE-V3"
CHECKOUT_FORM_PATH = "payment/iyzipos/checkoutform/initialize/auth/ecom"
CHECKOUT_FORM_DETAIL_PATH = "payment/iyzipos/checkoutform/auth/ecom/detail"
PAYMENT_DETAIL_PATH = "payment/detail"
PAYMENT_PATH = "payment/auth"
REFUND_PATH = "v2/payment/refund"
REPORTING_PAYMENT_PATH = "v2/reporting/payment/details"
#: errorCode of a business failure that means our API key or secret key is wrong.
CREDENTIAL_ERRORS = ("1000", "1001")
#: errorCode of iyzico's "System error occurred": its trouble, not the request's.
SYSTEM_ERRORS = ("1", "2")
#: iyzico's placeholder identity number for buyers without a Turkish id (TCKN).
DEFAULT_IDENTITY = "11111111111"


@register
class Iyzico(Gateway):
    code = "iyzico"
    name = "iyzico"
    api_url = "https://api.iyzipay.com/"
    sandbox_api_url = "https://sandbox-api.iyzipay.com/"
    regions = "Turkey"
    countries = ("TR",)
    currencies = ("TRY", "USD", "EUR", "GBP", "IRR", "NOK", "RUB", "CHF")
    payment_methods = ("card",)
    tokenization = True
    refunds = "partial"
    webhook_scheme = (
        "HMAC-SHA256 (hex) of secret key + event type + payment id + token + conversation id"
        " + status, keyed with the secret key (X-IYZ-SIGNATURE-V3)"
    )
    signature_header = SIGNATURE_HEADER
    idempotency_header = ""
    credentials = {
        "invoicera_public_key": _lt("API Key (sandbox-...)"),
        "invoicera_secret_key": _lt("Secret Key; iyzico also signs its webhooks with it"),
    }

    # -- requests ---------------------------------------------------------------------

    def authorization(self, path, body, random_key):
        """The IYZWSv2 Authorization value for ``path`` (``/payment/...``) and ``body``."""
        signature = utils.hmac_hex(
            self.provider.invoicera_secret_key, random_key + path + body, "sha256"
        )
        plain = (
            f"apiKey:{self.provider.invoicera_public_key}&randomKey:{random_key}"
            f"&signature:{signature}"
        )
        return "IYZWSv2 " + base64.b64encode(plain.encode()).decode()

    def call(self, path, payload, idempotency_key=None):
        """POST ``payload`` to ``path`` signed with IYZWSv2.

        The JSON is serialised here so that the signed body is byte for byte the sent one.
        """
        # ASCII JSON: the signed string is exactly the bytes sent.
        body = json.dumps(payload, separators=(",", ":"))
        random_key = secrets.token_hex(8)
        headers = {
            "Content-Type": "application/json",
            "x-iyzi-rnd": random_key,
            "Authorization": self.authorization("/" + path, body, random_key),
        }
        return self.request(
            "POST",
            path,
            form=body,
            headers=headers,
            idempotency_key=idempotency_key,
        )

    def report(self, path, params):
        """GET a reporting service ``path`` with the query ``params``, signed with IYZWSv2.

        iyzico's clients sign a GET with the path alone (no query string, no body):
        iyzipay-php ``IyziAuthV2Generator::getPayload``, iyzipay-java ``ReportingPaymentDetail``.
        """
        random_key = secrets.token_hex(8)
        headers = {
            "x-iyzi-rnd": random_key,
            "Authorization": self.authorization("/" + path, "", random_key),
        }
        return self.request("GET", path, params=params, headers=headers)

    def auth_headers(self):
        return {}  # every call is signed per request by call() or report()

    def error_message(self, body):
        if isinstance(body, dict):
            return body.get("errorMessage") or body.get("errorCode") or ""
        return ""

    def _checked(self, data):
        """``data``, unless it is a business failure (HTTP 200 with ``status: failure``).

        A failure raises what an HTTP error of other gateways would: wrong credentials
        :class:`GatewayMisconfigured`, iyzico's system error :class:`GatewayUnavailable`,
        any other refusal :class:`ValidationError` with iyzico's message.
        """
        if isinstance(data, dict) and data.get("status") == "success":
            return data
        env = self.provider.env
        message = self.error_message(data) or env._("unknown error")
        code = str(data.get("errorCode") or "") if isinstance(data, dict) else ""
        if code in CREDENTIAL_ERRORS:
            raise GatewayMisconfigured(
                env._(
                    "%(gateway)s refused our credentials (error %(code)s: %(message)s)."
                    " Check the API keys in the payment provider's settings: the API key and"
                    " the secret key, current and of the provider's mode (test or live).",
                    gateway=self.name,
                    code=code,
                    message=message,
                )
            )
        if code in SYSTEM_ERRORS:
            raise GatewayUnavailable(
                env._(
                    "%(gateway)s is unavailable (error %(code)s: %(message)s). Please try"
                    " again in a moment.",
                    gateway=self.name,
                    code=code,
                    message=message,
                )
            )
        raise ValidationError(
            env._(
                "%(gateway)s refused the request: %(message)s", gateway=self.name, message=message
            )
        )

    # -- payloads -------------------------------------------------------------------------

    def price(self, amount, currency):
        """A major-units decimal string, from the amount rounded to the currency's minor unit."""
        code = getattr(currency, "name", currency)
        return str(utils.from_minor_units(self.minor(amount, code), code, self.exponents))

    @staticmethod
    def _client_ip():
        try:
            from odoo.http import request

            return request.httprequest.remote_addr or "127.0.0.1"
        except (ImportError, RuntimeError, AttributeError):
            return "127.0.0.1"

    @staticmethod
    def _present(values):
        """``values`` without its empty optional fields."""
        return {key: value for key, value in values.items() if value not in (None, "", False)}

    def _order(self, tx):
        """The buyer, addresses and basket iyzico requires with every payment."""
        partner = tx.partner_id
        names = (tx.partner_name or partner.name or "-").split(" ", 1)
        city = tx.partner_city or "-"
        country = tx.partner_country_id.name or "Turkey"
        address = tx.partner_address or "-"
        price = self.price(tx.amount, tx.currency_id)
        contact = tx.partner_name or partner.name or "-"
        location = {"contactName": contact, "city": city, "country": country, "address": address}
        return {
            "locale": "tr" if (tx.partner_lang or "").startswith("tr") else "en",
            "conversationId": tx.reference,
            "price": price,
            "paidPrice": price,
            "currency": tx.currency_id.name,
            "basketId": tx.reference,
            "paymentGroup": "PRODUCT",
            "buyer": self._present(
                {
                    "id": str(partner.id),
                    "name": names[0] or "-",
                    "surname": names[1] if len(names) > 1 else "-",
                    "identityNumber": partner.vat
                    if (partner.vat or "").isdigit()
                    else DEFAULT_IDENTITY,
                    "email": tx.partner_email or partner.email,
                    "gsmNumber": tx.partner_phone or partner.phone or None,
                    "registrationAddress": address,
                    "city": city,
                    "country": country,
                    "zipCode": tx.partner_zip or None,
                    "ip": self._client_ip(),
                }
            ),
            "shippingAddress": location,
            "billingAddress": location,
            "basketItems": [
                {
                    "id": tx.reference,
                    "name": self.provider.env._("Payment %s", tx.reference),
                    "category1": self.provider.env._("Invoice"),
                    "itemType": "VIRTUAL",
                    "price": price,
                }
            ],
        }

    # -- checkout ------------------------------------------------------------------------

    def create_checkout(self, tx, return_url, webhook_url):
        payload = dict(
            self._order(tx),
            # iyzico posts the token to the callback URL; our reference rides along.
            callbackUrl=f"{return_url}?{urlencode({'reference': tx.reference})}",
            # One instalment: the client pays exactly the invoiced amount.
            enabledInstallments=[1],
        )
        if tx.tokenize and tx.token_id.invoicera_customer_ref:
            payload["cardUserKey"] = tx.token_id.invoicera_customer_ref
        data = self._checked(
            self.call(
                CHECKOUT_FORM_PATH, payload, idempotency_key=self.idempotency_key(tx, "create")
            )
        )
        return Checkout(url=data["paymentPageUrl"])

    def parse_return(self, data):
        return data.get("reference") or data.get("conversationId") or ""

    def event_from_payment(self, data, key=""):
        """A GatewayEvent from a Checkout Form or payment detail answer."""
        if data.get("status") != "success":
            return GatewayEvent(
                status="error",
                reference=data.get("conversationId") or data.get("basketId") or "",
                key=key,
                message=self.error_message(data),
            )
        payment_status = data.get("paymentStatus") or "SUCCESS"
        fraud = data.get("fraudStatus", 1)
        if payment_status == "SUCCESS":
            status = {1: "done", 0: "pending", -1: "error"}.get(fraud, "pending")
        elif payment_status in ("FAILURE",):
            status = "error"
        else:  # INIT_THREEDS, CALLBACK_THREEDS, ...
            status = "pending"
        token = None
        if status == "done" and data.get("cardToken") and data.get("cardUserKey"):
            token = {
                "provider_ref": data["cardToken"],
                "payment_details": data.get("lastFourDigits") or "",
                "customer_ref": data["cardUserKey"],
            }
        paid = data.get("paidPrice")
        currency = data.get("currency") or ""
        return GatewayEvent(
            status=status,
            reference=data.get("basketId") or data.get("conversationId") or "",
            provider_reference=str(data.get("paymentId") or ""),
            key=key,
            amount=self.minor(Decimal(str(paid)), currency) if paid is not None else None,
            currency=currency,
            message=data.get("errorMessage") or "",
            token=token,
            payment_method="card",
        )

    def payment_of(self, tx):
        """iyzico's payment made under ``tx``'s reference, or {} when there is none.

        When iyzico cannot tell (its system error, our credentials refused), this
        raises: a retry must not take that for "no payment" and charge again."""
        try:
            return self._checked(
                self.call(
                    PAYMENT_DETAIL_PATH,
                    {
                        "locale": "en",
                        "conversationId": tx.reference,
                        "paymentConversationId": tx.reference,
                    },
                )
            )
        except (GatewayUnavailable, GatewayMisconfigured):
            raise
        except ValidationError:
            return {}  # iyzico has no payment under this reference

    def fetch_status(self, tx):
        data = self.payment_of(tx)
        return self.event_from_payment(data) if data else None  # else: the webhook will tell

    # -- webhooks --------------------------------------------------------------------------

    def signing_secret(self):
        return self.provider.invoicera_secret_key

    def verify(self, delivery, now=None):
        payload = delivery.json()
        secret = self.signing_secret()
        parts = [secret, payload.get("iyziEventType")]
        if payload.get("token"):  # Checkout Form / Pay with iyzico (HPP) format
            parts += [payload.get("iyziPaymentId"), payload.get("token")]
        else:  # direct (API) format
            parts += [payload.get("paymentId") or payload.get("iyziPaymentId")]
        parts += [payload.get("paymentConversationId"), payload.get("status")]
        message = "".join("" if part is None else str(part) for part in parts)
        expected = utils.hmac_hex(secret, message, "sha256")
        return utils.signatures_match(expected, delivery.headers.get(SIGNATURE_HEADER, "").lower())

    def parse_notification(self, delivery):
        payload = delivery.json()
        status = payload.get("status")
        if status not in ("SUCCESS", "FAILURE"):
            return None  # INIT_THREEDS, CALLBACK_THREEDS...: intermediate steps
        payment_id = payload.get("iyziPaymentId") or payload.get("paymentId")
        key = f"{payload.get('iyziEventType')}:{payment_id}:{status}"
        # The webhook has no amount: ask iyzico for the payment before applying it. A
        # payment iyzico refuses to show raises (recorded as ignored, or sent again).
        if payload.get("token"):
            data = self.call(
                CHECKOUT_FORM_DETAIL_PATH,
                {
                    "locale": "en",
                    "conversationId": payload.get("paymentConversationId") or "",
                    "token": payload["token"],
                },
            )
        else:
            data = self.call(
                PAYMENT_DETAIL_PATH,
                {"locale": "en", "paymentId": str(payment_id)},
            )
        return self.event_from_payment(self._checked(data), key=key)

    # -- refunds and stored cards --------------------------------------------------------------

    def earlier_refund(self, tx, refund_tx):
        """The refund an earlier attempt at ``refund_tx`` made, or None.

        iyzico takes no idempotency key: after a timeout the refund may have been made.
        The reporting service (Transaction Detail, ``GET /v2/reporting/payment/details``)
        lists the payment's refunds with the ``conversationId`` each was asked with, our
        refund transaction's reference (``refundConversationId``; ``refundStatus`` 1 for a
        refund carried out). When it cannot be asked (4xx, business failure), the refund is
        sent as before and the failure logged; when iyzico is unreachable, nothing is sent.
        """
        try:
            data = self.report(
                REPORTING_PAYMENT_PATH,
                {
                    "locale": "en",
                    "conversationId": refund_tx.reference,
                    "paymentId": tx.provider_reference,
                },
            )
        except GatewayUnavailable:
            raise
        except ValidationError as error:
            data = {"status": "failure", "errorMessage": str(error)}
        if not isinstance(data, dict) or data.get("status") != "success":
            _logger.warning(
                "iyzico: refunds of payment %s could not be listed (%s); refund %s is sent",
                tx.provider_reference,
                self.error_message(data),
                refund_tx.reference,
            )
            return None
        for payment in data.get("payments") or []:
            for item in payment.get("itemTransactions") or []:
                for refund in item.get("refunds") or []:
                    if (
                        refund.get("refundConversationId") == refund_tx.reference
                        and str(refund.get("refundStatus")) == "1"
                    ):
                        return refund
        return None

    def refund(self, tx, refund_tx, amount):
        earlier = self.earlier_refund(tx, refund_tx)
        if earlier:
            _logger.info(
                "iyzico: refund %s was already made (%s), not asked again",
                refund_tx.reference,
                earlier.get("refundTxId"),
            )
            price, currency = earlier.get("refundPrice"), earlier.get("currencyCode") or ""
            return GatewayEvent(
                status="done",
                reference=refund_tx.reference,
                provider_reference=str(earlier.get("refundTxId") or ""),
                amount=self.minor(Decimal(str(price)), currency)
                if price is not None and currency
                else None,
                currency=currency,
            )
        data = self._checked(
            self.call(
                REFUND_PATH,
                {
                    "locale": "en",
                    "conversationId": refund_tx.reference,
                    "paymentId": tx.provider_reference,
                    "price": self.price(amount, tx.currency_id),
                    "currency": tx.currency_id.name,
                    "ip": self._client_ip(),
                },
                idempotency_key=self.idempotency_key(refund_tx, "refund"),
            )
        )
        return GatewayEvent(
            status="done",
            reference=refund_tx.reference,
            provider_reference=str(data.get("paymentTransactionId") or data.get("paymentId") or ""),
        )

    def charge_token(self, tx):
        if tx.invoicera_retry:
            # No idempotency key at iyzico: after a timeout, look for the payment
            # the first attempt may have made before paying again.
            data = self.payment_of(tx)
            if data:
                return self.event_from_payment(data)
        payload = dict(
            self._order(tx),
            installment=1,
            paymentChannel="WEB",
            paymentCard={
                "cardUserKey": tx.token_id.invoicera_customer_ref,
                "cardToken": tx.token_id.provider_ref,
            },
        )
        data = self.call(PAYMENT_PATH, payload, idempotency_key=self.idempotency_key(tx, "charge"))
        event = self.event_from_payment(data)
        event.reference = tx.reference
        return event
