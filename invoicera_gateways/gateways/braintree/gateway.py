"""Braintree (PayPal): Drop-in UI on a page of ours, GraphQL API, signed webhooks.

Braintree has no hosted payment page: its documented browser flow is the
Drop-in UI, fed with a client token, which turns the card (or PayPal account)
into a single-use payment method (a "nonce") that the server then charges.
``create_checkout`` therefore creates the client token and sends the client to
our own page (``controllers.py``) hosting Drop-in; Drop-in posts the nonce back
to us and we charge it with ``chargePaymentMethod``.

Documentation used:

- GraphQL API (developer.paypal.com/braintree/graphql, and the schema published
  at github.com/braintree/graphql-api): "Making API calls" (one endpoint,
  ``payments[.sandbox].braintree-api.com/graphql``, Basic auth with
  ``public_key:private_key``, ``Braintree-Version`` header, always HTTP 200 with
  an ``errors`` array), "Charging payment methods" (``chargePaymentMethod``,
  a successful charge is ``SUBMITTED_FOR_SETTLEMENT``), "Vaulting payment
  methods" (``vaultPaymentMethod`` returns a multi-use payment method),
  ``createClientToken``, ``refundTransaction`` (partial amounts), ``search {
  transactions }`` by ``orderId``, ``viewer.merchant.merchantAccounts`` (one
  merchant account per currency: "Currency is also determined by merchant
  account ID"), ``PaymentStatus``, ``PaymentInitiator.UNSCHEDULED``.
  Amounts are decimal strings in the currency's format, not minor units.
- Drop-in: braintree.github.io/braintree-web-drop-in (script-tag integration:
  ``data-braintree-dropin-authorization``; Drop-in inserts
  ``payment_method_nonce`` into the form and submits it).
- Webhooks: the server SDK braintree_python (``webhook_notification_gateway.py``
  and ``webhook_testing_gateway.py``): a form POST with ``bt_signature`` and
  ``bt_payload``; the payload is base64 XML; the signature is
  ``public_key|hex(HMAC-SHA1(key=SHA1(private_key), payload))``, several pairs
  possibly joined by ``&``, the payload possibly signed with a trailing newline.
  The SDK's own test vector (``tests/unit/test_webhooks.py``) is reused in our
  tests. Webhook kinds: ``transaction_settled``,
  ``transaction_settlement_declined``, ``local_payment_completed``,
  ``refund_failed``. Notifications carry no event id and are retried by
  Braintree, so their signed timestamp is part of our deduplication key but is
  not checked for freshness.
- Currencies: Braintree's presentment currencies (articles.braintreepayments.com
  "Currency support"); no three-decimal currency is offered.

There is no idempotency header: a charge carries ``orderId`` = our reference,
a nonce can be charged only once, our charge route locks the transaction and
charges only a draft one, and a saved payment method charge retried after a
timeout first searches Braintree for a transaction with that order id. A
refund carries ``orderId`` = the refund transaction's reference and is looked
up (``search { refunds }``) before one is asked for.

A merchant account charges in its own currency: a single configured merchant
account is used for a payment only when ``viewer.merchant.merchantAccounts``
says it is in the payment's currency; otherwise the payment is refused before
anything is charged.
"""

import base64
import hashlib
import hmac
import logging
import re
from urllib.parse import parse_qs

from lxml import etree

from odoo import _
from odoo.exceptions import ValidationError
from odoo.tools.misc import hmac as hmac_tool
from odoo.tools.translate import LazyTranslate

from ... import utils
from ..base import Checkout, Gateway, GatewayEvent, register

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

API_VERSION = "2019-01-01"
DROPIN_JS = "https://js.braintreegateway.com/web/dropin/1.46.0/js/dropin.min.js"

#: PaymentStatus (GraphQL, upper case) or webhook XML status (lower case)
STATUSES = {
    "SUBMITTED_FOR_SETTLEMENT": "done",
    "SETTLING": "done",
    "SETTLED": "done",
    "SETTLEMENT_CONFIRMED": "done",
    "SETTLEMENT_PENDING": "pending",
    "AUTHORIZING": "pending",
    # held, not submitted for settlement yet: under way (Odoo captures nothing
    # through this provider, which has no manual capture: Odoo refuses
    # "authorized" for it)
    "AUTHORIZED": "pending",
    "PROCESSOR_DECLINED": "error",
    "GATEWAY_REJECTED": "error",
    "FAILED": "error",
    "SETTLEMENT_DECLINED": "error",
    "VOIDED": "cancel",
    "AUTHORIZATION_EXPIRED": "cancel",
}
#: webhook kinds whose subject holds the transaction we track
WEBHOOK_KINDS = (
    "transaction_settled",
    "transaction_settlement_declined",
    "local_payment_completed",
    "refund_failed",
)
#: GraphQL payment method detail types -> Odoo payment methods
METHODS = {
    "CreditCardDetails": "card",
    "CreditCardTransactionDetails": "card",
    "PayPalAccountDetails": "paypal",
    "PayPalTransactionDetails": "paypal",
    "VenmoAccountDetails": "venmo",
}

TRANSACTION_FIELDS = """
    id
    legacyId
    orderId
    status
    amount { value currencyCode }
    paymentMethodSnapshot {
        __typename
        ... on CreditCardDetails { last4 }
        ... on CreditCardTransactionDetails { creditCard { last4 } }
    }
    statusHistory {
        status
        ... on ProcessorDeclinedEvent { processorResponse { legacyCode message } }
        ... on GatewayRejectedEvent { gatewayRejectionReason }
    }
"""
CLIENT_TOKEN = """
mutation CreateClientToken($input: CreateClientTokenInput) {
    createClientToken(input: $input) { clientToken }
}
"""
MERCHANT_ACCOUNTS = """
query MerchantAccounts($after: String) {
    viewer { merchant { merchantAccounts(first: 50, after: $after) {
        edges { node { id currencyCode status isDefault } }
        pageInfo { hasNextPage endCursor }
    } } }
}
"""
#: pages of merchant accounts read at most (50 accounts a page)
MERCHANT_ACCOUNT_PAGES = 10
VAULT = """
mutation Vault($input: VaultPaymentMethodInput!) {
    vaultPaymentMethod(input: $input) {
        paymentMethod {
            id
            usage
            customer { id }
            details {
                __typename
                ... on CreditCardDetails { last4 }
                ... on PayPalAccountDetails { email }
                ... on VenmoAccountDetails { username }
            }
        }
    }
}
"""
CHARGE = (
    """
mutation Charge($input: ChargePaymentMethodInput!) {
    chargePaymentMethod(input: $input) { transaction { %s } }
}
"""
    % TRANSACTION_FIELDS
)
SEARCH = (
    """
query Search($input: TransactionSearchInput!) {
    search { transactions(input: $input, first: 1) { edges { node { %s } } } }
}
"""
    % TRANSACTION_FIELDS
)
REFUND_FIELDS = """
    id
    legacyId
    orderId
    status
    amount { value currencyCode }
    refundedTransaction { id legacyId }
"""
REFUND = (
    """
mutation Refund($input: RefundTransactionInput!) {
    refundTransaction(input: $input) { refund { %s } }
}
"""
    % REFUND_FIELDS
)
#: a whole payment refunded: voided while not settled yet (Braintree refunds
#: only settling or settled payments), else refunded in full
REVERSE = (
    """
mutation Reverse($input: ReverseTransactionInput!) {
    reverseTransaction(input: $input) {
        reversal {
            __typename
            ... on Refund { %s }
            ... on Transaction { id legacyId status amount { value currencyCode } }
        }
    }
}
"""
    % REFUND_FIELDS
)
REFUND_SEARCH = (
    """
query RefundSearch($input: RefundSearchInput!) {
    search { refunds(input: $input, first: 10) { edges { node { %s } } } }
}
"""
    % REFUND_FIELDS
)


@register
class Braintree(Gateway):
    code = "braintree"
    name = "Braintree"
    api_url = "https://payments.braintree-api.com/"
    sandbox_api_url = "https://payments.sandbox.braintree-api.com/"
    regions = (
        "United States, Canada, Europe (EEA, UK, Switzerland), Australia, New Zealand,"
        " Hong Kong, Singapore, Malaysia"
    )
    # fmt: off
    countries = (
        "US", "CA", "GB", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
        "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO",
        "SK", "SI", "ES", "SE", "IS", "LI", "NO", "CH", "AD", "MC", "SM", "AU", "NZ",
        "HK", "SG", "MY",
    )
    currencies = tuple(
        "AED AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BIF BMD BND BOB BRL BSD BWP BYN"
        " BZD CAD CHF CLP CNY COP CRC CVE CZK DJF DKK DOP DZD EGP ETB EUR FJD FKP GBP"
        " GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR ISK JMD JPY KES KGS"
        " KHR KMF KRW KYD KZT LAK LBP LKR LRD LSL MAD MDL MKD MNT MOP MUR MVR MWK MXN"
        " MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB"
        " RWF SAR SBD SCR SEK SGD SHP SLL SOS SRD STD SVC SYP SZL THB TJS TOP TRY TTD"
        " TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR".split()
    )
    # fmt: on
    payment_methods = ("card", "paypal")
    tokenization = True
    refunds = "partial"
    webhook_scheme = (
        "Form fields bt_signature / bt_payload: public_key|hex HMAC-SHA1 of the base64"
        " payload, keyed with SHA-1 of the private key"
    )
    # The signature is a field of the form body, not a header: verify() checks it.
    signature_header = ""
    idempotency_header = ""
    credentials = {
        "invoicera_public_key": _lt("Public key (API keys of your Braintree user)"),
        "invoicera_secret_key": _lt("Private key; Braintree also signs its webhooks with it"),
        "invoicera_account_id": _lt(
            "Merchant account IDs, one per currency ('USD:acme_usd, EUR:acme_eur') or a"
            " single one (it takes payments in its own currency only); empty to pick the"
            " merchant account in the payment's currency"
        ),
    }

    def __init__(self, provider):
        super().__init__(provider)
        self._merchant_accounts = None

    # -- the GraphQL call ---------------------------------------------------------

    def auth_headers(self):
        keys = f"{self.provider.invoicera_public_key}:{self.provider.invoicera_secret_key}"
        return {
            "Authorization": "Basic " + base64.b64encode(keys.encode()).decode(),
            "Braintree-Version": API_VERSION,
        }

    def error_message(self, body):
        if isinstance(body, dict):
            errors = body.get("errors") or []
            if errors and isinstance(errors, list):
                return "; ".join(error.get("message", "") for error in errors)
        return super().error_message(body)

    def graphql(self, query, variables=None, *, idempotency_key=None, refuse=True):
        """POST one GraphQL operation; return ``(data, errors)``.

        Braintree answers 200 even for errors: with ``refuse``, an answer with
        errors and no data raises the gateway's message like a 4xx would.
        """
        answer = self.request(
            "POST",
            "graphql",
            {"query": query, "variables": variables or {}},
            idempotency_key=idempotency_key,
        )
        data = {key: value for key, value in (answer.get("data") or {}).items() if value}
        errors = answer.get("errors") or []
        if errors and not data and refuse:
            message = self.error_message(answer)
            _logger.warning("%s refused the request: %s", self.name, message)
            raise ValidationError(
                _(
                    "%(gateway)s refused the request: %(message)s",
                    gateway=self.name,
                    message=message,
                )
            )
        return data, errors

    # -- amounts and merchant accounts -------------------------------------------

    def amount_string(self, amount, currency):
        """``amount`` as Braintree wants it: a decimal string in the currency's format."""
        code = getattr(currency, "name", currency)
        return str(utils.from_minor_units(self.minor(amount, code), code, self.exponents))

    def amount_minor(self, money):
        """A GraphQL MonetaryAmount (or XML amount and currency) in minor units."""
        value, code = money.get("value"), money.get("currencyCode") or ""
        if value in (None, "") or not code:
            return None
        return self.minor(value, code)

    def merchant_accounts(self):
        """The merchant's accounts (``id``, ``currencyCode``, ``status``, ``isDefault``),
        asked of Braintree once per adapter, i.e. once per request."""
        if self._merchant_accounts is None:
            accounts, variables = [], {}
            for _page in range(MERCHANT_ACCOUNT_PAGES):
                data, _errors = self.graphql(MERCHANT_ACCOUNTS, variables)
                connection = ((data.get("viewer") or {}).get("merchant") or {}).get(
                    "merchantAccounts"
                ) or {}
                accounts += [
                    edge["node"] for edge in connection.get("edges") or [] if edge.get("node")
                ]
                page = connection.get("pageInfo") or {}
                if not page.get("hasNextPage") or not page.get("endCursor"):
                    break
                variables = {"after": page["endCursor"]}
            self._merchant_accounts = accounts
        return self._merchant_accounts

    def merchant_account(self, currency):
        """The merchant account that charges in ``currency`` (a record or an ISO code).

        A merchant account charges in its own currency only ("Currency is also
        determined by merchant account ID"): a single configured account is used
        for a currency only once Braintree confirms it is that account's currency.
        """
        code = getattr(currency, "name", currency)
        configured = {}
        for entry in re.split(r"[\s,;]+", self.provider.invoicera_account_id or ""):
            if ":" in entry:
                key, _sep, value = entry.partition(":")
                configured[key.strip().upper()] = value.strip()
            elif entry:
                configured["*"] = entry
        if configured.get(code):
            return configured[code]  # declared for this currency by the administrator
        if configured.get("*"):
            return self._checked_account(configured["*"], code)
        accounts = [
            account
            for account in self.merchant_accounts()
            if account.get("currencyCode") == code and account.get("status", "ACTIVE") == "ACTIVE"
        ]
        if not accounts:
            raise ValidationError(
                _(
                    "%(gateway)s has no active merchant account in %(currency)s: add one in"
                    " the Braintree Control Panel or remove %(currency)s from the provider.",
                    gateway=self.name,
                    currency=code,
                )
            )
        accounts.sort(key=lambda account: not account.get("isDefault"))
        return accounts[0]["id"]

    def _checked_account(self, account_id, code):
        """``account_id`` when it is one of the merchant's accounts and charges in ``code``."""
        account = next((a for a in self.merchant_accounts() if a.get("id") == account_id), None)
        if account is None:
            raise ValidationError(
                _(
                    "%(gateway)s has no merchant account %(account)s: check the provider's"
                    " Account ID.",
                    gateway=self.name,
                    account=account_id,
                )
            )
        if account.get("currencyCode") != code:
            raise ValidationError(
                _(
                    "The %(gateway)s merchant account %(account)s charges in"
                    " %(account_currency)s and cannot take a payment in %(currency)s. Add a"
                    " merchant account in %(currency)s to the provider's Account ID"
                    " ('%(currency)s:<account id>') or remove %(currency)s from the provider."
                    " Nothing was charged.",
                    gateway=self.name,
                    account=account_id,
                    account_currency=account.get("currencyCode") or "?",
                    currency=code,
                )
            )
        return account_id

    # -- checkout: client token, Drop-in page, charge of the nonce ----------------

    def client_token(self, tx):
        data, _errors = self.graphql(
            CLIENT_TOKEN,
            {
                "input": {
                    "clientMutationId": tx.reference,
                    "clientToken": {"merchantAccountId": self.merchant_account(tx.currency_id)},
                }
            },
            idempotency_key=self.idempotency_key(tx, "create"),
        )
        token = (data.get("createClientToken") or {}).get("clientToken")
        if not token:
            raise ValidationError(_("%s did not return a client token.", self.name))
        return token

    @staticmethod
    def page_access_token(tx):
        """payment.utils.generate_access_token(tx.id, tx.reference), also outside a request."""
        return hmac_tool(tx.env(su=True), "generate_access_token", f"{tx.id}|{tx.reference}")

    def page_url(self, tx):
        return f"{tx.provider_id.get_base_url()}/payment/invoicera/braintree/pay/{tx.id}"

    def create_checkout(self, tx, return_url, webhook_url):
        # Our own page hosts Drop-in; the client token travels in the POST body.
        return Checkout(
            url=self.page_url(tx),
            method="POST",
            params={
                "client_token": self.client_token(tx),
                "access_token": self.page_access_token(tx),
            },
        )

    def _transaction_input(self, tx):
        return {
            "amount": self.amount_string(tx.amount, tx.currency_id),
            "orderId": tx.reference,
            "merchantAccountId": self.merchant_account(tx.currency_id),
        }

    def charge_nonce(self, tx, nonce, device_data=None):
        """Charge the single-use payment method Drop-in returned; vault it first if asked."""
        token = None
        payment_method_id = nonce
        transaction = self._transaction_input(tx)
        if tx.tokenize:
            # Vaulting verifies the card in the merchant account that will charge it.
            data, _errors = self.graphql(
                VAULT,
                {
                    "input": {
                        "clientMutationId": tx.reference,
                        "paymentMethodId": nonce,
                        "verification": {"merchantAccountId": transaction["merchantAccountId"]},
                    }
                },
            )
            method = (data.get("vaultPaymentMethod") or {}).get("paymentMethod") or {}
            if method.get("id"):
                payment_method_id = method["id"]
                details = method.get("details") or {}
                token = {
                    "provider_ref": method["id"],
                    "payment_details": details.get("last4")
                    or details.get("email")
                    or details.get("username")
                    or "",
                    "customer_ref": (method.get("customer") or {}).get("id"),
                }
        if device_data:
            transaction["riskData"] = {"deviceData": device_data}
        event = self._charge(tx, payment_method_id, transaction)
        if event.status == "done" and token:
            event.token = token
        return event

    def _charge(self, tx, payment_method_id, transaction):
        data, errors = self.graphql(
            CHARGE,
            {
                "input": {
                    "clientMutationId": tx.reference,
                    "paymentMethodId": payment_method_id,
                    "transaction": transaction,
                }
            },
            idempotency_key=self.idempotency_key(tx, "charge"),
            refuse=False,
        )
        node = (data.get("chargePaymentMethod") or {}).get("transaction")
        if node:
            return self.event_from_transaction(node)
        # Refused before a transaction existed (invalid or consumed nonce...).
        return GatewayEvent(
            status="error",
            reference=tx.reference,
            message=self.error_message({"errors": errors}) or _("Payment refused."),
        )

    # -- API answers and webhooks ---------------------------------------------------

    def event_from_transaction(self, node, key=""):
        snapshot = node.get("paymentMethodSnapshot") or {}
        message = ""
        for change in node.get("statusHistory") or []:
            response = change.get("processorResponse") or {}
            message = response.get("message") or change.get("gatewayRejectionReason") or message
        return GatewayEvent(
            status=STATUSES.get(str(node.get("status", "")).upper(), "ignore"),
            reference=node.get("orderId") or "",
            provider_reference=node.get("id", ""),
            key=key,
            amount=self.amount_minor(node.get("amount") or {}),
            currency=(node.get("amount") or {}).get("currencyCode") or "",
            message=message,
            payment_method=METHODS.get(snapshot.get("__typename"), ""),
        )

    @staticmethod
    def form(delivery):
        fields = parse_qs((delivery.body or b"").decode("utf-8", "replace"))
        return {name: values[0] for name, values in fields.items()}

    def signature_of(self, payload):
        """Braintree's signature of ``payload`` (str): HMAC-SHA1 keyed with SHA-1 of the key."""
        key = hashlib.sha1(self.signing_secret().encode()).digest()
        return hmac.new(key, payload.encode(), hashlib.sha1).hexdigest()

    def signing_secret(self):
        return self.provider.invoicera_secret_key

    def verify(self, delivery, now=None):
        fields = self.form(delivery)
        signature, payload = fields.get("bt_signature"), fields.get("bt_payload")
        if not signature or not payload:
            _logger.warning("%s: notification without bt_signature or bt_payload", self.name)
            return False
        if re.search(r"[^A-Za-z0-9+=/\n]", payload):
            return False
        pairs = [pair.split("|", 1) for pair in signature.split("&") if "|" in pair]
        received = next(
            (sig for key, sig in pairs if key == self.provider.invoicera_public_key), ""
        )
        return any(
            utils.signatures_match(self.signature_of(signed), received)
            for signed in (payload, payload + "\n")
        )

    def parse_notification(self, delivery):
        payload = self.form(delivery).get("bt_payload", "")
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        try:
            root = etree.fromstring(base64.b64decode(payload), parser=parser)
        except (ValueError, etree.XMLSyntaxError):
            return None
        kind = root.findtext("kind") or ""
        transaction = root.find("subject//transaction")
        if kind not in WEBHOOK_KINDS or transaction is None:
            return None
        status = STATUSES.get((transaction.findtext("status") or "").upper(), "ignore")
        provider_reference = not_ours = ""
        if kind == "refund_failed":
            # Our refund transactions keep the refund's legacy id, as notifications do.
            status, provider_reference = "error", transaction.findtext("id") or ""
        if not transaction.findtext("order-id"):
            # Odoo gives every charge and refund it makes its reference as orderId: a
            # transaction without one (made in the Control Panel, by another
            # integration...) is not Odoo's, unless Odoo knows its id, and never will be.
            not_ours = _(
                "Braintree reports %(kind)s for transaction %(transaction)s, which carries"
                " no order id: Odoo did not make it (e.g. it was made in the Braintree"
                " Control Panel), so nothing was changed in Odoo.",
                kind=kind,
                transaction=transaction.findtext("id") or "?",
            )
        currency = transaction.findtext("currency-iso-code") or ""
        amount = transaction.findtext("amount")
        return GatewayEvent(
            status=status,
            reference=transaction.findtext("order-id") or "",
            provider_reference=provider_reference,
            key=f"{kind}:{transaction.findtext('id')}:{root.findtext('timestamp')}",
            amount=self.minor(amount, currency) if amount and currency else None,
            currency=currency,
            message=self._kind_message(kind, status),
            not_ours=not_ours,
        )

    def _kind_message(self, kind, status):
        """What to tell the user about a notification of ``kind`` (kept for support)."""
        if status not in ("error", "cancel"):
            return ""
        if kind == "refund_failed":
            return _("Braintree could not carry out the refund (notification: %s).", kind)
        if kind == "transaction_settlement_declined":
            return _(
                "The bank declined the Braintree payment at settlement (notification: %s).", kind
            )
        return _("Braintree did not complete the payment (notification: %s).", kind)

    def challenge_response(self, challenge):
        """Answer to Braintree's ``bt_challenge`` check of a new webhook URL (SDK ``verify``)."""
        if not re.fullmatch(r"[a-f0-9]{20,32}", challenge or ""):
            return None
        return f"{self.provider.invoicera_public_key}|{self.signature_of(challenge)}"

    # -- status, saved payment methods, refunds ---------------------------------------

    def fetch_status(self, tx):
        data, _errors = self.graphql(SEARCH, {"input": {"orderId": {"is": tx.reference}}})
        edges = (((data.get("search") or {}).get("transactions")) or {}).get("edges") or []
        return self.event_from_transaction(edges[0]["node"]) if edges else None

    def charge_token(self, tx):
        if tx.invoicera_retry:
            # The previous attempt timed out: it may have reached Braintree.
            event = self.fetch_status(tx)
            if event and event.status != "ignore":
                return event
        transaction = self._transaction_input(tx)
        if tx.operation == "offline":
            # Charged by the merchant (autopay), the client absent. A client paying
            # with a saved card in the portal initiates the payment themselves.
            transaction["paymentInitiator"] = "UNSCHEDULED"
        return self._charge(tx, tx.token_id.provider_ref, transaction)

    def event_from_refund(self, refund, refund_tx):
        return GatewayEvent(
            status=STATUSES.get(str(refund.get("status", "")).upper(), "pending"),
            reference=refund_tx.reference,
            # The legacy id, the one refund_failed notifications carry.
            provider_reference=refund.get("legacyId") or refund.get("id", ""),
            amount=self.amount_minor(refund.get("amount") or {}),
            currency=(refund.get("amount") or {}).get("currencyCode") or "",
        )

    def existing_refund(self, tx, refund_tx):
        """The refund an earlier attempt at ``refund_tx`` made (its ``orderId`` is the refund
        transaction's reference), unless it failed; None when there is none.

        Braintree has no idempotency key: after a timeout the refund may have been made,
        so it is looked up before another one is asked for.
        """
        data, _errors = self.graphql(
            REFUND_SEARCH, {"input": {"orderId": {"is": refund_tx.reference}}}
        )
        edges = ((data.get("search") or {}).get("refunds") or {}).get("edges") or []
        refunded = {tx.provider_reference} - {False, ""}
        for edge in edges:
            node = edge.get("node") or {}
            original = node.get("refundedTransaction") or {}
            if node.get("orderId") != refund_tx.reference or not refunded & {
                original.get("id"),
                original.get("legacyId"),
            }:
                continue  # another payment's refund (another database, another invoice)
            if STATUSES.get(str(node.get("status", "")).upper()) in ("error", "cancel"):
                continue  # it failed: a new attempt is due
            return node
        return None

    def refund(self, tx, refund_tx, amount):
        earlier = self.existing_refund(tx, refund_tx)
        if earlier:
            _logger.info(
                "%s: refund %s was already made (%s), not asked again",
                self.name,
                refund_tx.reference,
                earlier.get("legacyId") or earlier.get("id"),
            )
            return self.event_from_refund(earlier, refund_tx)
        key = self.idempotency_key(refund_tx, "refund")
        if self._refunds_all(tx, refund_tx, amount):
            return self._reverse(tx, refund_tx, key)
        try:
            data, _errors = self.graphql(
                REFUND,
                {
                    "input": {
                        "clientMutationId": refund_tx.reference,
                        "transactionId": tx.provider_reference,
                        "refund": {
                            "amount": self.amount_string(amount, tx.currency_id),
                            "orderId": refund_tx.reference,
                        },
                    }
                },
                idempotency_key=key,
            )
        except ValidationError as error:
            if "unless it is settled" not in str(error):
                raise
            raise ValidationError(
                _(
                    "Braintree refunds part of a payment only once the payment is settled"
                    " (usually the next day): refund %(reference)s then, or refund it in"
                    " full now (the payment is then voided).",
                    reference=tx.reference,
                )
            ) from error
        refund = (data.get("refundTransaction") or {}).get("refund") or {}
        return self.event_from_refund(refund, refund_tx)

    @staticmethod
    def _refunds_all(tx, refund_tx, amount):
        """Whether refunding ``amount`` refunds the whole payment ``tx``, nothing of
        which was refunded before (in Odoo or outside it)."""
        return (
            not tx._invoicera_refunds(refund_tx)
            and not tx._invoicera_refunded_outside()
            and tx.currency_id.compare_amounts(amount, tx.amount) == 0
        )

    def _reverse(self, tx, refund_tx, key):
        """Refund the whole of ``tx``: Braintree voids it while not settled (nothing
        was collected), else refunds it in full. An attempt made again (after a
        timeout) gets the first one's answer (same ``apiRequestKey``)."""
        data, _errors = self.graphql(
            REVERSE,
            {
                "input": {
                    "clientMutationId": refund_tx.reference,
                    "transactionId": tx.provider_reference,
                    "apiRequestKey": key,
                }
            },
            idempotency_key=key,
        )
        reversal = (data.get("reverseTransaction") or {}).get("reversal") or {}
        if reversal.get("__typename") != "Transaction":
            return self.event_from_refund(reversal, refund_tx)
        # The payment itself, voided: the whole amount is given back.
        voided = str(reversal.get("status", "")).upper() == "VOIDED"
        return GatewayEvent(
            status="done" if voided else "error",
            reference=refund_tx.reference,
            # not the payment's own id (its notifications would find the refund)
            provider_reference=f"void-{reversal.get('legacyId') or reversal.get('id', '')}",
            amount=self.amount_minor(reversal.get("amount") or {}),
            currency=(reversal.get("amount") or {}).get("currencyCode") or "",
            message=""
            if voided
            else _(
                "Braintree did not void the payment (its status is %(status)s).",
                status=reversal.get("status") or "?",
            ),
        )
