"""Helpers shared by every gateway: minor units, signatures, idempotency keys.

Nothing here talks to the network or the database; each helper is a pure
function so gateways and tests use the very same code.
"""

import base64
import hashlib
import hmac
import uuid
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 exponents that differ from 2. Gateways with their own exceptions
# (e.g. a gateway that counts HUF in cents) pass ``exponents`` overrides.
ISO_4217_EXPONENTS = {
    **dict.fromkeys(
        ("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF").split(),
        0,
    ),
    **dict.fromkeys("BHD IQD JOD KWD LYD OMR TND".split(), 3),
    "CLF": 4,
    "UYW": 4,
}

_NAMESPACE = uuid.UUID("5b0c9c0e-4d5e-4a0b-9c53-1e1f6a2f0b7d")


def currency_exponent(currency_code, exponents=None):
    """Number of decimals of a currency's minor unit (2 unless listed)."""
    exponents = {**ISO_4217_EXPONENTS, **(exponents or {})}
    return exponents.get(currency_code.upper(), 2)


def to_minor_units(amount, currency_code, exponents=None):
    """Convert a major amount (float or Decimal) to an integer of minor units.

    Rounds half up on the exact decimal value, so 10.005 EUR gives 1001 and
    12.5 JPY gives 13, whatever the binary float representation.
    """
    exponent = currency_exponent(currency_code, exponents)
    quantum = Decimal(1).scaleb(-exponent)
    value = Decimal(str(amount)).quantize(quantum, rounding=ROUND_HALF_UP)
    return int(value.scaleb(exponent))


def from_minor_units(minor, currency_code, exponents=None):
    """Convert an integer of minor units back to a Decimal major amount."""
    exponent = currency_exponent(currency_code, exponents)
    return Decimal(int(minor)).scaleb(-exponent)


def hmac_digest(secret, message, algorithm="sha256"):
    """Raw HMAC of ``message`` (bytes or str) under ``secret`` (bytes or str)."""
    if isinstance(secret, str):
        secret = secret.encode()
    if isinstance(message, str):
        message = message.encode()
    return hmac.new(secret, message, getattr(hashlib, algorithm)).digest()


def hmac_hex(secret, message, algorithm="sha256"):
    return hmac_digest(secret, message, algorithm).hex()


def hmac_base64(secret, message, algorithm="sha256"):
    return base64.b64encode(hmac_digest(secret, message, algorithm)).decode()


def signatures_match(expected, received):
    """Constant-time comparison; ``False`` when either side is empty."""
    if not expected or not received:
        return False
    if isinstance(expected, str):
        expected = expected.encode()
    if isinstance(received, str):
        received = received.encode()
    return hmac.compare_digest(expected, received)


def idempotency_key(database_uuid, *parts):
    """Stable key for one operation on one document of one database.

    The same (database, transaction reference, operation) always gives the
    same key, so a retried create or refund is recognised by the gateway and
    never charges or refunds twice.
    """
    name = ":".join([database_uuid or "", *map(str, parts)])
    return str(uuid.uuid5(_NAMESPACE, name))
