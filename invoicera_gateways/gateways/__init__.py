"""One package per gateway, discovered at import: adding a gateway is adding a package.

Each package ``gateways/<code>/`` holds ``gateway.py`` (a :class:`Gateway`
subclass decorated with :func:`register`) and ``data/provider.xml`` (the
``payment.provider`` record and its payment methods).
"""

import importlib
import pkgutil

from .base import GATEWAYS, Checkout, Delivery, Gateway, GatewayEvent, register  # noqa: F401

for _module in pkgutil.iter_modules(__path__):
    if _module.ispkg:
        importlib.import_module(f"{__name__}.{_module.name}.gateway")
