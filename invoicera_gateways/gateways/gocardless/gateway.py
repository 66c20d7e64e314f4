"""GoCardless: bank debits (Bacs, SEPA, ACH, BECS, BECS NZ, Autogiro, Betalingsservice, PAD).

Documentation used:

- API reference: https://developer.gocardless.com/api-reference/ (headers
  ``GoCardless-Version: 2015-07-06`` and ``Idempotency-Key``; idempotent creation
  conflicts answer 409 ``idempotent_creation_conflict`` naming the existing
  resource in ``links.conflicting_resource_id``; payments, refunds with
  ``total_amount_confirmation``, billing requests, billing request flows, events
  with ``resource_metadata``; amounts in the currency's lowest denomination)
- One-off Direct Debit: https://developer.gocardless.com/one-off-payments/one-off-direct-debit
  and Direct Debit mandates with Billing Requests:
  https://developer.gocardless.com/billing-requests/setting-up-a-dd-mandate
  (a Billing Request with a ``mandate_request``, a hosted Billing Request Flow,
  then ``POST /payments`` against the mandate)
- Webhooks: https://developer.gocardless.com/getting-started/staying-up-to-date-with-webhooks
  and https://developer.gocardless.com/partners/webhooks-for-partners (body
  ``{"events": [...]}``, ``Webhook-Signature`` = hex HMAC-SHA256 of the raw body
  with the webhook endpoint's secret); the official client libraries
  (gocardless-pro-python ``webhooks.py``, ``errors.py``) for the same scheme.

The flow: the client authorises a Direct Debit mandate on GoCardless' hosted
page; when GoCardless reports the billing request ``fulfilled``, the payment is
created against the new mandate (``pending``); GoCardless later reports it
``confirmed`` (collected: ``done``) or ``failed``. The mandate is the token:
a saved mandate is charged with ``POST /payments``. When GoCardless reports a
saved mandate ``cancelled``, ``failed``, ``expired`` or ``blocked`` (``mandates``
events), no payment can be created against it any more: it is archived, as
Odoo does a payment method it can no longer use, so that autopay and the client
stop trying it; when it is ``reinstated`` (active again: e.g. the bank undid the
cancellation), it is restored, unless it was archived otherwise (e.g. its owner
removed it). One ``replaced`` (a new Bacs service user number) is charged
under the event's ``links.new_mandate`` from then on (its event missed, under the
one a payment refused with ``mandate_replaced`` names).

Webhook events carry no amount, so each payment or refund event is checked
against the resource itself (``GET /payments/:id``), as GoCardless advises:
the amount and currency are then compared with the transaction, and an event
delivered late can never bring back an older state. A delivery can hold up to
250 events about different payments; the first one is returned and each of
the others goes through the same verified, deduplicated path on its own (see
:meth:`GoCardless.parse_notification`); if one of them cannot be applied now
(the API is unavailable, refuses our access token: 401/403, or answers
something unreadable; or applying it fails), what it did is undone, the others
(the first included) are applied, and the whole delivery answers 503 so
GoCardless sends it again: the events already applied are then recognised as
duplicates. An event whose resource the API
will never show (404: another account's or environment's) is recorded as
ignored and holds up none of the others.
"""

import json
import logging
from urllib.parse import urlencode

from odoo import _
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from ... import utils
from ..base import (
    Checkout,
    Gateway,
    GatewayEvent,
    GatewayRefused,
    GatewayUnavailable,
    register,
)

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

API_VERSION = "2015-07-06"
#: metadata key naming our transaction on billing requests, payments and refunds
META = "invoicera_reference"

PAYMENT_STATUSES = {
    "pending_customer_approval": "pending",
    "pending_submission": "pending",
    "submitted": "pending",
    # "confirmed": collected from the customer's bank account; paid_out follows.
    "confirmed": "done",
    "paid_out": "done",
    "cancelled": "cancel",
    "customer_approval_denied": "cancel",
    "failed": "error",
    "charged_back": "error",
}
REFUND_STATUSES = {
    "created": "pending",
    "pending_submission": "pending",
    "submitted": "pending",
    "paid": "done",
    "cancelled": "cancel",
    "bounced": "error",
    "funds_returned": "error",
    "failed": "error",
}
BILLING_REQUEST_ACTIONS = ("fulfilled", "cancelled", "failed")
#: mandate events after which no payment can be created against the mandate (it is
#: "inactive"): cancelled (by the customer through their bank, in the dashboard, or
#: its bank account closed), failed (not set up), expired (no collection for 13
#: months), blocked (matched the merchant's blocklist, for good)
MANDATE_GONE_ACTIONS = ("cancelled", "failed", "expired", "blocked")
#: the mandate events acted on: those, "replaced" (by ``links.new_mandate``, to be
#: charged instead) and "reinstated" (active again after a cancellation or expiry)
MANDATE_ACTIONS = (*MANDATE_GONE_ACTIONS, "replaced", "reinstated")
#: GoCardless scheme -> Odoo payment method code
SCHEME_METHODS = {
    "bacs": "bacs_direct_debit",
    "sepa_core": "sepa_direct_debit",
    "ach": "ach_direct_debit",
    "becs": "becs_direct_debit",
    "becs_nz": "becs_nz",
    "autogiro": "autogiro",
    "betalingsservice": "betalingsservice",
    "pad": "pad",
}


@register
class GoCardless(Gateway):
    code = "gocardless"
    name = "GoCardless"
    api_url = "https://api.gocardless.com/"
    sandbox_api_url = "https://api-sandbox.gocardless.com/"
    regions = (
        "United Kingdom, Eurozone (SEPA), Sweden, Denmark, Australia, New Zealand,"
        " United States, Canada"
    )
    countries = (
        # Bacs
        "GB",
        # SEPA Core (euro area)
        "AT",
        "BE",
        "CY",
        "DE",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PT",
        "SI",
        "SK",
        # Autogiro, Betalingsservice, BECS, BECS NZ, ACH, PAD
        "SE",
        "DK",
        "AU",
        "NZ",
        "US",
        "CA",
    )
    currencies = ("GBP", "EUR", "SEK", "DKK", "AUD", "NZD", "USD", "CAD")
    payment_methods = (
        "bacs_direct_debit",
        "sepa_direct_debit",
        "ach_direct_debit",
        "becs_direct_debit",
        "becs_nz",
        "autogiro",
        "betalingsservice",
        "pad",
    )
    tokenization = True
    refunds = "partial"
    webhook_scheme = (
        "hex HMAC-SHA256 of the body with the webhook endpoint secret (Webhook-Signature)"
    )
    signature_header = "Webhook-Signature"
    idempotency_header = "Idempotency-Key"
    credentials = {
        "invoicera_secret_key": _lt(
            "Access token (Developers > Create > Access token, read-write)"
        ),
        "invoicera_webhook_secret": _lt("Webhook endpoint secret (Developers > Webhook endpoints)"),
    }

    def __init__(self, provider):
        super().__init__(provider)
        #: id of the resource an idempotent creation conflicted with (see error_message)
        self.conflicting_id = ""

    def auth_headers(self):
        return {
            "Authorization": f"Bearer {self.provider.invoicera_secret_key}",
            "GoCardless-Version": API_VERSION,
        }

    def error_message(self, body):
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return super().error_message(body)
        details = error.get("errors") or []
        for detail in details:
            if detail.get("reason") == "idempotent_creation_conflict":
                self.conflicting_id = (detail.get("links") or {}).get("conflicting_resource_id")
        messages = [d.get("message") for d in details if d.get("message") != error.get("message")]
        return "; ".join(filter(None, [error.get("message"), *messages]))

    def payment_method_gone(self, body):
        # "mandate_is_inactive": the mandate was cancelled, failed or expired; no
        # payment can be created against it any more (Create a payment, API reference).
        error = body.get("error") if isinstance(body, dict) else None
        details = (error.get("errors") if isinstance(error, dict) else None) or []
        return any(
            isinstance(detail, dict) and detail.get("reason") == "mandate_is_inactive"
            for detail in details
        )

    def create_resource(self, resource, values, key):
        """POST ``/<resource>`` with an idempotency key; the created resource.

        Retrying a creation GoCardless already made answers 409
        ``idempotent_creation_conflict``: the existing resource is then returned.
        """
        self.conflicting_id = ""
        try:
            return self.request("POST", resource, {resource: values}, idempotency_key=key)[resource]
        except ValidationError:
            if not self.conflicting_id:
                raise
            return self.request("GET", f"{resource}/{self.conflicting_id}")[resource]

    def find_tx(self, reference):
        if not reference:
            return self.provider.env["payment.transaction"]
        return (
            self.provider.env["payment.transaction"]
            .sudo()
            .search(
                [("provider_id", "=", self.provider.id), ("reference", "=", reference)], limit=1
            )
        )

    # -- signatures --------------------------------------------------------------

    def verify(self, delivery, now=None):
        expected = utils.hmac_hex(self.signing_secret(), delivery.body, "sha256")
        return utils.signatures_match(
            expected, delivery.headers.get(self.signature_header, "").lower()
        )

    # -- checkout ------------------------------------------------------------------

    def create_checkout(self, tx, return_url, webhook_url):
        billing_request = self.create_resource(
            "billing_requests",
            {
                "mandate_request": {"currency": tx.currency_id.name},
                "metadata": {META: tx.reference},
            },
            self.idempotency_key(tx, "create"),
        )
        back = f"{return_url}?{urlencode({'reference': tx.reference})}"
        flow = {
            "redirect_uri": back,
            # the flow's way out: no mandate, no payment, and no webhook will
            # ever end the billing request (see left_unpaid)
            "exit_uri": f"{back}&exit=1",
            "links": {"billing_request": billing_request["id"]},
        }
        customer = self.prefilled_customer(tx)
        if customer:
            flow["prefilled_customer"] = customer
        # A flow is only a page: a retry may create another one for the same request.
        answer = self.request("POST", "billing_request_flows", {"billing_request_flows": flow})
        return Checkout(url=answer["billing_request_flows"]["authorisation_url"])

    @staticmethod
    def prefilled_customer(tx):
        partner = tx.partner_id
        given, _sep, family = (partner.name or "").partition(" ")
        values = {
            "given_name": given if not partner.is_company else "",
            "family_name": family if not partner.is_company else "",
            "company_name": partner.name if partner.is_company else "",
            "email": tx.partner_email or "",
            "address_line1": partner.street or "",
            "city": partner.city or "",
            "postal_code": partner.zip or "",
            "country_code": partner.country_id.code or "",
        }
        return {key: value for key, value in values.items() if value}

    # -- payments --------------------------------------------------------------------

    def create_payment(self, tx, mandate):
        """Collect ``tx`` against ``mandate``; the same key for every attempt at it."""
        return self.create_resource(
            "payments",
            {
                "amount": self.minor(tx.amount, tx.currency_id),
                "currency": tx.currency_id.name,
                "description": tx.reference,
                "metadata": {META: tx.reference},
                "links": {"mandate": mandate},
            },
            self.idempotency_key(tx, "charge"),
        )

    def event_from_payment(self, payment, key="", message=""):
        status = PAYMENT_STATUSES.get(payment.get("status"), "ignore")
        return GatewayEvent(
            status=status,
            reference=(payment.get("metadata") or {}).get(META, ""),
            provider_reference=payment.get("id", ""),
            key=key,
            amount=payment.get("amount"),
            currency=payment.get("currency", ""),
            message=message if status in ("cancel", "error") else "",
            payment_method=SCHEME_METHODS.get(payment.get("scheme"), ""),
        )

    def event_from_refund(self, refund, key=""):
        reference = (refund.get("metadata") or {}).get(META, "")
        refund_of = (refund.get("links") or {}).get("payment", "")
        return GatewayEvent(
            # a refund Odoo did not ask for: Odoo's if its payment is (made in the
            # dashboard, reported), else nothing of Odoo's, ever
            not_ours=""
            if reference or self.transaction_known_as(refund_of)
            else _(
                "GoCardless reports refund %(refund)s of payment %(payment)s, which Odoo"
                " did not make (another application's), so nothing was changed in Odoo.",
                refund=refund.get("id") or "?",
                payment=refund_of or "?",
            ),
            status=REFUND_STATUSES.get(refund.get("status"), "ignore"),
            reference=reference,
            provider_reference=refund.get("id", ""),
            key=key,
            amount=refund.get("amount"),
            currency=refund.get("currency", ""),
            refund_of=refund_of,
            refund_reference=reference,
        )

    def charge_token(self, tx):
        try:
            payment = self.create_payment(tx, tx.token_id.provider_ref)
        except GatewayRefused as error:
            successor = self.replacing_mandate(error.body)
            if not successor:
                raise
            # Its "replaced" event was missed: the new mandate is charged, from now on.
            _logger.warning(
                "%s: mandate %s was replaced by %s; %s charged with the new one",
                self.name,
                tx.token_id.provider_ref,
                successor,
                tx.reference,
            )
            # sudo: only administrators write saved payment methods; GoCardless
            # replaced this one, whoever charges it
            tx.token_id.sudo().provider_ref = successor
            payment = self.create_payment(tx, successor)
        return self.event_from_payment(payment)

    @staticmethod
    def replacing_mandate(body):
        """The new mandate named by ``body``, an answer refusing a payment because its
        mandate was replaced (``mandate_replaced``, with ``links[new_mandate]``)."""
        error = body.get("error") if isinstance(body, dict) else None
        details = (error.get("errors") if isinstance(error, dict) else None) or []
        for detail in details:
            if isinstance(detail, dict) and detail.get("reason") == "mandate_replaced":
                links = detail.get("links") or error.get("links") or {}
                return links.get("new_mandate") or ""
        return ""

    def left_unpaid(self, data):
        return data.get("exit") == "1"

    def fetch_status(self, tx):
        # Until the mandate is set up there is no payment to ask about.
        if not tx.provider_reference:
            return None
        payment = self.request("GET", f"payments/{tx.provider_reference}")["payments"]
        result = self.event_from_payment(payment)
        if result.status == "done":
            # as its notification: the mandate the client asked to keep
            result.token = self.mandate_token(result.reference, payment)
        return result

    # -- notifications -------------------------------------------------------------

    @staticmethod
    def target(event):
        """The id of the resource an event is about, if it is one we act on."""
        links = event.get("links") or {}
        kind = event.get("resource_type")
        if kind == "mandates":
            # no metadata of ours: whether it is a saved mandate, event_from tells
            return links.get("mandate", "") if event.get("action") in MANDATE_ACTIONS else ""
        if kind == "refunds":
            # not by its metadata: a refund made in GoCardless' dashboard of one of
            # our payments has none of ours (event_from_refund tells)
            return links.get("refund", "")
        metadata = event.get("resource_metadata")
        if metadata is not None and META not in metadata:
            return ""  # a payment or request another application made
        if kind == "payments":
            return links.get("payment", "")
        if kind == "billing_requests" and event.get("action") in BILLING_REQUEST_ACTIONS:
            return links.get("billing_request", "")
        return ""

    def parse_notification(self, delivery):
        """The event of the delivery's first resource we act on.

        Events about one resource are reduced to the latest (the resource's
        current state is fetched anyway). Events about other resources are
        passed, one per delivery, through the same webhook path: signed with
        the webhook secret, verified, deduplicated by their own event id.
        """
        events = delivery.json().get("events") or []
        if isinstance(events, dict):
            events = [events]
        latest = {}
        for event in sorted(events, key=lambda event: event.get("created_at") or ""):
            target = self.target(event)
            if target:
                latest.pop(target, None)
                latest[target] = event
        if not latest:
            return None
        first, *others = latest.values()
        failed = [event for event in others if not self.deliver_alone(event)]
        if failed:
            # Sent again for those; the first is applied now all the same, so
            # that an event failing for good never holds it up.
            self.deliver_alone(first)
            raise GatewayUnavailable(
                _(
                    "%(gateway)s: events %(events)s of the notification could not be"
                    " applied; the notification will be sent again.",
                    gateway=self.name,
                    events=", ".join(event.get("id") or "?" for event in failed),
                )
            )
        return self.event_from(first)

    def deliver_alone(self, event):
        """Apply ``event`` as a delivery of its own; whether it is done with.

        It is not when it cannot be applied now (GoCardless' API unavailable,
        refusing our access token or answering something unreadable while it is
        checked, its payment not found yet) or its application failed: all it did
        is undone, and the whole delivery must fail so that GoCardless sends it
        again (the events of the batch already applied are then recognised by
        their ids). An event that can never be applied (its resource refused by
        the API: answered 200 and recorded as ignored) is done with.
        """
        body = json.dumps({"events": [event]}).encode()
        signature = utils.hmac_hex(self.signing_secret(), body, "sha256")
        env = self.provider.env
        try:
            with env.cr.savepoint():
                status, outcome = env["invoicera.gateway.event"]._invoicera_receive(
                    self.code, self.provider.id, {self.signature_header: signature}, body
                )
                if status != 200:
                    raise GatewayUnavailable(outcome)
        # What the delivery's own handling would take for a refusal of the whole
        # delivery (e.g. a defect met while applying it): this event's alone.
        except (ValidationError, AttributeError, KeyError, IndexError, TypeError, ValueError) as e:
            _logger.warning(
                "%s: event %s of a batch not applied, the notification will be sent again:"
                " %s: %s",
                self.name,
                event.get("id"),
                type(e).__name__,
                e,
            )
            return False
        _logger.info("%s: event %s of a batch: %s %s", self.name, event.get("id"), status, outcome)
        return True

    def event_from(self, event):
        kind = event.get("resource_type")
        key = event.get("id", "")
        links = event.get("links") or {}
        message = (event.get("details") or {}).get("description", "")
        if kind == "payments":
            payment = self.request("GET", f"payments/{links['payment']}")["payments"]
            result = self.event_from_payment(payment, key=key, message=message)
            if result.status == "done":
                result.token = self.mandate_token(result.reference, payment)
            return result
        if kind == "refunds":
            refund = self.request("GET", f"refunds/{links['refund']}")["refunds"]
            return self.event_from_refund(refund, key=key)
        if kind == "mandates":
            return self.event_from_mandate(event)
        # billing_requests: fulfilled, cancelled or failed
        metadata = event.get("resource_metadata")
        if metadata is None:
            request = self.request("GET", f"billing_requests/{links['billing_request']}")
            metadata = request["billing_requests"].get("metadata") or {}
        reference = metadata.get(META, "")
        action = event.get("action")
        if action != "fulfilled":
            status = "cancel" if action == "cancelled" else "error"
            return GatewayEvent(status=status, reference=reference, key=key, message=message)
        tx = self.find_tx(reference)
        mandate = links.get("mandate_request_mandate")
        if tx and mandate and not tx.provider_reference and tx.state in ("draft", "pending"):
            return self.event_from_payment(self.create_payment(tx, mandate), key=key)
        # Unknown transaction (recorded as such) or payment already created (nothing to do).
        return GatewayEvent(status="pending" if not tx else "ignore", reference=reference, key=key)

    def event_from_mandate(self, event):
        """The ``token_gone`` event of a mandate event saying that a mandate saved in
        Odoo (with this provider; archived or not) can no longer be charged, or was
        replaced; the ``token_back`` event of one saying that such a mandate, archived,
        is active again (reinstated); else None (e.g. a mandate saved nowhere, as a
        one-off payment's)."""
        links = event.get("links") or {}
        mandate = links.get("mandate")
        action = event.get("action")
        if action not in MANDATE_ACTIONS or not mandate:
            return None
        domain = [("provider_id", "=", self.provider.id), ("provider_ref", "=", mandate)]
        if action == "reinstated":
            # only an archived one can come back
            domain.append(("active", "=", False))
        saved = (
            self.env["payment.token"].with_context(active_test=False).search_count(domain, limit=1)
        )
        if not saved:
            return None
        successor = links.get("new_mandate") if action == "replaced" else None
        return GatewayEvent(
            status="token_back" if action == "reinstated" else "token_gone",
            provider_reference=mandate,
            key=event.get("id", ""),
            message=(event.get("details") or {}).get("description") or action,
            token={"provider_ref": successor} if successor else None,
        )

    def mandate_token(self, reference, payment):
        """The mandate of a collected payment, when the client asked to keep it."""
        mandate_id = (payment.get("links") or {}).get("mandate")
        tx = self.find_tx(reference)
        if not mandate_id or not tx.tokenize or tx.token_id:
            return None
        token = {"provider_ref": mandate_id, "payment_details": mandate_id, "customer_ref": None}
        try:
            mandate = self.request("GET", f"mandates/{mandate_id}")["mandates"]
            mandate_links = mandate.get("links") or {}
            token["customer_ref"] = mandate_links.get("customer")
            account_id = mandate_links.get("customer_bank_account")
            if account_id:
                account = self.request("GET", f"customer_bank_accounts/{account_id}")
                ending = account["customer_bank_accounts"].get("account_number_ending")
                token["payment_details"] = ending or mandate_id
        except ValidationError as error:
            _logger.warning(
                "%s: details of mandate %s unavailable: %s", self.name, mandate_id, error
            )
        return token

    # -- refunds ----------------------------------------------------------------------

    def refund(self, tx, refund_tx, amount):
        currency = tx.currency_id
        # GoCardless counts the payment's refunds made in its dashboard too
        refunded = self.refunded_minor(tx, refund_tx)
        minor = self.minor(amount, currency)
        refund = self.create_resource(
            "refunds",
            {
                "amount": minor,
                # GoCardless' guard against concurrent refunds: the total refunded so far.
                "total_amount_confirmation": refunded + minor,
                "metadata": {META: refund_tx.reference},
                "links": {"payment": tx.provider_reference},
            },
            self.idempotency_key(refund_tx, "refund"),
        )
        return self.event_from_refund(refund)
