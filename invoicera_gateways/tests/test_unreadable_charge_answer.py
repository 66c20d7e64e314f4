"""A charge of a saved payment method answered with something that is not the
gateway's API (e.g. a web page at a wrong server URL): a clear error, as for a
checkout or a refund, never a traceback for the client paying with a saved
card, nor a crash of the automatic payment of an invoice."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from . import test_gateway_square

PAGE = "<!DOCTYPE html><html><body><h1>Sign in</h1></body></html>"


@tagged("post_install", "-at_install")
class TestUnreadableChargeAnswer(test_gateway_square.TestSquare):
    # Only the tests below: the inherited ones run in test_gateway_square.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_square.TestSquare) if n.startswith("test_")), None
        )
    )

    def test_saved_card_charge_answered_with_a_web_page_says_what_to_check(self):
        token = self._create_token(provider_ref="ccof:saved", invoicera_customer_ref="CUS1")
        tx = self.make_tx(token_id=token.id, operation="online_token", reference="TOK-UNREAD")
        self.api.routes = {("POST", r"/v2/payments$"): (200, PAGE)}
        with (
            self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"),
            self.assertRaises(ValidationError) as caught,
        ):
            tx._send_payment_request()
        message = str(caught.exception)
        self.assertIn("Square", message)
        self.assertIn("server URL", message)
        self.assertIn(tx.reference, message)
        # autopay says "not confirmed", not "refused"
        self.assertTrue(getattr(caught.exception, "invoicera_outcome_unknown", False))
        self.assertNotEqual(tx.state, "done")
        tx._post_process()
        self.assertFalse(self.payments(tx))
