"""Revolut: a client who leaves the checkout before paying can pay again."""

import copy

from odoo.tests import HttpCase, tagged

from . import test_gateway_revolut


@tagged("post_install", "-at_install")
class TestGatewayRevolutUnpaidReturn(test_gateway_revolut.TestRevolut, HttpCase):
    # Only the tests below: the inherited ones run in test_gateway_revolut.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_revolut.TestRevolut) if n.startswith("test_")), None
        )
    )

    def serve_order(self, tx, state, payments=()):
        """``GET /api/orders/{order_id}`` answers the order of ``tx`` in ``state``."""
        order = copy.deepcopy(test_gateway_revolut.ORDER_CREATED)
        order.update(
            id=self.order_id(tx),
            state=state,
            amount=self.minor(),
            outstanding_amount=self.minor(),
            currency=tx.currency_id.name,
            merchant_order_data={"reference": tx.reference},
        )
        if payments:
            order["payments"] = list(payments)
        tx.provider_reference = order["id"]
        self.api.routes[("GET", rf"/api/orders/{order['id']}$")] = (200, order)
        return order

    def test_order_still_pending_is_nothing_paid(self):
        tx = self.make_tx()
        # Revolut's order lifecycle: "pending" from its creation until the client
        # presses Pay, which starts a payment and makes it "processing".
        self.serve_order(tx, "pending")
        self.assertEqual(self.gateway().fetch_status(tx).status, "ignore")
        payment = copy.deepcopy(test_gateway_revolut.ORDER_COMPLETED["payments"][0])
        payment.update(state="authorisation_started", amount=self.minor())
        self.serve_order(tx, "processing", [payment])
        self.assertEqual(self.gateway().fetch_status(tx).status, "pending")

    def test_client_back_from_an_unpaid_checkout_can_pay_again(self):
        """The client leaves Revolut's checkout (or closes the widget) without pressing
        Pay: the order is still pending. The transaction stays a draft, so that the
        invoice offers to pay it again; pending, it was offered no more, and no webhook
        would ever end it (Revolut notifies payments and order outcomes)."""
        tx = self.make_tx()
        self.serve_order(tx, "pending")
        response = self.return_as_the_payer(tx)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.api.last(f"/api/orders/{self.order_id(tx)}$"), "Revolut was asked")
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "draft")

    def test_declined_payment_webhook_of_a_pending_order_still_fails_the_attempt(self):
        # After a declined payment the order is pending again, open for another
        # attempt: the webhook says the attempt failed (unchanged).
        tx = self.make_tx()
        self.assertEqual(self.deliver(self.notification(tx, "error")), (200, "processed"))
        self.assertEqual(tx.state, "error")
