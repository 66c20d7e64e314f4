"""GoCardless: a client who leaves the hosted flow without paying can pay again."""

from urllib.parse import urlsplit

import odoo
from odoo.tests import HttpCase, tagged

from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing

from . import test_gateway_gocardless


@tagged("post_install", "-at_install")
class TestGatewayGoCardlessExit(test_gateway_gocardless.TestGoCardless, HttpCase):
    # Only the tests below: the inherited ones run in test_gateway_gocardless.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_gocardless.TestGoCardless) if n.startswith("test_")),
            None,
        )
    )

    def follow_as_the_payer(self, tx, url):
        """The paying client (the session monitoring ``tx``) is sent to ``url``."""
        session = self.authenticate(None, None)
        session[PaymentPostProcessing.MONITORED_TX_ID_KEY] = tx.id
        odoo.http.root.session_store.save(session)
        parts = urlsplit(url)
        return self.url_open(f"{parts.path}?{parts.query}")

    def test_client_who_exits_the_flow_can_pay_again(self):
        """The client leaves GoCardless's flow (its exit link): no mandate, no
        payment, no webhook will ever end the billing request. The transaction
        stays a draft, so that the invoice offers to pay it again; pending (as
        after a completed flow), it was offered no more, for good."""
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        flow = self.api.last("billing_request_flows")["json"]["billing_request_flows"]
        self.assertNotEqual(flow["exit_uri"], flow["redirect_uri"])
        self.assertEqual(self.follow_as_the_payer(tx, flow["exit_uri"]).status_code, 200)
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "draft")
        # back from a completed flow: processing, until the webhook confirms it
        self.follow_as_the_payer(tx, flow["redirect_uri"])
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "pending")
