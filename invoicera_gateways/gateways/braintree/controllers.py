"""Braintree's browser flow: our page hosting Drop-in, the charge of its nonce, webhooks.

Braintree has no hosted payment page. The redirect form posts the client token
to ``/pay``, which renders Drop-in; Drop-in posts the single-use payment method
(``payment_method_nonce``) to ``/charge``, which charges it and sends the client
to the generic return route. Both routes are protected by an access token
bound to the transaction.

Braintree posts its webhooks as a form, which Odoo parses before any route
runs: the raw body is gone by then, so this more specific webhook route
re-encodes the parsed fields (the signature covers the ``bt_payload`` value,
not the raw body) before handing them to the generic receiver. It also
answers the ``bt_challenge`` check of a new webhook URL.
"""

from urllib.parse import quote

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.payment import utils as payment_utils

from ..base import GatewayUnavailable
from .gateway import DROPIN_JS


class InvoiceraBraintreeController(http.Controller):
    def _transaction(self, tx_id, access_token):
        tx = request.env["payment.transaction"].sudo().browse(tx_id).exists()
        if (
            not tx
            or tx.provider_code != "braintree"
            or not payment_utils.check_access_token(access_token, tx.id, tx.reference)
        ):
            raise request.not_found()
        return tx

    @staticmethod
    def _return_url(tx):
        provider_id = tx.provider_id.id
        return f"/payment/invoicera/braintree/return/{provider_id}?reference={quote(tx.reference)}"

    @http.route(
        "/payment/invoicera/braintree/pay/<int:tx_id>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        website=True,
        sitemap=False,
    )
    def invoicera_braintree_pay(self, tx_id, access_token=None, client_token=None, **_kwargs):
        tx = self._transaction(tx_id, access_token)
        if tx.state != "draft":
            return request.redirect(self._return_url(tx))
        gateway = tx.provider_id._invoicera_gateway()
        error = False
        try:
            client_token = client_token or gateway.client_token(tx)
        except ValidationError as exc:
            error = exc.args[0] if exc.args else str(exc)
        dropin = {
            "src": DROPIN_JS,
            "data-braintree-dropin-authorization": client_token or "",
            "data-locale": request.env.lang or "en_US",
        }
        if tx.payment_method_code == "paypal":
            dropin.update(
                {
                    "data-payment-option-priority": "paypal,card",
                    "data-paypal.flow": "vault" if tx.tokenize else "checkout",
                    "data-paypal.amount": gateway.amount_string(tx.amount, tx.currency_id),
                    "data-paypal.currency": tx.currency_id.name,
                }
            )
        return request.render(
            "invoicera_gateways.braintree_dropin_page",
            {
                "tx": tx,
                "dropin": dropin,
                "error": error,
                "access_token": access_token,
                "charge_url": f"/payment/invoicera/braintree/charge/{tx.id}",
            },
        )

    @http.route(
        "/payment/invoicera/braintree/charge/<int:tx_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        sitemap=False,
    )
    def invoicera_braintree_charge(
        self, tx_id, access_token=None, payment_method_nonce=None, device_data=None, **_kwargs
    ):
        tx = self._transaction(tx_id, access_token)
        # One charge per transaction, even when the form is submitted twice.
        request.env.cr.execute(
            "SELECT 1 FROM payment_transaction WHERE id = %s FOR UPDATE", [tx.id]
        )
        tx.invalidate_recordset()
        if tx.state == "draft" and payment_method_nonce:
            gateway = tx.provider_id._invoicera_gateway()
            try:
                event = gateway.charge_nonce(tx, payment_method_nonce, device_data)
            except GatewayUnavailable:
                event = None  # the return route asks Braintree what happened
            except ValidationError as exc:
                event = None
                tx._set_error(exc.args[0] if exc.args else str(exc))
            if event:
                tx._invoicera_apply_event(event)
        return request.redirect(self._return_url(tx))

    @http.route(
        "/payment/invoicera/braintree/webhook/<int:provider_id>",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def invoicera_braintree_webhook_check(self, provider_id, bt_challenge=None, **_kwargs):
        """Braintree checks a webhook URL with a GET challenge; notifications
        themselves are POSTed to the same URL and handled by the shared route."""
        provider = request.env["payment.provider"].sudo().browse(provider_id).exists()
        answer = (
            provider._invoicera_gateway().challenge_response(bt_challenge)
            if provider.code == "braintree"
            else None
        )
        if not answer:
            raise request.not_found()
        return request.make_response(answer, headers=[("Content-Type", "text/plain")])
