"""The return route when the gateway answers something that is not its API."""

from unittest.mock import patch

import odoo.http
from odoo.tests import tagged

from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing

from ..gateways.base import Gateway
from . import test_base_routes
from .common import FakeGatewayAPI


@tagged("post_install", "-at_install")
class TestReturnRouteUnreadableAnswer(test_base_routes.TestGatewayRoutes):
    # Only the tests below: the inherited ones run in test_base_routes.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_base_routes.TestGatewayRoutes) if n.startswith("test_")), None
        )
    )

    def test_return_with_an_unreadable_answer_shows_the_status_page(self):
        # The server URL points at a web site: HTTP 200 with a web page, no "data".
        page = "<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>"
        api = FakeGatewayAPI({("GET", r"/transaction/verify/ROUTE-TEST-1$"): (200, page)})
        url = f"/payment/invoicera/paystack/return/{self.provider.id}?reference={self.tx.reference}"
        with patch.object(Gateway, "_send", side_effect=api):
            response = self.url_open(url, allow_redirects=False)
        self.assertTrue(api.calls)
        self.assertEqual(response.status_code, 303, "no server error for the client")
        self.assertTrue(response.headers["Location"].endswith("/payment/status"))
        self.tx.invalidate_recordset()
        self.assertEqual(self.tx.state, "draft")
        # The client whose payment it is comes back: shown as being processed, as when
        # the gateway cannot be reached; the signed webhook decides.
        session = self.authenticate(None, None)
        session[PaymentPostProcessing.MONITORED_TX_ID_KEY] = self.tx.id
        odoo.http.root.session_store.save(session)
        with patch.object(Gateway, "_send", side_effect=api):
            response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.tx.invalidate_recordset()
        self.assertEqual(self.tx.state, "pending")
