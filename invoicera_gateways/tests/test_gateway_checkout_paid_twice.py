"""A transaction paid twice at the gateway (a second payment object confirming a
transaction already paid by another: e.g. the client paid again in another tab) is
reported for staff to refund one, not taken silently as a redelivery."""

import json

from odoo.tests import tagged

from . import test_gateway_checkout


@tagged("post_install", "-at_install")
class TestGatewayCheckoutPaidTwice(test_gateway_checkout.TestCheckoutCom):
    # Only the tests below: the inherited ones run in test_gateway_checkout.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_checkout.TestCheckoutCom) if n.startswith("test_")),
            None,
        )
    )

    def approved(self, tx, payment_id, event_id):
        # https://www.checkout.com/docs/developer-resources/webhooks (payment_approved)
        event = dict(
            test_gateway_checkout.PAYMENT_APPROVED,
            id=event_id,
            type=test_gateway_checkout.EVENT_TYPES["done"],
        )
        # the transaction's amount (the invoice's residual changes once it is paid)
        event["data"] = self.payment(tx, amount=self.minor(tx.amount), payment_id=payment_id)
        return json.dumps(event).encode()

    def test_second_payment_of_a_paid_transaction_is_a_conflict(self):
        tx = self.make_tx()
        first = self.approved(tx, "pay_first00000000000000000000", "evt_first")
        self.assertEqual(self.deliver(first), (200, "processed"))
        self.assertEqual(
            (tx.state, tx.provider_reference), ("done", "pay_first00000000000000000000")
        )
        second = self.approved(tx, "pay_second0000000000000000000", "evt_second")
        self.assertEqual(self.deliver(second), (200, "conflict"), "the client paid twice")
        self.assertEqual(tx.provider_reference, "pay_first00000000000000000000")
        problem = self.problems()
        self.assertEqual(len(problem), 1)
        self.assertIn("pay_second0000000000000000000", problem.message)
        self.assertIn(problem.message, self.invoice.message_ids[:1].body)
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1, "one payment recorded in Odoo")
        # the first payment's redelivery is no conflict
        again = self.approved(tx, "pay_first00000000000000000000", "evt_first_again")
        self.assertEqual(self.deliver(again), (200, "processed"))
        self.assertEqual(len(self.problems()), 1)
