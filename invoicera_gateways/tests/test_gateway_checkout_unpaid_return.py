"""Checkout.com: a client who cancels on the Hosted Payments Page can pay again."""

from urllib.parse import urlencode

import odoo.http
from odoo.tests import HttpCase, tagged

from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing

from . import test_gateway_checkout


@tagged("post_install", "-at_install")
class TestGatewayCheckoutUnpaidReturn(test_gateway_checkout.TestCheckoutCom, HttpCase):
    # Only the tests below: the inherited ones run in test_gateway_checkout.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_checkout.TestCheckoutCom) if n.startswith("test_")),
            None,
        )
    )

    def return_as_the_payer(self, tx):
        """The paying client (the session monitoring ``tx``) comes back from the page."""
        session = self.authenticate(None, None)
        session[PaymentPostProcessing.MONITORED_TX_ID_KEY] = tx.id
        odoo.http.root.session_store.save(session)
        query = urlencode({"reference": tx.reference})
        return self.url_open(f"/payment/invoicera/checkout/return/{self.provider.id}?{query}")

    def test_client_back_from_a_cancelled_hosted_page_can_pay_again(self):
        """The client cancels on the Hosted Payments Page, which sends them to our
        cancel_url: no payment carries the reference. The transaction stays a draft,
        so that the invoice offers to pay it again; pending, it was offered no more,
        and no webhook would ever end it (there is no payment to notify about)."""
        tx = self.make_tx()
        # GET /payments?reference=: the payment list of the reference, empty
        self.api.routes[("GET", r"/payments$")] = (
            200,
            {"limit": 1, "skip": 0, "total_count": 0, "data": []},
        )
        response = self.return_as_the_payer(tx)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.api.last("/payments$")["params"]["reference"], tx.reference)
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "draft")
