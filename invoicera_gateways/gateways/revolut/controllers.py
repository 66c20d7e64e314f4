"""The page opening Revolut's Checkout Widget, for clients who save their payment method.

Revolut's hosted checkout page cannot save a payment method for merchant-initiated payments;
the Checkout Widget can (``payWithPopup({savePaymentMethodFor: "merchant"})``). This page is
the only place the widget runs and goes back to the provider's return route whatever the
outcome, where the order is retrieved from the API.

The page's URL names the transaction by its reference and carries an access token bound to
that transaction (an HMAC of its id and reference under the database secret): without it,
or with another transaction's, the page does not exist. The order's public ``token`` the
widget needs is never taken from the URL: it is read from Revolut (Retrieve an order) for
the order created for this transaction.
"""

import logging
from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools.misc import hmac as hmac_tool

from ... import utils

_logger = logging.getLogger(__name__)

#: Revolut's embed script per environment (@revolut/checkout, src/constants.ts)
EMBED_URLS = {
    "sandbox": "https://sandbox-merchant.revolut.com/embed.js",
    "prod": "https://merchant.revolut.com/embed.js",
}
#: HMAC scope of the widget page's access tokens
ACCESS_SCOPE = "invoicera_revolut_pay"


def page_access_token(tx):
    """The access token binding the widget page's URL to ``tx`` (also outside a request)."""
    return hmac_tool(tx.env(su=True), ACCESS_SCOPE, f"{tx.id}|{tx.reference}")


def page_transaction(env, provider_id, reference, access_token):
    """The draft or pending Revolut transaction the URL names, or None when the access
    token is missing or belongs to no such transaction."""
    provider = env["payment.provider"].sudo().browse(provider_id).exists()
    if not provider or provider.code != "revolut" or not reference or not access_token:
        return None
    tx = (
        env["payment.transaction"]
        .sudo()
        .search([("provider_id", "=", provider.id), ("reference", "=", reference)], limit=1)
    )
    if not tx or not utils.signatures_match(page_access_token(tx), access_token):
        return None
    if tx.state not in ("draft", "pending") or not tx.provider_reference:
        return None
    return tx


def return_url(tx):
    return f"{tx.provider_id._invoicera_url('return')}?{urlencode({'reference': tx.reference})}"


def checkout_page_values(tx):
    """Rendering values of the widget page for ``tx``, or None when its order is no longer
    open for payment. Raises ValidationError when Revolut cannot be asked."""
    gateway = tx.provider_id._invoicera_gateway()
    order = gateway.request("GET", f"orders/{tx.provider_reference}")
    if order.get("state") != "pending" or not order.get("token"):
        return None
    mode = "sandbox" if tx.provider_id.state == "test" else "prod"
    return {
        "token": order["token"],
        "mode": mode,
        "embed_url": EMBED_URLS[mode],
        "email": tx.partner_email or "",
        "return_url": return_url(tx),
    }


class InvoiceraRevolutController(http.Controller):
    @http.route(
        "/payment/invoicera/revolut/pay/<int:provider_id>",
        type="http",
        auth="public",
        methods=["GET"],
        save_session=False,
    )
    def invoicera_revolut_pay(self, provider_id, reference="", access_token="", **_kwargs):
        tx = page_transaction(request.env, provider_id, reference, access_token)
        if not tx:
            return request.not_found()
        try:
            values = checkout_page_values(tx)
        except ValidationError as error:
            _logger.warning("Revolut: widget page of %s unavailable: %s", tx.reference, error)
            return request.make_response(
                str(error.args[0] if error.args else error),
                headers=[("Content-Type", "text/plain; charset=utf-8")],
                status=503,
            )
        if not values:
            # Paid, cancelled or failed meanwhile: the return route shows what happened.
            return request.redirect(return_url(tx))
        return request.render("invoicera_gateways.revolut_checkout_page", values)
