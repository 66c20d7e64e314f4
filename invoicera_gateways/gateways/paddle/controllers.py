"""The payment link page of Paddle transactions: Paddle.js opens the checkout on it.

Paddle's payment link for a transaction (``checkout.url``) is a page of the seller's, on an
approved domain, with Paddle.js initialised by a client-side token: Paddle appends
``?_ptxn=<transaction id>`` and Paddle.js opens the checkout for that transaction. After the
payment Paddle.js sends the client to ``successUrl``, our return route.
"""

from urllib.parse import urlencode

from odoo import http
from odoo.http import request


def checkout_page_values(env, provider_id, transaction_id):
    """Rendering values of the payment link page, or None when nothing may be paid there."""
    provider = env["payment.provider"].sudo().browse(provider_id).exists()
    if not provider or provider.code != "paddle" or not transaction_id:
        return None
    tx = (
        env["payment.transaction"]
        .sudo()
        .search(
            [("provider_id", "=", provider.id), ("provider_reference", "=", transaction_id)],
            limit=1,
        )
    )
    if not tx or tx.state not in ("draft", "pending"):
        return None
    return_url = f"{provider._invoicera_url('return')}?{urlencode({'reference': tx.reference})}"
    return {
        "client_token": provider.invoicera_public_key or "",
        "sandbox": "1" if provider.state == "test" else "",
        "return_url": return_url,
    }


class InvoiceraPaddleController(http.Controller):
    @http.route(
        "/payment/invoicera/paddle/pay/<int:provider_id>",
        type="http",
        auth="public",
        methods=["GET"],
        save_session=False,
    )
    def invoicera_paddle_pay(self, provider_id, _ptxn="", **_kwargs):
        values = checkout_page_values(request.env, provider_id, _ptxn)
        if not values:
            return request.not_found()
        return request.render("invoicera_gateways.paddle_checkout_page", values)
