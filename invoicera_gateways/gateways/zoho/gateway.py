"""Zoho Payments (India, United States): payment links, webhooks and refunds.

Documentation used:

- Introduction: https://www.zoho.com/in/payments/api/v1/introduction/ and
  https://www.zoho.com/us/payments/api/v1/introduction/ (roots
  ``https://payments.zoho.in/api/v1`` and ``https://payments.zoho.com/api/v1``, the
  ``account_id`` query parameter on every call, ``Authorization: Zoho-oauthtoken ...``,
  answers ``{"code": 0, "message": ..., <resource>: {...}}``).
- Payment links: https://www.zoho.com/in/payments/api/v1/payment-links (``POST
  /paymentlinks`` with amount, currency, email, phone, reference_id, description,
  return_url; the answer's ``url`` is the hosted payment page).
- Webhooks: https://www.zoho.com/in/payments/api/v1/webhooks/ (payment.succeeded,
  payment.failed, payment.pending, payment_link.paid/expired/canceled,
  refund.succeeded/failed; ``event_id`` identifies an event) and
  https://www.zoho.com/in/payments/developerdocs/webhooks/verification (header
  ``X-Zoho-Webhook-Signature: t=<ms>,v=<hex HMAC-SHA256(signing key, t + "." + raw
  body)>``).
- Refunds: https://www.zoho.com/in/payments/api/v1/refunds (``POST
  /payments/{payment_id}/refunds``; status initiated, succeeded, failed, canceled or
  pending).

Amounts are decimal strings in major units. A ``done`` event confirms a payment only
with its amount: a webhook that lacks it (or whose amount cannot be read) is completed
from the API (Retrieve Payment Details, Retrieve Payment Link).

Zoho Payments documents no idempotency header: each payment link carries our unique
transaction reference (``reference_id``) and each refund our refund reference
(``reference_number``). Before a refund is asked for, the payment is retrieved and its
``refunds`` searched for that reference; its ``amount_refunded`` is the fallback guard
(see :meth:`ZohoPayments.earlier_refund`).

Authentication: https://www.zoho.com/in/payments/api/v1/authentication and
https://www.zoho.com/in/payments/developerdocs/web-integration/org-oauth (an OAuth
client's ID and secret, and a refresh token generated once; "when the access token
expires, use the refresh token to re-generate a new one": ``POST
{accounts server}/oauth/v2/token`` with ``client_id``, ``client_secret``,
``grant_type=refresh_token`` and ``refresh_token``, answering ``{"access_token": ...,
"expires_in": 3600, ...}``, or ``{"error": ...}``; accounts server
https://accounts.zoho.in for India, https://accounts.zoho.com for the United States).
An access token lasts an hour: it is kept on the provider and renewed when it is about
to expire, and once more when Zoho refuses it (revoked). Without a refresh
token, the secret key is sent as the access token itself (as before the refresh
token was asked for; it stops working within the hour).

Saved payment methods exist at Zoho Payments only through its customer, payment
method session and mandate APIs driven by its embedded widget, not through the
hosted payment link; this adapter offers no tokenization.
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode, urlsplit

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ... import utils
from ..base import (
    Checkout,
    Gateway,
    GatewayEvent,
    GatewayMisconfigured,
    GatewayRefused,
    register,
)

_lt = LazyTranslate(__name__)

HOSTS = {"IN": "https://payments.zoho.in/api/v1/", "US": "https://payments.zoho.com/api/v1/"}
#: the sandbox (https://www.zoho.com/in/payments/developerdocs/sandbox: "the sandbox
#: endpoint: https://paymentssandbox.zoho.in/"); none documented for the US
SANDBOX_HOSTS = {"IN": "https://paymentssandbox.zoho.in/api/v1/"}
#: an account takes its country's currency only (Zoho Payments India: INR), by host
HOST_CURRENCIES = {
    "payments.zoho.in": "INR",
    "paymentssandbox.zoho.in": "INR",
    "payments.zoho.com": "USD",
}
PAYMENT_EVENTS = {
    "payment.succeeded": "done",
    "payment.pending": "pending",
    "payment.failed": "error",
}
LINK_EVENTS = {
    "payment_link.paid": "done",
    "payment_link.expired": "cancel",
    "payment_link.canceled": "cancel",
}
#: the OAuth server of each API host's data center (by the API root's domain)
ACCOUNTS_SERVERS = {".in": "https://accounts.zoho.in/", ".com": "https://accounts.zoho.com/"}
#: an access token is renewed this long before Zoho says it expires
TOKEN_MARGIN = timedelta(minutes=5)
REFUND_EVENTS = {"refund.succeeded": "done", "refund.failed": "error"}
REFUND_STATUSES = {"succeeded": "done", "failed": "error", "canceled": "error"}
METHODS = {
    "card": "card",
    "upi": "upi",
    "netbanking": "netbanking",
    "ach": "ach_direct_debit",
    "ach_debit": "ach_direct_debit",
}


@register
class ZohoPayments(Gateway):
    code = "zoho"
    name = "Zoho Payments"
    api_url = HOSTS["US"]
    regions = "India, United States"
    countries = ("IN", "US")
    currencies = ("INR", "USD")
    payment_methods = ("card", "upi", "netbanking", "ach_direct_debit")
    tokenization = False
    refunds = "partial"
    webhook_scheme = (
        "HMAC-SHA256 (hex) of timestamp + '.' + raw body with the signing key"
        " (X-Zoho-Webhook-Signature: t=...,v=...)"
    )
    signature_header = "X-Zoho-Webhook-Signature"
    idempotency_header = ""
    credentials = {
        "invoicera_account_id": _lt("Account ID (Zoho Payments > Settings > Developer Space)"),
        "invoicera_public_key": _lt("Client ID of your OAuth client (Zoho Developer Console)"),
        "invoicera_secret_key": _lt(
            "Client Secret of that OAuth client (without a refresh token: an access"
            " token, which Zoho lets expire within the hour)"
        ),
        "invoicera_refresh_token": _lt(
            "Refresh token generated once for that client (scopes"
            " ZohoPay.payments.CREATE, ZohoPay.payments.READ, ZohoPay.refunds.CREATE;"
            " in test mode, the sandbox's: ZohoPaySandbox.*): Odoo renews the access"
            " token with it every hour"
        ),
        "invoicera_webhook_secret": _lt("Webhook signing key"),
        "invoicera_server_url": _lt(
            "API root, e.g. https://payments.zoho.in/api/v1 (India);"
            " empty: chosen from the company's country"
        ),
    }

    # -- requests ---------------------------------------------------------------------

    def base_url(self):
        if self.provider.invoicera_server_url:
            return super().base_url()
        country = self.provider.company_id.country_id.code
        if self.provider.invoicera_sandbox:
            if country not in SANDBOX_HOSTS:
                # Test Mode on the live API would take real money: nothing is sent.
                raise GatewayMisconfigured(
                    self.provider.env._(
                        "Zoho Payments has a sandbox for accounts in India only: in Test"
                        " Mode, nothing is sent to its live API. Enable the provider with"
                        " your live credentials, or enter the API root of a sandbox in"
                        " the provider's server URL."
                    )
                )
            return SANDBOX_HOSTS[country]
        return HOSTS.get(country, self.api_url)

    def account_currencies(self):
        """An account takes the currency of its country, whose host it is on."""
        try:
            host = urlsplit(self.base_url()).hostname
        except GatewayMisconfigured:  # no sandbox for its country: the live host's
            host = urlsplit(HOSTS.get(self.provider.company_id.country_id.code, "")).hostname
        currency = HOST_CURRENCIES.get(host)
        return (currency,) if currency else self.currencies

    def auth_headers(self):
        return {"Authorization": f"Zoho-oauthtoken {self.access_token()}"}

    # -- OAuth: an access token from the refresh token -------------------------------

    def access_token(self):
        """The access token to call the API with: the provider's while it is
        valid, else a new one from the refresh token (none: the secret key).
        Kept on the provider, as Odoo's PayPal keeps its own: every worker of
        the server uses the same token (Zoho limits how many are made)."""
        provider = self.provider.sudo()
        if not provider.invoicera_refresh_token:
            return provider.invoicera_secret_key
        now = fields.Datetime.now()
        expiry = provider.invoicera_access_token_expiry
        if provider.invoicera_access_token and expiry and now < expiry - TOKEN_MARGIN:
            return provider.invoicera_access_token
        token, lifetime = self._new_access_token()
        provider.write(
            {
                "invoicera_access_token": token,
                "invoicera_access_token_expiry": now + timedelta(seconds=lifetime),
            }
        )
        return token

    def forget_access_token(self):
        """Drop the provider's access token (Zoho refused it); whether there was one."""
        provider = self.provider.sudo()
        if not provider.invoicera_access_token:
            return False
        provider.write({"invoicera_access_token": False, "invoicera_access_token_expiry": False})
        return True

    def accounts_server(self):
        """Zoho's OAuth server of the data center of the API called."""
        host = urlsplit(self.base_url()).hostname or ""
        for suffix, server in ACCOUNTS_SERVERS.items():
            if host.endswith(suffix):
                return server
        return ACCOUNTS_SERVERS[".com"]

    def _new_access_token(self):
        """``(access token, lifetime in seconds)`` from Zoho's OAuth server."""
        provider = self.provider

        def refused(error):
            return GatewayMisconfigured(
                provider.env._(
                    "Zoho Payments refused to renew the access token (%(error)s). Check"
                    " the client ID, client secret and refresh token in the payment"
                    " provider's settings: of the same OAuth client, in the data center"
                    " of your Zoho Payments account, and not revoked.",
                    error=error,
                )
            )

        try:
            # in the form, not the address: it could be logged
            data = self.request(
                "POST",
                self.accounts_server() + "oauth/v2/token",
                form={
                    "client_id": provider.invoicera_public_key or "",
                    "client_secret": provider.invoicera_secret_key or "",
                    "grant_type": "refresh_token",
                    "refresh_token": provider.invoicera_refresh_token,
                },
                authenticate=False,
            )
        except GatewayRefused as error:  # 400: the client or the token refused
            body = error.body if isinstance(error.body, dict) else {}
            message = body.get("error") or error.args[0]
            raise refused(message) from error
        token = data.get("access_token") if isinstance(data, dict) else None
        if not token:
            # Zoho answers 200 with {"error": "invalid_code"} for a refused token
            message = (data.get("error") if isinstance(data, dict) else None) or "no token"
            raise refused(message)
        try:
            lifetime = int(data.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600
        return token, min(lifetime, 3600)

    def call(self, method, path, payload=None, idempotency_key=None):
        try:
            return self._call(method, path, payload, idempotency_key)
        except GatewayMisconfigured as error:
            # our access token refused (revoked, or expired early): once more
            # with a new one; nothing was carried out with the refused one
            if (
                error.status != 401
                or not self.provider.sudo().invoicera_refresh_token
                or not self.forget_access_token()
            ):
                raise
            return self._call(method, path, payload, idempotency_key)

    def _call(self, method, path, payload=None, idempotency_key=None):
        data = self.request(
            method,
            path,
            payload,
            params={"account_id": self.provider.invoicera_account_id},
            idempotency_key=idempotency_key,
        )
        if not isinstance(data, dict) or data.get("code") not in (0, "0", None):
            raise ValidationError(
                self.provider.env._(
                    "%(gateway)s refused the request: %(message)s",
                    gateway=self.name,
                    message=self.error_message(data) or self.provider.env._("unknown error"),
                )
            )
        return data

    def error_message(self, body):
        return str(body.get("message") or "") if isinstance(body, dict) else ""

    def decimal(self, amount, currency):
        code = getattr(currency, "name", currency)
        return str(utils.from_minor_units(self.minor(amount, code), code, self.exponents))

    def to_minor(self, value, currency):
        try:
            return self.minor(Decimal(str(value)), currency) if value not in (None, "") else None
        except (InvalidOperation, ValueError):
            return None

    # -- checkout ------------------------------------------------------------------------

    def create_checkout(self, tx, return_url, webhook_url):
        payload = {
            "amount": self.decimal(tx.amount, tx.currency_id),
            "currency": tx.currency_id.name,
            "email": tx.partner_email or tx.partner_id.email or "",
            "reference_id": tx.reference,
            "description": self.provider.env._("Payment %s", tx.reference),
            "return_url": f"{return_url}?{urlencode({'reference': tx.reference})}",
        }
        phone = tx.partner_phone or tx.partner_id.phone
        if phone:
            payload["phone"] = phone
        data = self.call(
            "POST", "paymentlinks", payload, idempotency_key=self.idempotency_key(tx, "create")
        )
        link = data.get("payment_links") or data.get("payment_link") or {}
        return Checkout(url=link["url"])

    def parse_return(self, data):
        return data.get("reference") or data.get("payment_link_reference") or ""

    def event_from_payment(self, payment, status, key=""):
        currency = payment.get("currency") or ""
        method = payment.get("payment_method") or {}
        return GatewayEvent(
            status=status,
            reference=payment.get("reference_number") or "",
            provider_reference=str(payment.get("payment_id") or ""),
            key=key,
            amount=self.to_minor(payment.get("amount"), currency) if currency else None,
            currency=currency,
            message=str(payment.get("failure_reason") or payment.get("error_message") or "")
            if status == "error"
            else "",
            payment_method=METHODS.get(method.get("type") if isinstance(method, dict) else "", ""),
        )

    def fetch_status(self, tx):
        if not tx.provider_reference:
            return None  # the payment id arrives with the webhook
        payment = self.call("GET", f"payments/{tx.provider_reference}").get("payments") or {}
        status = {"succeeded": "done", "failed": "error", "pending": "pending"}.get(
            payment.get("status")
        )
        if not status:
            return None
        event = self.event_from_payment(payment, status)
        event.reference = tx.reference
        return event

    # -- webhooks --------------------------------------------------------------------------

    def verify(self, delivery, now=None):
        fields = dict(
            part.strip().split("=", 1)
            for part in delivery.headers.get(self.signature_header, "").split(",")
            if "=" in part
        )
        timestamp, signature = fields.get("t", ""), fields.get("v", "")
        if not self.timestamp_is_fresh(timestamp, now):
            return False
        expected = utils.hmac_hex(
            self.signing_secret(), timestamp.encode() + b"." + delivery.body, "sha256"
        )
        return utils.signatures_match(expected, signature.lower())

    def event_from_link(self, link, status, key=""):
        currency = link.get("currency") or ""
        payments = link.get("payments") or []
        return GatewayEvent(
            status=status,
            reference=link.get("reference_id") or "",
            provider_reference=str((payments[-1] if payments else {}).get("payment_id") or ""),
            key=key,
            amount=self.to_minor(link.get("amount_paid"), currency)
            if status == "done" and currency
            else None,
            currency=currency if status == "done" else "",
        )

    def fetch_payment(self, payment_id):
        """Retrieve Payment Details: the payment object, or {} without an id."""
        if not payment_id:
            return {}
        return self.call("GET", f"payments/{payment_id}").get("payments") or {}

    def fetch_link(self, link_id):
        """Retrieve Payment Link: the payment link object, or {} without an id."""
        if not link_id:
            return {}
        data = self.call("GET", f"paymentlinks/{link_id}")
        return data.get("payment_links") or data.get("payment_link") or {}

    def parse_notification(self, delivery):
        """The event a webhook reports.

        A payment is confirmed only with its amount and currency: when a ``done``
        event lacks them (or they cannot be read), the payment, or the payment
        link, is retrieved from the API and what it says is applied.
        """
        payload = delivery.json()
        event_type = payload.get("event_type") or ""
        key = f"{event_type}:{payload.get('event_id')}"
        obj = payload.get("event_object") or {}
        if event_type in PAYMENT_EVENTS:
            payment = obj.get("payment") or {}
            status = PAYMENT_EVENTS[event_type]
            event = self.event_from_payment(payment, status, key)
            if status == "done" and (event.amount is None or not event.currency):
                fetched = self.fetch_payment(payment.get("payment_id"))
                if fetched:
                    event = self.event_from_payment(fetched, status, key)
                    event.reference = payment.get("reference_number") or event.reference
            return event
        if event_type in LINK_EVENTS:
            link = obj.get("payment_link") or {}
            status = LINK_EVENTS[event_type]
            event = self.event_from_link(link, status, key)
            if status == "done" and (event.amount is None or not event.currency):
                fetched = self.fetch_link(link.get("payment_link_id"))
                if fetched:
                    event = self.event_from_link({**link, **fetched}, status, key)
                if event.amount is None or not event.currency:
                    # No amount on the link either: the payment made through it tells.
                    payment = self.fetch_payment(event.provider_reference)
                    if payment:
                        paid = self.event_from_payment(payment, status, key)
                        event.amount, event.currency = paid.amount, paid.currency
                        event.payment_method = paid.payment_method
            return event
        if event_type in REFUND_EVENTS:
            refund = obj.get("refund") or {}
            payment_id = str(refund.get("payment_id") or "")
            # A refund is in its payment's currency (the refund object names none).
            currency = self.transaction_known_as(payment_id).currency_id.name or ""
            return GatewayEvent(
                status=REFUND_EVENTS[event_type],
                reference=refund.get("reference_number") or "",
                provider_reference=str(refund.get("refund_id") or ""),
                key=key,
                message=str(refund.get("failure_reason") or ""),
                amount=self.to_minor(refund.get("amount"), currency) if currency else None,
                currency=currency,
                refund_of=payment_id,
                refund_reference=refund.get("reference_number") or "",
            )
        return None

    # -- refunds ---------------------------------------------------------------------------

    def event_from_refund(self, refund, tx, refund_tx):
        currency = tx.currency_id.name
        return GatewayEvent(
            status=REFUND_STATUSES.get(refund.get("status"), "pending"),
            reference=refund_tx.reference,
            provider_reference=str(refund.get("refund_id") or ""),
            # A refund is in its payment's currency.
            amount=self.to_minor(refund.get("amount"), currency),
            currency=currency if refund.get("amount") not in (None, "") else "",
            message=str(refund.get("failure_reason") or ""),
        )

    def earlier_refund(self, tx, refund_tx, amount):
        """The refund an earlier attempt at ``refund_tx`` made, from the payment's details.

        Zoho Payments takes no idempotency key and lists no refunds by reference: the
        payment (Retrieve Payment Details) is asked for its ``refunds``, matched by our
        ``reference_number``. When none matches but the payment's ``amount_refunded``
        shows at least this amount refunded beyond the refunds Odoo knows of, an earlier
        attempt may have been carried out: nothing is sent and the user is told to check.
        """
        payment = self.fetch_payment(tx.provider_reference)
        for refund in payment.get("refunds") or []:
            if (
                isinstance(refund, dict)
                and refund.get("reference_number") == refund_tx.reference
                and REFUND_STATUSES.get(refund.get("status")) != "error"
            ):
                return refund
        currency = tx.currency_id
        known = self.refunded_minor(tx, refund_tx)
        refunded = self.to_minor(payment.get("amount_refunded"), currency) or 0
        if refunded - known >= self.minor(amount, currency):
            raise ValidationError(
                self.provider.env._(
                    "Zoho Payments already shows %(refunded)s %(currency)s refunded on the"
                    " payment of %(reference)s, more than the refunds Odoo knows of: an"
                    " earlier refund attempt may have been carried out. Check the payment in"
                    " Zoho Payments before refunding again; nothing was sent.",
                    refunded=payment.get("amount_refunded"),
                    currency=currency.name,
                    reference=tx.reference,
                )
            )
        return None

    def refund(self, tx, refund_tx, amount):
        if not tx.provider_reference:
            raise ValidationError(
                self.provider.env._(
                    "Zoho Payments has not reported the payment of %s yet.", tx.reference
                )
            )
        earlier = self.earlier_refund(tx, refund_tx, amount)
        if earlier:
            return self.event_from_refund(earlier, tx, refund_tx)
        data = self.call(
            "POST",
            f"payments/{tx.provider_reference}/refunds",
            {
                "amount": self.decimal(amount, tx.currency_id),
                "reason": "requested_by_customer",
                "type": "initiated_by_merchant",
                "reference_number": refund_tx.reference,
                "description": self.provider.env._("Refund of %s", tx.reference),
            },
            idempotency_key=self.idempotency_key(refund_tx, "refund"),
        )
        return self.event_from_refund(data.get("refund") or {}, tx, refund_tx)
