"""The shape every gateway follows, and the one place that calls gateways over HTTP."""

import json
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

import requests
import urllib3

from odoo import _
from odoo.exceptions import ValidationError
from odoo.tools.translate import LazyTranslate

from .. import utils

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

GATEWAYS = {}

#: (connect, read) seconds for every outgoing call.
TIMEOUT = (5, 20)


def register(cls):
    """Class decorator: make a gateway known to the provider model and the controllers."""
    GATEWAYS[cls.code] = cls
    return cls


#: what reading a 2xx answer that is not the gateway's API raises (e.g. a web page
#: at a wrong server URL): caught where a client or staff would get a traceback
UNREADABLE_ANSWER = (AttributeError, ArithmeticError, IndexError, KeyError, TypeError, ValueError)


def log_unreadable_answer(gateway, what, reference, error):
    """Log an answer of ``gateway`` to ``what`` (checkout, refund...) for
    ``reference`` that could not be read (one of :data:`UNREADABLE_ANSWER`)."""
    _logger.warning(
        "%s: unreadable %s answer for %s: %r",
        gateway.name,
        what,
        reference,
        error,
        exc_info=True,  # or a defect of ours: the traceback tells
    )


class GatewayUnavailable(ValidationError):
    """The gateway timed out, could not be reached, answered 5xx or asked us to
    slow down (HTTP 429, 408): safe to retry."""


class GatewayRefused(ValidationError):
    """The gateway refused the request itself (HTTP 4xx other than 401 and 403: a
    declined card, a payment method it no longer has...): asking again will not help.
    ``body`` is the gateway's decoded answer."""

    def __init__(self, message, body=None):
        super().__init__(message)
        self.body = body


class GatewayMisconfigured(ValidationError):
    """The provider's settings are wrong: the gateway refused our credentials (HTTP
    401 or 403: a revoked key, another mode's, missing permissions) or its address is
    not valid. Nothing succeeds until the merchant fixes them; then the same request
    can (a webhook is answered 503, so that the gateway sends it again). ``status``:
    the HTTP status of the gateway's refusal, if any."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


@dataclass
class Checkout:
    """Where to send the client to pay: the gateway's hosted page."""

    url: str
    method: str = "GET"
    params: dict = field(default_factory=dict)
    provider_reference: str = ""


@dataclass
class Delivery:
    """One webhook delivery as received: raw body, headers, query string.

    ``url`` is the provider's public webhook URL when the gateway's scheme
    signs it (:attr:`Gateway.signs_url`), else empty.
    """

    headers: dict
    body: bytes
    query: dict = field(default_factory=dict)
    url: str = ""

    def json(self):
        """The body's JSON object; ``{}`` when it is not one (not JSON, or JSON
        but an array, a string, ``null``...), so that no gateway reading it
        fails on it: a body anyone can post must never be answered 500."""
        try:
            payload = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return payload if isinstance(payload, dict) else {}


@dataclass
class GatewayEvent:
    """What a notification, a return or an API answer says about one transaction.

    ``status`` is one of ``done``, ``pending``, ``authorized``, ``cancel``,
    ``error``, ``ignore``, ``token`` (only a saved payment method, for a
    transaction whose client asked to save it), or ``token_gone`` (about no
    transaction: the saved payment method the gateway knows as
    ``provider_reference`` can no longer be charged, ``message`` says why; or, with
    ``token``, was replaced by ``token["provider_ref"]``, charged from then on),
    or ``token_back`` (that payment method can be charged again, e.g. a mandate
    reinstated: restored when a ``token_gone`` notification archived it);
    ``amount`` is in minor units.

    ``token_error`` says why the payment method the client asked to save could
    not be saved (the payment itself is applied all the same); ``token_retry``
    whether that was the gateway being unavailable (or refusing our
    credentials), so that the delivery is answered 503 and the gateway sends it
    again, rather than a refusal for good.

    For a refund notification, ``refund_of`` is the gateway's id of the payment
    refunded and ``refund_reference`` the reference the refund carries (Odoo's
    refund transaction's for a refund Odoo asked for): a refund matching no refund
    transaction, of a payment of ours, and not named by one of Odoo's refund
    references, was made outside Odoo (e.g. in the gateway's dashboard).

    ``money_held`` says the gateway holds money the client paid that the event
    confirms no payment with (e.g. a partial payment of an invoice that expired;
    ``message`` says what to do with it): when Odoo cannot apply the event (a
    transaction it closed), it is reported to staff, as money taken would be.

    ``not_ours`` says why a notification matching no transaction cannot be about
    one Odoo has yet to record (e.g. a refund that does not carry the reference
    Odoo gives each refund it asks for): it is then acknowledged and listed as
    ignored with that reason, rather than refused so that the gateway sends it again.
    """

    status: str
    reference: str = ""
    provider_reference: str = ""
    key: str = ""
    amount: int | None = None
    currency: str = ""
    message: str = ""
    token: dict | None = None
    payment_method: str = ""
    token_error: str = ""
    token_retry: bool = False
    refund_of: str = ""
    refund_reference: str = ""
    money_held: bool = False
    not_ours: str = ""


class Gateway:
    """Base class of a gateway adapter; one instance wraps one ``payment.provider``.

    Subclasses declare their metadata as class attributes and implement the
    operations the gateway offers. ``self.provider`` is the sudo-ed provider.
    """

    # -- metadata (read by the provider model, the data files and the README)
    code = ""
    name = ""
    api_url = ""
    sandbox_api_url = ""
    regions = ""
    countries = ()
    currencies = ()
    #: currency exponents where the gateway differs from ISO 4217
    exponents = {}
    payment_methods = ("card",)
    tokenization = False
    #: 'partial', 'full_only' or 'none'
    refunds = "none"
    webhook_scheme = ""
    #: header the signature arrives in (checked for presence before anything else)
    signature_header = ""
    #: or the query-string parameter it arrives in (e.g. Paymob's ``hmac``)
    signature_param = ""
    #: whether the scheme signs the notification URL (passed to :meth:`verify`)
    signs_url = False
    #: seconds a signed timestamp stays valid, for schemes that sign one
    timestamp_tolerance = 300
    #: header that carries the idempotency key on outgoing calls, if any
    idempotency_header = "Idempotency-Key"
    #: what the generic credential fields mean for this gateway (field -> label)
    credentials = {
        "invoicera_secret_key": _lt("Secret Key"),
        "invoicera_webhook_secret": _lt("Webhook Secret"),
    }

    def __init__(self, provider):
        self.provider = provider

    def account_currencies(self):
        """The currencies this provider's account takes: the gateway's, unless an
        account takes those of its country only (its key or host tells which)."""
        return self.currencies

    @property
    def env(self):
        """The provider's environment (also how Odoo's ``_()`` finds the user's language)."""
        return self.provider.env

    # -- the request helper -------------------------------------------------

    def base_url(self):
        if self.provider.invoicera_server_url:
            return self.provider.invoicera_server_url.rstrip("/") + "/"
        # a provider disabled in test mode still looks up its payments (webhooks)
        if self.provider.invoicera_sandbox and self.sandbox_api_url:
            return self.sandbox_api_url
        return self.api_url

    def auth_headers(self):
        """Headers authenticating outgoing calls (Bearer secret key by default)."""
        return {"Authorization": f"Bearer {self.provider.invoicera_secret_key}"}

    def idempotency_key(self, tx, operation):
        """Stable key for ``operation`` on ``tx``: pass the refund transaction for
        refunds, so two partial refunds of one payment get two keys."""
        uuid = self.provider.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return utils.idempotency_key(uuid, self.code, tx.reference, operation)

    def request(
        self,
        method,
        path,
        payload=None,
        *,
        params=None,
        form=None,
        headers=None,
        idempotency_key=None,
        authenticate=True,
    ):
        """Call the gateway's API and return its decoded JSON answer.

        Every outgoing call of every gateway goes through here: one timeout,
        one way of logging, one translated error. Network failures and 5xx
        raise :class:`GatewayUnavailable` (retry with the same idempotency key;
        unless the connection was never established, the gateway may have
        acted, so gateways without idempotency look the operation up first);
        401 and 403 (our credentials refused) and configuration errors (an
        invalid URL, a redirect loop) raise :class:`GatewayMisconfigured` with
        what to fix; other 4xx (the request itself refused: asking again will
        not help) raise :class:`GatewayRefused` with the gateway's message.
        ``path`` may be a full address (another server of the gateway's, as its
        OAuth server); ``authenticate=False`` sends no :meth:`auth_headers`.
        """
        url = urljoin(self.base_url(), path.lstrip("/"))
        all_headers = {"Accept": "application/json"}
        if authenticate:
            all_headers.update(self.auth_headers())
        if idempotency_key and self.idempotency_header:
            all_headers[self.idempotency_header] = idempotency_key
        all_headers.update(headers or {})
        started = time.monotonic()
        try:
            response = self._send(
                method,
                url,
                headers=all_headers,
                json=payload,
                data=form,
                params=params,
                timeout=TIMEOUT,
            )
        except (
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidURL,
            requests.exceptions.URLRequired,
        ) as error:
            # Refused before connecting: a configuration error, nothing was sent.
            _logger.warning("%s: %s %s refused: %s", self.name, method, url, error)
            raise GatewayMisconfigured(
                _(
                    "%(gateway)s: the address %(url)s is not a valid URL (%(error)s): nothing"
                    " was sent. Check the server URL in the payment provider's settings; it"
                    " must be a full address starting with https://.",
                    gateway=self.name,
                    url=url,
                    error=type(error).__name__,
                )
            ) from error
        except requests.exceptions.TooManyRedirects as error:
            # Every answer was a redirect: the gateway never acted on the request.
            _logger.warning("%s: %s %s redirect loop: %s", self.name, method, url, error)
            raise GatewayMisconfigured(
                _(
                    "%(gateway)s answered %(url)s with too many redirects: the request was not"
                    " carried out. Check the server URL in the payment provider's settings"
                    " (e.g. https:// instead of http://, or a missing or extra path).",
                    gateway=self.name,
                    url=url,
                )
            ) from error
        except requests.exceptions.RequestException as error:
            if self._never_connected(error):
                _logger.warning("%s: %s %s failed: %s", self.name, method, url, error)
                raise GatewayUnavailable(
                    _(
                        "%(gateway)s could not be reached (%(error)s): nothing was sent."
                        " Please try again in a moment.",
                        gateway=self.name,
                        error=type(error).__name__,
                    )
                ) from error
            # A read timeout, a dropped connection, a truncated or undecodable
            # answer, ...: the gateway may have acted on the request.
            _logger.warning("%s: %s %s got no usable answer: %s", self.name, method, url, error)
            raise GatewayUnavailable(
                _(
                    "%(gateway)s gave no complete answer (%(error)s): the request may or may"
                    " not have been carried out. Check the gateway's dashboard before trying"
                    " again.",
                    gateway=self.name,
                    error=type(error).__name__,
                )
            ) from error
        elapsed = time.monotonic() - started
        body = self._decode(response)
        if response.status_code >= 500:
            _logger.warning(
                "%s: %s %s answered %s in %.2fs: %s",
                self.name,
                method,
                url,
                response.status_code,
                elapsed,
                response.text[:500],
            )
            raise GatewayUnavailable(
                _(
                    "%(gateway)s is unavailable (HTTP %(status)s). Please try again in a moment.",
                    gateway=self.name,
                    status=response.status_code,
                )
            )
        if response.status_code >= 400:
            message = self.error_message(body) or response.reason
            _logger.warning(
                "%s: %s %s answered %s: %s",
                self.name,
                method,
                url,
                response.status_code,
                message,
            )
            if response.status_code in (408, 429):
                # too many requests at once (a burst of notifications), or too
                # slow to send: not carried out, and temporary; a notification
                # being read is answered 503, for the gateway to send it again
                raise GatewayUnavailable(
                    _(
                        "%(gateway)s is busy (HTTP %(status)s): nothing was done. Please "
                        "try again in a moment.",
                        gateway=self.name,
                        status=response.status_code,
                    )
                )
            if response.status_code in (401, 403):
                raise GatewayMisconfigured(
                    _(
                        "%(gateway)s refused our credentials (HTTP %(status)s: %(message)s)."
                        " Check the API keys in the payment provider's settings: current,"
                        " of the provider's mode (test or live) and with the permissions"
                        " the gateway asks for.",
                        gateway=self.name,
                        status=response.status_code,
                        message=message,
                    ),
                    status=response.status_code,
                )
            raise GatewayRefused(
                _(
                    "%(gateway)s refused the request: %(message)s",
                    gateway=self.name,
                    message=message,
                ),
                body,
            )
        _logger.info(
            "%s: %s %s -> %s in %.2fs", self.name, method, url, response.status_code, elapsed
        )
        return body

    @staticmethod
    def _never_connected(error):
        """Whether ``error`` proves the request never left: the connection was not
        established (connect timeout, refused connection, failed DNS lookup)."""
        if isinstance(error, requests.exceptions.ConnectTimeout):
            return True
        if not isinstance(error, requests.exceptions.ConnectionError):
            return False
        seen, todo = set(), [error]
        while todo:
            cause = todo.pop()
            if not isinstance(cause, BaseException) or id(cause) in seen:
                continue
            seen.add(id(cause))
            if isinstance(cause, urllib3.exceptions.NewConnectionError):
                return True
            todo.extend(arg for arg in getattr(cause, "args", ()) if isinstance(arg, BaseException))
            todo += [getattr(cause, "reason", None), cause.__cause__, cause.__context__]
        return False

    @staticmethod
    def _send(method, url, **kwargs):
        """The single outgoing HTTP call; tests fake the outside world here."""
        return requests.request(method, url, **kwargs)  # pylint: disable=external-request-timeout

    @staticmethod
    def _decode(response):
        try:
            return response.json()
        except ValueError:
            return {"raw": response.text}

    def error_message(self, body):
        """The human message in an error answer (override for the gateway's shape)."""
        if isinstance(body, dict):
            for key in ("message", "error", "detail", "errorMessage"):
                value = body.get(key)
                if isinstance(value, str) and value:
                    return value
                if isinstance(value, dict) and value.get("message"):
                    return value["message"]
        return ""

    # -- our transactions ---------------------------------------------------

    def names_own_refund(self, payment, refund_reference):
        """Whether ``refund_reference``, carried by a refund of ``payment``, names one
        of Odoo's refunds of it (``R-<payment reference>``, as Odoo's refund
        transactions are named; override where the gateway rewrites it)."""
        return (refund_reference or "").startswith(f"R-{payment.reference}")

    def transaction_known_as(self, provider_reference, refund=False):
        """Our payment (or refund) transaction the gateway knows as ``provider_reference``."""
        transactions = self.env["payment.transaction"]
        if not provider_reference:
            return transactions
        return transactions.search(
            [
                ("provider_id", "=", self.provider.id),
                ("operation", "=" if refund else "!=", "refund"),
                ("provider_reference", "=", str(provider_reference)),
            ],
            limit=1,
        )

    # -- amounts ------------------------------------------------------------

    def refunded_minor(self, tx, refund_tx):
        """What Odoo knows refunded of the payment ``tx``, in minor units: its
        refunds made in Odoo but ``refund_tx`` (the one being made), and those
        its gateway reported made outside Odoo (e.g. in the dashboard)."""
        currency = tx.currency_id
        return sum(
            self.minor(abs(child.amount), currency) for child in tx._invoicera_refunds(refund_tx)
        ) + self.minor(tx._invoicera_refunded_outside(), currency)

    def minor(self, amount, currency):
        """``amount`` of ``currency`` (record or ISO code) in the gateway's minor units."""
        code = getattr(currency, "name", currency)
        return utils.to_minor_units(amount, code, self.exponents)

    # -- signatures ---------------------------------------------------------

    def signing_secret(self):
        """The secret notifications are signed with (the webhook secret by default)."""
        return self.provider.invoicera_webhook_secret

    def verify(self, delivery, now=None):
        """Whether ``delivery`` (a :class:`Delivery`) was signed by the gateway.

        Called only when :meth:`signing_secret` is set and the signature
        header (or parameter) is present. ``now`` is the POSIX time to check
        signed timestamps against (tests pass it).
        """
        raise NotImplementedError

    def timestamp_is_fresh(self, timestamp, now=None):
        """For schemes that sign a timestamp: reject replays older than the tolerance."""
        try:
            value = float(timestamp)
        except (TypeError, ValueError):
            return False
        if value > 1e12:  # milliseconds
            value /= 1000
        now = time.time() if now is None else now
        return abs(now - value) <= self.timestamp_tolerance

    # -- flows (override what the gateway offers) -----------------------------

    def create_checkout(self, tx, return_url, webhook_url):
        """Start the payment at the gateway and return a :class:`Checkout`."""
        raise NotImplementedError

    def parse_notification(self, delivery):
        """Turn a verified :class:`Delivery` into a :class:`GatewayEvent` (or None to ignore)."""
        raise NotImplementedError

    def parse_return(self, data):
        """The transaction reference the client comes back with from the hosted page."""
        return data.get("reference") or ""

    def left_unpaid(self, data):
        """Whether the client comes back (``data``: the return's query) by the
        hosted page's way out, having paid nothing: the transaction then stays
        a draft, payable again. Anyone may send it: it only ever keeps a
        transaction the gateway's API does not say is paid from being shown
        as processing."""
        return False

    def fetch_status(self, tx):
        """Ask the gateway for the transaction's state; None if the API has no such call."""
        return None

    def refund(self, tx, refund_tx, amount):
        """Refund ``amount`` of ``tx``; return a :class:`GatewayEvent` for ``refund_tx``."""
        raise NotImplementedError

    def charge_token(self, tx):
        """Charge ``tx.token_id``; return a :class:`GatewayEvent`."""
        raise NotImplementedError

    def payment_method_gone(self, body):
        """Whether ``body``, the answer refusing a charge of a saved payment method,
        says the gateway no longer has that method (or its customer) to charge: Odoo
        then archives it, as nothing charges it any more."""
        return False
