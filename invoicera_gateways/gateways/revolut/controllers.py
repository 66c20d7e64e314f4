"""The page opening Revolut's Checkout Widget, for clients who save their payment method.

Revolut's hosted checkout page cannot save a payment method for merchant-initiated payments;
the Checkout Widget can (``payWithPopup({savePaymentMethodFor: "merchant"})``). This page is
the only place the widget runs: it gets the order's public ``token`` and goes back to the
provider's return route whatever the outcome, where the order is retrieved from the API.
"""

from urllib.parse import urlencode

from odoo import http
from odoo.http import request

#: Revolut's embed script per environment (@revolut/checkout, src/constants.ts)
EMBED_URLS = {
    "sandbox": "https://sandbox-merchant.revolut.com/embed.js",
    "prod": "https://merchant.revolut.com/embed.js",
}


def checkout_page_values(env, provider_id, reference, token):
    """Rendering values of the widget page, or None when nothing may be paid there."""
    provider = env["payment.provider"].sudo().browse(provider_id).exists()
    if not provider or provider.code != "revolut" or not reference or not token:
        return None
    tx = (
        env["payment.transaction"]
        .sudo()
        .search([("provider_id", "=", provider.id), ("reference", "=", reference)], limit=1)
    )
    if not tx or tx.state not in ("draft", "pending"):
        return None
    mode = "sandbox" if provider.state == "test" else "prod"
    return {
        "token": token,
        "mode": mode,
        "embed_url": EMBED_URLS[mode],
        "email": tx.partner_email or "",
        "return_url": f"{provider._invoicera_url('return')}?{urlencode({'reference': reference})}",
    }


class InvoiceraRevolutController(http.Controller):
    @http.route(
        "/payment/invoicera/revolut/pay/<int:provider_id>",
        type="http",
        auth="public",
        methods=["GET"],
        save_session=False,
    )
    def invoicera_revolut_pay(self, provider_id, reference="", token="", **_kwargs):
        values = checkout_page_values(request.env, provider_id, reference, token)
        if not values:
            return request.not_found()
        return request.render("invoicera_gateways.revolut_checkout_page", values)
