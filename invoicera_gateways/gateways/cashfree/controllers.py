"""The page that opens Cashfree's hosted checkout (Cashfree offers no plain URL for it)."""

from odoo import http
from odoo.http import request


class CashfreeCheckoutController(http.Controller):
    @http.route(
        "/payment/invoicera/cashfree/checkout/<int:provider_id>",
        type="http",
        auth="public",
        methods=["GET"],
        save_session=False,
    )
    def invoicera_cashfree_checkout(self, provider_id, session=None, reference=None, token=None):
        provider = request.env["payment.provider"].sudo().browse(provider_id).exists()
        if not provider or provider.code != "cashfree" or provider.state == "disabled":
            raise request.not_found()
        status, html = provider._invoicera_gateway().checkout_page(session, reference, token)
        return request.make_response(
            html,
            headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-store"),
            ],
            status=status,
        )
