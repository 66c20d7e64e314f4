"""Paymob (Egypt, UAE, Saudi Arabia, Oman, Pakistan): Intention API and Unified Checkout.

Documentation used:

- Create Intention: https://developers.paymob.com/paymob-docs/developers/intention-apis/create-intention
  (``POST /v1/intention/``, ``Authorization: Token <secret key>``, amount in cents,
  ``payment_methods`` = integration ids, ``special_reference``, ``notification_url``,
  ``redirection_url``; the answer's ``client_secret`` opens the Unified Checkout at
  ``/unifiedcheckout/?publicKey=...&clientSecret=...``).
- Transaction callbacks and HMAC:
  https://developers.paymob.com/paymob-docs/manage-callback/transaction-callbacks and
  https://developers.paymob.com/paymob-docs/developers/webhook-callbacks-and-hmac/hmac/hmac-transaction-callback
  (HMAC-SHA512, hex, of the documented transaction fields concatenated in their
  documented order, sent in the ``hmac`` query parameter).
- Saved cards: https://developers.paymob.com/paymob-docs/developers/pay-with-saved-cards/create-card-token
  (``TOKEN`` callback; its HMAC covers card_subtype, created_at, email, id, masked_pan,
  merchant_id, order_id, token) and .../pay-with-saved-cards/mit (an intention on a
  MOTO integration, then ``POST /api/acceptance/payments/pay`` with the card token).
- Refund: ``POST /api/acceptance/void_refund/refund`` with ``transaction_id`` and
  ``amount_cents`` (https://docs.paymob.com/docs/refund-transaction), authenticated
  with the same ``Token <secret key>`` header as the Intention API (the legacy page
  shows an ``auth_token`` in the body instead); the answer is a transaction object.
- Country hosts (accept, uae, ksa, oman, pakistan .paymob.com) from the secret key's
  prefix, as in Paymob's own WooCommerce plugin.

Amounts are in "cents" of the currency: hundredths for EGP, AED, SAR and PKR and
thousandths (baisa) for OMR, which is what ISO 4217 exponents give.

Identification: Paymob signs the order id (``obj.order.id``) but not
``merchant_order_id`` (our reference). The intention's ``intention_order_id`` is
therefore kept as the transaction's provider reference at checkout, notifications
are matched on the signed order id only, and a notification whose unsigned
reference disagrees with the transaction of its signed order id is refused.
Each attempt at paying an order is a Paymob transaction of its own: once one has
paid, the decline of another attempt (arriving late) is ignored, not taken for a
failure of the payment.

Auth/capture integrations (https://docs.paymob.com/docs/auth-capture-payments): the
auth transaction (``is_auth``) only holds the money, so it leaves the transaction
pending (Odoo captures nothing through these providers); the capture the merchant
makes in Paymob's dashboard or API, a transaction of the same order of its own
(``is_capture``, ``has_parent_transaction``), confirms it, and is the transaction
refunds are made on (it holds the money collected). A capture not made leaves the
authorization, which can be captured again; a void sends the callback of the
voided transaction again with ``is_voided``
(https://docs.paymob.com/docs/void-transaction), which cancels it.

Paymob has no idempotency header: ``special_reference`` (our unique transaction
reference) identifies each intention, so a retried intention is tied to the same
Odoo transaction, and refunds name the Paymob transaction they refund.

Saved cards: the order id of the MOTO intention is kept as the transaction's
provider reference before ``payments/pay`` is called, so the callback of a
payment whose answer was lost still finds its transaction; a retried charge
(``invoicera_retry``) first asks Paymob what that order holds
(``POST /api/ecommerce/orders/transaction_inquiry`` with ``order_id``,
https://docs.paymob.com/docs/retrieve-a-transaction) and pays again only if
it holds no transaction.

Refunds: a refund is a transaction of its own (``is_refund``), whose id is
kept as the refund transaction's provider reference; its callback (a
``TRANSACTION`` callback signed like any other) completes a refund that was
answered as pending; the callback of a refund made elsewhere (e.g. in Paymob's
dashboard) of a confirmed payment of ours is reported as refunded outside Odoo
(listed under Problems and posted on the invoice). Paymob takes no idempotency
key and lists no refunds by our reference, so before a refund is sent the paid
transaction is retrieved (``GET /api/acceptance/transactions/{id}``,
https://docs.paymob.com/docs/retrieve-a-transaction): when it shows more
refunded (``refunded_amount_cents``, else ``is_refunded``) than the refunds
Odoo knows of, an earlier attempt whose answer was lost may have been carried
out, and nothing is sent.
"""

import logging
from urllib.parse import urlsplit

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


def flag(obj, key):
    """Whether ``obj``'s boolean ``key`` is true: Paymob's callbacks send JSON
    booleans, its Transaction Inquiry strings ("true", "false")."""
    value = obj.get(key)
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


#: HMAC fields of a transaction callback, in Paymob's documented order.
TRANSACTION_FIELDS = (
    "amount_cents",
    "created_at",
    "currency",
    "error_occured",
    "has_parent_transaction",
    "id",
    "integration_id",
    "is_3d_secure",
    "is_auth",
    "is_capture",
    "is_refunded",
    "is_standalone_payment",
    "is_voided",
    "order.id",
    "owner",
    "pending",
    "source_data.pan",
    "source_data.sub_type",
    "source_data.type",
    "success",
)
#: HMAC fields of a card token callback (lexicographic, as documented).
TOKEN_FIELDS = (
    "card_subtype",
    "created_at",
    "email",
    "id",
    "masked_pan",
    "merchant_id",
    "order_id",
    "token",
)
#: API host of each country, chosen from the prefix of the secret key (egy_sk_...).
HOSTS = {
    "egy": "https://accept.paymob.com/",
    "are": "https://uae.paymob.com/",
    "uae": "https://uae.paymob.com/",
    "ksa": "https://ksa.paymob.com/",
    "sau": "https://ksa.paymob.com/",
    "omn": "https://oman.paymob.com/",
    "pak": "https://pakistan.paymob.com/",
}
#: the currency of an account of each country, by its keys' prefix
CURRENCIES = {
    "egy": "EGP",
    "are": "AED",
    "uae": "AED",
    "ksa": "SAR",
    "sau": "SAR",
    "omn": "OMR",
    "pak": "PKR",
}
METHODS = {"card": "card", "wallet": "mobile_money"}


def hmac_message(obj, fields):
    """The documented HMAC string: the values of ``fields`` (dotted paths) concatenated,
    booleans as ``true``/``false`` and missing values as empty strings."""
    parts = []
    for path in fields:
        value = obj
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, bool):
            value = "true" if value else "false"
        parts.append("" if value is None else str(value))
    return "".join(parts)


@register
class Paymob(Gateway):
    code = "paymob"
    name = "Paymob"
    api_url = "https://accept.paymob.com/"
    regions = "Egypt, United Arab Emirates, Saudi Arabia, Oman, Pakistan"
    countries = ("EG", "AE", "SA", "OM", "PK")
    currencies = ("EGP", "AED", "SAR", "OMR", "PKR")
    payment_methods = ("card", "mobile_money", "mada")
    tokenization = True
    refunds = "partial"
    webhook_scheme = (
        "HMAC-SHA512 (hex) of the documented callback fields, in the ?hmac= query parameter"
    )
    signature_param = "hmac"
    idempotency_header = ""
    credentials = {
        "invoicera_account_id": _lt(
            "Integration IDs, comma-separated (e.g. 4512345, 4512346);"
            " prefix the MOTO integration used to charge saved cards with moto: (moto:4512399)"
        ),
        "invoicera_public_key": _lt("Public Key (egy_pk_test_...)"),
        "invoicera_secret_key": _lt("Secret Key (egy_sk_test_...)"),
        "invoicera_webhook_secret": _lt("HMAC Secret (Dashboard > Settings > Account Info)"),
    }

    # -- configuration ------------------------------------------------------------

    def base_url(self):
        if self.provider.invoicera_server_url:
            return super().base_url()
        prefix = (self.provider.invoicera_secret_key or "")[:3].lower()
        return HOSTS.get(prefix, self.api_url)

    def account_currencies(self):
        """An account takes its country's currency (Odoo's Paymob: one currency per
        account); its secret key's prefix tells which (egy_sk_...: EGP)."""
        currency = CURRENCIES.get((self.provider.invoicera_secret_key or "")[:3].lower())
        return (currency,) if currency else self.currencies

    def auth_headers(self):
        return {"Authorization": f"Token {self.provider.invoicera_secret_key}"}

    def integrations(self):
        """(checkout integration ids, MOTO integration id) from the Account ID field."""
        checkout, moto = [], None
        for item in (self.provider.invoicera_account_id or "").split(","):
            item = item.strip()
            if not item:
                continue
            if item.lower().startswith("moto:"):
                moto = item[5:].strip()
                moto = int(moto) if moto.isdigit() else moto
            else:
                checkout.append(int(item) if item.isdigit() else item)
        return checkout, moto

    def error_message(self, body):
        if isinstance(body, dict):
            detail = body.get("detail") or body.get("message")
            if isinstance(detail, str):
                return detail
            if body:  # field errors: {"amount": ["..."]}
                key, value = next(iter(body.items()))
                return f"{key}: {value[0] if isinstance(value, list) and value else value}"
        return ""

    # -- signatures -----------------------------------------------------------------

    def verify(self, delivery, now=None):
        payload = delivery.json()
        obj = payload.get("obj")
        if not isinstance(obj, dict):
            return False
        fields = TOKEN_FIELDS if payload.get("type") == "TOKEN" else TRANSACTION_FIELDS
        expected = utils.hmac_hex(self.signing_secret(), hmac_message(obj, fields), "sha512")
        if not utils.signatures_match(expected, delivery.query.get(self.signature_param, "")):
            return False
        if payload.get("type") == "TOKEN":
            return True
        # merchant_order_id is not signed: it must name the transaction of the signed order.
        order = obj.get("order") if isinstance(obj.get("order"), dict) else {}
        tx = self._tx_of_order(order.get("id"))
        claimed = order.get("merchant_order_id")
        if tx and claimed and claimed != tx.reference:
            _logger.warning(
                "Paymob: order %s belongs to %s but the callback names %s",
                order.get("id"),
                tx.reference,
                claimed,
            )
            return False
        return True

    def _tx_of_order(self, order_id):
        if not order_id:
            return self.provider.env["payment.transaction"]
        return self.provider.env["payment.transaction"].search(
            [
                ("provider_id", "=", self.provider.id),
                ("provider_reference", "=", str(order_id)),
                # a refund's provider reference is a Paymob transaction id, not an order id
                ("operation", "!=", "refund"),
            ],
            limit=1,
        )

    # -- checkout ---------------------------------------------------------------------

    def _intention(self, tx, integrations, notification_url, redirection_url=None):
        partner = tx.partner_id
        names = (tx.partner_name or partner.name or "NA").split(" ", 1)
        amount = self.minor(tx.amount, tx.currency_id)
        billing = {
            "first_name": names[0] or "NA",
            "last_name": names[1] if len(names) > 1 else "NA",
            "email": tx.partner_email or partner.email or "NA",
            "phone_number": tx.partner_phone or partner.phone or partner.mobile or "NA",
            "street": tx.partner_address or "NA",
            "building": "NA",
            "floor": "NA",
            "apartment": "NA",
            "city": tx.partner_city or "NA",
            "state": tx.partner_state_id.name or "NA",
            "country": tx.partner_country_id.code or "NA",
            "postal_code": tx.partner_zip or "NA",
        }
        payload = {
            "amount": amount,
            "currency": tx.currency_id.name,
            "payment_methods": integrations,
            "items": [
                {
                    "name": tx.reference[:50],
                    "amount": amount,
                    "description": self.provider.env._("Payment %s", tx.reference),
                    "quantity": 1,
                }
            ],
            "billing_data": billing,
            "customer": {
                "first_name": billing["first_name"],
                "last_name": billing["last_name"],
                "email": billing["email"],
            },
            "special_reference": tx.reference,
            "notification_url": notification_url,
        }
        if redirection_url:
            payload["redirection_url"] = redirection_url
        return self.request(
            "POST",
            "v1/intention/",
            payload,
            idempotency_key=self.idempotency_key(tx, "create"),
        )

    def create_checkout(self, tx, return_url, webhook_url):
        integrations, _moto = self.integrations()
        if not integrations:
            raise ValidationError(
                self.provider.env._(
                    "Paymob: set the integration IDs of the provider (Account ID field)."
                )
            )
        data = self._intention(tx, integrations, webhook_url, return_url)
        host = "{0.scheme}://{0.netloc}/".format(urlsplit(self.base_url()))
        url = (
            f"{host}unifiedcheckout/?publicKey={self.provider.invoicera_public_key}"
            f"&clientSecret={data['client_secret']}"
        )
        return Checkout(url=url, provider_reference=str(data.get("intention_order_id") or ""))

    def parse_return(self, data):
        # The transaction response callback (GET) carries merchant_order_id.
        return data.get("merchant_order_id") or data.get("reference") or ""

    # -- notifications ------------------------------------------------------------------

    def event_from_transaction(self, obj, key=""):
        """A GatewayEvent from a Paymob transaction object (callback or API answer)."""
        order = obj.get("order") if isinstance(obj.get("order"), dict) else {}
        if flag(obj, "pending"):
            status = "pending"
        elif flag(obj, "success"):
            if flag(obj, "is_voided"):
                status = "cancel"
            elif flag(obj, "is_auth") and not flag(obj, "is_capture"):
                # Held, not collected: its capture (a transaction of its own) pays.
                # Pending, not authorized: Odoo captures nothing for these providers.
                status = "pending"
            else:
                status = "done"
        else:
            status = "error"
        data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
        source = obj.get("source_data") if isinstance(obj.get("source_data"), dict) else {}
        return GatewayEvent(
            status=status,
            provider_reference=str(order.get("id") or ""),
            key=key,
            amount=obj.get("amount_cents"),
            currency=obj.get("currency", ""),
            message=str(data.get("message") or "") if status == "error" else "",
            payment_method=METHODS.get(source.get("type"), ""),
        )

    def parse_notification(self, delivery):
        payload = delivery.json()
        obj = payload.get("obj") or {}
        if payload.get("type") == "TOKEN":
            return self._token_event(obj)
        if payload.get("type") != "TRANSACTION":
            return None
        if obj.get("is_refund"):
            return self._refund_callback(obj)
        capture = obj.get("is_capture") is True and obj.get("has_parent_transaction") is True
        if obj.get("is_void") or (obj.get("has_parent_transaction") and not capture):
            return None  # void of a payment (its own callback comes again, is_voided)
        if capture and (obj.get("pending") or not obj.get("success")):
            # A capture not (yet) made: the authorization stands, and can be captured again.
            _logger.info("Paymob: capture %s not made (yet), ignored", obj.get("id"))
            return None
        event = self.event_from_transaction(obj)
        # The paid Paymob transaction id is kept in the key: refunds are made on it
        # (on an auth/capture integration, the capture's: it holds the money collected).
        event.key = f"TRANSACTION:{obj.get('id')}:{event.status}"
        if event.status in ("error", "cancel", "pending"):
            # Every attempt at paying an order is a Paymob transaction of its own: the
            # callback of another attempt than the one that paid (a decline arriving
            # late) says nothing about the payment, which must not pass for failed.
            tx = self._tx_of_order(event.provider_reference)
            paid = tx.state == "done" and self.paid_transaction_id(tx)
            if paid and paid != str(obj.get("id")):
                _logger.info(
                    "Paymob: transaction %s (%s) of order %s, paid by transaction %s, ignored",
                    obj.get("id"),
                    event.status,
                    event.provider_reference,
                    paid,
                )
                return None
        return event

    def _refund_callback(self, obj):
        """The callback of a refund: one made from Odoo is matched on the refund's own
        transaction id; one made elsewhere (e.g. in Paymob's dashboard) of a confirmed
        payment of ours (its signed order id) is reported as refunded outside Odoo."""
        refund_id = str(obj.get("id") or "")
        refund_tx = self.transaction_known_as(refund_id, refund=True)
        event = self.refund_event(obj, refund_tx)
        if not refund_tx:
            order = obj.get("order") if isinstance(obj.get("order"), dict) else {}
            if (
                # is_refund is not signed, has_parent_transaction is: a payment's own
                # callback (the client sees its HMAC on return) never passes for a refund
                obj.get("has_parent_transaction") is not True
                or obj.get("is_capture") is True
                or obj.get("is_voided") is True
                or not order.get("id")
                or self._tx_of_order(order["id"]).state != "done"
            ):
                return None  # not a refund of a payment of ours
            event.reference = ""
            # Refund and order ids may share a space: never matched as an order id.
            event.provider_reference = f"refund-{refund_id}"
            event.refund_of = str(order["id"])
        event.key = f"REFUND:{refund_id}:{event.status}"
        event.amount = obj.get("amount_cents")
        event.currency = obj.get("currency", "")
        return event

    def refund_event(self, obj, refund_tx):
        """A GatewayEvent for ``refund_tx`` from its Paymob refund transaction."""
        if flag(obj, "pending"):
            status = "pending"
        elif flag(obj, "success"):
            status = "done"
        else:
            status = "error"
        message = str((obj.get("data") or {}).get("message") or "") if status == "error" else ""
        if status == "error" and not message:
            message = self.provider.env._("Paymob did not carry out the refund.")
        return GatewayEvent(
            status=status,
            reference=refund_tx.reference,
            provider_reference=str(obj.get("id", "")),
            message=message,
        )

    def _token_event(self, obj):
        tx = self._tx_of_order(obj.get("order_id"))
        if not tx or not obj.get("token"):
            return None
        token = {
            "provider_ref": obj["token"],
            "payment_details": (obj.get("masked_pan") or "")[-4:],
            "customer_ref": obj.get("email") or "",
        }
        # The card token may come before or after the transaction callback:
        # saved either way (Paymob issues it only for a card it stored); the
        # payment itself is confirmed by its own signed callback only.
        return GatewayEvent(
            status="token",
            reference=tx.reference,
            provider_reference=tx.provider_reference,
            key=f"TOKEN:{obj.get('id')}",
            token=token,
        )

    # -- refunds and saved cards --------------------------------------------------------------

    def paid_transaction_id(self, tx):
        """The Paymob transaction id of ``tx``'s payment, from its signed callback."""
        event = self.provider.env["invoicera.gateway.event"].search(
            [
                ("provider_id", "=", self.provider.id),
                ("transaction_id", "=", tx.id),
                ("event_key", "=like", "TRANSACTION:%:done"),
            ],
            limit=1,
        )
        return event.event_key.split(":")[1] if event else ""

    def refund(self, tx, refund_tx, amount):
        transaction_id = self.paid_transaction_id(tx)
        if not transaction_id:
            raise ValidationError(
                self.provider.env._(
                    "Paymob has not confirmed a paid transaction for %s yet: it cannot be"
                    " refunded.",
                    tx.reference,
                )
            )
        self._check_no_earlier_refund(tx, refund_tx, transaction_id, amount)
        data = self.request(
            "POST",
            "api/acceptance/void_refund/refund",
            {
                "transaction_id": int(transaction_id)
                if transaction_id.isdigit()
                else transaction_id,
                "amount_cents": self.minor(amount, tx.currency_id),
            },
            idempotency_key=self.idempotency_key(refund_tx, "refund"),
        )
        obj = data.get("obj", data) if isinstance(data, dict) else {}
        return self.refund_event(obj, refund_tx)

    def _check_no_earlier_refund(self, tx, refund_tx, transaction_id, amount):
        """Refuse to refund when Paymob shows more refunded than the refunds Odoo knows of.

        Paymob takes no idempotency key and lists no refunds by our reference: an
        attempt whose answer was lost (read timeout) may have been carried out. The
        paid transaction (Retrieve A Transaction) tells how much was refunded on it.
        """
        try:
            data = self.request("GET", f"api/acceptance/transactions/{transaction_id}")
        except GatewayUnavailable:
            raise  # nothing is sent while it is unknown what was refunded
        except ValidationError as error:
            _logger.warning(
                "Paymob: transaction %s could not be retrieved (%s); refund %s is sent",
                transaction_id,
                error,
                refund_tx.reference,
            )
            return
        obj = data.get("obj", data) if isinstance(data, dict) else {}
        if not isinstance(obj, dict):
            return
        currency = tx.currency_id
        known = self.refunded_minor(tx, refund_tx)
        try:
            refunded = int(obj.get("refunded_amount_cents") or 0)
        except (TypeError, ValueError):
            refunded = 0
        if not refunded and flag(obj, "is_refunded") and not known:
            refunded = self.minor(amount, currency)  # refunded, amount not given
        if refunded - known >= self.minor(amount, currency):
            raise ValidationError(
                self.provider.env._(
                    "Paymob already shows %(refunded)s %(currency)s refunded on the payment"
                    " of %(reference)s, more than the refunds Odoo knows of: an earlier"
                    " refund attempt may have been carried out. Check the transaction in"
                    " the Paymob dashboard before refunding again; nothing was sent.",
                    refunded=utils.from_minor_units(refunded, currency.name, self.exponents),
                    currency=currency.name,
                    reference=tx.reference,
                )
            )

    def charge_token(self, tx):
        _integrations, moto = self.integrations()
        if not moto:
            raise ValidationError(
                self.provider.env._(
                    "Paymob: saved cards are charged through a MOTO integration; add it to"
                    " the integration IDs as moto:<id>."
                )
            )
        order_id = tx.provider_reference or ""
        if tx.invoicera_retry and order_id.isdigit():
            # The earlier attempt got no answer from payments/pay: Paymob may
            # have charged the card on that order.
            obj = self._order_transaction(order_id)
            if obj:
                event = self.event_from_transaction(obj)
                event.reference = tx.reference
                event.provider_reference = order_id
                return event
        intention = self._intention(tx, [moto], self.provider._invoicera_url("webhook"))
        order_id = str(intention.get("intention_order_id") or "")
        if order_id:
            # Kept before paying: the payment's callback names only the order.
            tx.provider_reference = order_id
        payment_token = (intention.get("payment_keys") or [{}])[0].get("key")
        data = self.request(
            "POST",
            "api/acceptance/payments/pay",
            {
                "source": {"identifier": tx.token_id.provider_ref, "subtype": "TOKEN"},
                "payment_token": payment_token,
            },
            idempotency_key=self.idempotency_key(tx, "charge"),
        )
        obj = data.get("obj", data) if isinstance(data, dict) else {}
        event = self.event_from_transaction(obj)
        event.reference = tx.reference
        event.provider_reference = order_id
        return event

    def _order_transaction(self, order_id):
        """The transaction Paymob holds for ``order_id`` (Transaction Inquiry), or None."""
        try:
            data = self.request(
                "POST",
                "api/ecommerce/orders/transaction_inquiry",
                {"order_id": int(order_id)},
            )
        except (GatewayUnavailable, GatewayMisconfigured):
            # Unknown whether the card was charged (no answer, or our key refused
            # for the inquiry): never charge it again blindly.
            raise
        except ValidationError as error:
            # No transaction on that order (or no inquiry for this account):
            # the order was not paid as far as Paymob can tell.
            _logger.warning("Paymob: order %s holds no transaction (%s)", order_id, error)
            return None
        obj = data.get("obj", data) if isinstance(data, dict) else {}
        if not isinstance(obj, dict) or not obj.get("id") or "success" not in obj:
            return None
        return obj
