"""A gateway address answering a web page instead of the API: a clear error, no traceback."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from . import test_gateway_btcpay


@tagged("post_install", "-at_install")
class TestUnreadableCheckoutAnswer(test_gateway_btcpay.TestBTCPay):
    # Only the tests below: the inherited ones run in test_gateway_btcpay.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_btcpay.TestBTCPay) if n.startswith("test_")), None
        )
    )

    def test_checkout_answered_with_a_web_page_says_what_to_check(self):
        tx = self.make_tx()
        # The Server URL typed by the merchant points at a web site (a login page, the
        # shop's home page...): HTTP 200, HTML, not BTCPay's Greenfield API.
        page = "<!DOCTYPE html><html><body><h1>Welcome</h1></body></html>"
        self.api.routes = dict.fromkeys(self.checkout_routes(tx), (200, page))
        with self.assertRaises(ValidationError) as caught:
            tx._get_processing_values()
        message = str(caught.exception)
        self.assertIn("BTCPay Server", message)
        self.assertIn("server URL", message)
        self.assertEqual(tx.state, "draft")
