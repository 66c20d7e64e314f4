"""A refund answered with something that is not the gateway's API: a clear error, no traceback."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from . import test_gateway_btcpay


@tagged("post_install", "-at_install")
class TestUnreadableRefundAnswer(test_gateway_btcpay.TestBTCPay):
    # Only the tests below: the inherited ones run in test_gateway_btcpay.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_btcpay.TestBTCPay) if n.startswith("test_")), None
        )
    )

    def test_refund_answered_with_a_web_page_says_what_to_check(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = test_gateway_btcpay.INVOICE
        # The Server URL now points at a web site (a login page...): HTTP 200, HTML.
        page = "<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>"
        self.api.routes = dict.fromkeys(self.refund_routes(tx), (200, page))
        with self.assertRaises(ValidationError) as caught:
            tx.action_refund(amount_to_refund=10)
        message = str(caught.exception)
        self.assertIn("BTCPay Server", message)
        self.assertIn("server URL", message)
        self.assertFalse(tx.child_transaction_ids, "a failed refund leaves no refund transaction")
