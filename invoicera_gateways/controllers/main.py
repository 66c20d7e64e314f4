import logging
from urllib.parse import urlencode

from odoo import http
from odoo.http import request

from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing

from ..gateways import GATEWAYS

_logger = logging.getLogger(__name__)


class InvoiceraGatewayController(http.Controller):
    """Return and webhook routes shared by every gateway.

    Each provider has its own URLs (``/payment/invoicera/<code>/<kind>/<id>``),
    shown on its form, so a notification is only ever checked against the
    secret of the provider it was sent to.
    """

    @http.route(
        "/payment/invoicera/<string:code>/webhook/<int:provider_id>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def invoicera_webhook(self, code, provider_id, **_kwargs):
        httprequest = request.httprequest
        # Odoo has already parsed a form-encoded body (Braintree's) into
        # parameters: rebuild it, its signature is over its fields.
        body = (
            httprequest.get_data() or urlencode(list(httprequest.form.items(multi=True))).encode()
        )
        status, text = (
            request.env["invoicera.gateway.event"]
            .sudo()
            ._invoicera_receive(
                code,
                provider_id,
                httprequest.headers,
                body,
                query=httprequest.args.to_dict(),
            )
        )
        return request.make_json_response({"result": text}, status=status)

    @http.route(
        "/payment/invoicera/<string:code>/return/<int:provider_id>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,
        save_session=False,
    )
    def invoicera_return(self, code, provider_id, **data):
        provider = request.env["payment.provider"].sudo().browse(provider_id).exists()
        if code in GATEWAYS and provider and provider.code == code:
            gateway = provider._invoicera_gateway()
            reference = gateway.parse_return(data)
            tx = (
                request.env["payment.transaction"]
                .sudo()
                .search(
                    [
                        ("provider_id", "=", provider.id),
                        "|",
                        ("reference", "=", reference),
                        ("provider_reference", "=", reference),
                    ],
                    limit=1,
                )
                if reference
                else None
            )
            # the client took the hosted page's way out, having paid nothing
            unpaid = gateway.left_unpaid(data)
            if tx and tx.state == "draft":
                # What the gateway's API answers is authoritative; the query
                # string of a return is not, whoever sends it.
                event = tx._invoicera_read_status()
                # the gateway answered that nothing was paid (yet): the client
                # left its page (its cancel link) unpaid
                unpaid = unpaid or bool(event and event.status == "ignore")
                monitored = request.session.get(PaymentPostProcessing.MONITORED_TX_ID_KEY)
                if tx.state == "draft" and monitored == tx.id and not unpaid:
                    # The client who paid is back: show the payment as being
                    # processed until the signed webhook confirms it. Not when the
                    # gateway says nothing was paid: pending, the invoice would
                    # offer no payment any more (as Odoo's), for a payment that no
                    # webhook will ever confirm.
                    tx._set_pending()
        return request.redirect("/payment/status")
