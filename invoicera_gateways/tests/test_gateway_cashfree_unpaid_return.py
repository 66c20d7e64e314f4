"""Cashfree: a client back from the checkout without having tried to pay can pay again."""

from odoo.tests import HttpCase, tagged

from . import test_gateway_cashfree


@tagged("post_install", "-at_install")
class TestGatewayCashfreeUnpaidReturn(test_gateway_cashfree.TestCashfree, HttpCase):
    # Only the tests below: the inherited ones run in test_gateway_cashfree.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_cashfree.TestCashfree) if n.startswith("test_")), None
        )
    )

    def test_client_back_without_any_attempt_can_pay_again(self):
        """The client closes Cashfree's checkout before trying any payment method:
        the order has no payment. The transaction stays a draft, so that the invoice
        offers to pay it again; pending, it was offered no more, and no webhook would
        ever end it (Cashfree sends one per payment attempt)."""
        tx = self.make_tx()
        # v2023-08-01 "Get Payments for an Order" of an order nobody tried to pay
        self.api.routes[("GET", r"/pg/orders/[^/]+/payments$")] = (200, [])
        response = self.return_as_the_payer(tx)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.api.last("/payments$"), "Cashfree was asked")
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "draft")

    def attempt(self, tx, cf_payment_id, status, time):
        """A payment entity of "Get Payments for an Order" (v2023-08-01)."""
        return {
            "cf_payment_id": cf_payment_id,
            "order_id": tx.reference,
            "entity": "payment",
            "payment_currency": "INR",
            "order_amount": 1234.5,
            "is_captured": False,
            "payment_group": "upi",
            "payment_amount": 1234.5,
            "payment_time": time,
            "payment_status": status,
            "payment_message": "",
        }

    def test_client_back_from_attempts_that_never_reached_the_bank_can_pay_again(self):
        """Payment Lifecycle: NOT_ATTEMPTED is the status of an attempt created and not
        acknowledged by the bank (PENDING: sent to the bank). The client who leaves it
        has paid nothing: the transaction stays a draft and the invoice offers to pay
        it again. Should the attempt end later, its webhook still applies."""
        tx = self.make_tx()
        self.api.routes[("GET", r"/pg/orders/[^/]+/payments$")] = (
            200,
            [
                self.attempt(tx, "12376131", "NOT_ATTEMPTED", "2023-08-11T18:03:10+05:30"),
                self.attempt(tx, "12376132", "NOT_ATTEMPTED", "2023-08-11T18:04:10+05:30"),
            ],
        )
        self.assertEqual(self.return_as_the_payer(tx).status_code, 200)
        self.assertTrue(self.api.last("/payments$"), "Cashfree was asked")
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "draft")
        self.assertTrue(self.invoice._has_to_be_paid())

    def test_attempt_not_reaching_the_bank_after_a_dropped_one_is_no_payment_under_way(self):
        """A dropped attempt, then one the client left before the bank was asked: the
        order's outcome is the dropped attempt's (as its webhook says), not a payment
        under way that would keep the invoice from being paid again."""
        tx = self.make_tx()
        self.api.routes[("GET", r"/pg/orders/[^/]+/payments$")] = (
            200,
            [
                self.attempt(tx, "12376133", "USER_DROPPED", "2023-08-11T18:03:10+05:30"),
                self.attempt(tx, "12376134", "NOT_ATTEMPTED", "2023-08-11T18:04:10+05:30"),
            ],
        )
        self.assertEqual(self.return_as_the_payer(tx).status_code, 200)
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "error")
        self.assertTrue(self.invoice._has_to_be_paid())
