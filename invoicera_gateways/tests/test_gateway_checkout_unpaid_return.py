"""Checkout.com: a client who cancels on the Hosted Payments Page can pay again."""

from odoo.tests import HttpCase, tagged

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
