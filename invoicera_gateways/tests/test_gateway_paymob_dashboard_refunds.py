"""Paymob: a refund made in Paymob's dashboard of one of our payments is reported."""

import json

from odoo.tests import tagged

from . import test_gateway_paymob


@tagged("post_install", "-at_install")
class TestGatewayPaymobDashboardRefunds(test_gateway_paymob.TestPaymob):
    # Only the tests below: the inherited ones run in test_gateway_paymob.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_paymob.TestPaymob) if n.startswith("test_")), None
        )
    )

    def test_refund_made_in_the_dashboard_is_reported_once(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        self.assertEqual(tx.state, "done")
        # The TRANSACTION callback of a refund made in Paymob's dashboard: a refund
        # transaction of the paid order, which no refund transaction of Odoo's knows.
        body = self.refund_callback(tx, 655900, amount=1000)
        self.assertEqual(self.deliver(body), (200, "outside"))
        problem = self.problems()
        self.assertEqual((len(problem), problem.state, problem.transaction_id), (1, "outside", tx))
        self.assertIn(f"Paymob refunded 10.00 EGP of {tx.reference} outside Odoo", problem.message)
        self.assertIn(
            f"Paymob refunded 10.00 EGP of {tx.reference} outside Odoo",
            self.invoice.message_ids[:1].body,
        )
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.problems()), 1)

    def test_refund_callback_of_an_unpaid_order_changes_nothing(self):
        tx = self.make_tx()
        body = self.refund_callback(tx, 655901, amount=1000)
        self.assertEqual(self.deliver(body), (200, "ignored"))
        self.assertEqual(tx.state, "draft")
        self.assertFalse(self.problems())

    def test_payment_callback_marked_as_refund_is_not_reported(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        self.assertEqual(tx.state, "done")
        # The payment's own signed fields (the client sees their HMAC on its return),
        # with the unsigned is_refund added: no refund of Paymob's.
        obj = self.transaction(tx, event_id="evt_paid")
        obj["is_refund"] = True
        body = json.dumps({"type": "TRANSACTION", "obj": obj}).encode()
        self.assertEqual(self.deliver(body), (200, "ignored"))
        self.assertFalse(self.problems())
        self.assertEqual(tx.state, "done")

    def test_late_decline_of_an_earlier_attempt_does_not_contradict_the_payment(self):
        tx = self.make_tx()
        # The client's card was declined, then a second card paid the same order; the
        # decline's callback (another Paymob transaction of the order) arrives last.
        self.assertEqual(
            self.deliver(self.notification(tx, event_id="evt_paid")), (200, "processed")
        )
        self.assertEqual(tx.state, "done")
        messages = self.invoice.message_ids
        late = self.deliver(self.notification(tx, "error", event_id="evt_declined_first"))
        self.assertEqual(late[0], 200)
        self.assertEqual(tx.state, "done")
        self.assertFalse(self.problems(), "an earlier attempt's decline is no problem")
        self.assertEqual(self.invoice.message_ids, messages, "nothing to reverse on the invoice")

    def test_paid_transaction_failing_afterwards_is_still_a_conflict(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        obj = self.transaction(tx, "cancel", event_id="evt_paid")  # the paid one, voided
        body = json.dumps({"type": "TRANSACTION", "obj": obj}).encode()
        self.assertEqual(self.deliver(body), (200, "conflict"))
        self.assertEqual(len(self.problems()), 1)
