"""Cashfree: the failure of an earlier attempt at paying an order, delivered after
another attempt paid it, is no problem of the payment."""

from odoo.tests import tagged

from . import test_gateway_cashfree


@tagged("post_install", "-at_install")
class TestGatewayCashfreeLateAttempts(test_gateway_cashfree.TestCashfree):
    # Only the tests below: the inherited ones run in test_gateway_cashfree.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_cashfree.TestCashfree) if n.startswith("test_")), None
        )
    )

    def assert_late_attempts_ignored(self, tx):
        """The drop and the failure of attempts other than the one that paid ``tx``
        (each its own cf_payment_id) arrive last: ignored, nothing to reverse."""
        messages = self.invoice.message_ids
        for status, attempt in (("cancel", "attempt_1"), ("error", "attempt_0")):
            answer = self.deliver(self.notification(tx, status, event_id=attempt))
            self.assertEqual(answer, (200, "ignored"), attempt)
            self.assertEqual(tx.state, "done", attempt)
        self.assertFalse(self.problems(), "an earlier attempt's failure is no problem")
        self.assertEqual(self.invoice.message_ids, messages, "nothing to reverse on the invoice")

    def test_late_failure_of_an_earlier_attempt_does_not_contradict_the_payment(self):
        tx = self.make_tx()
        # The client dropped a first attempt (3-D Secure page left) and a second card
        # failed, then a third attempt paid the order; Cashfree's webhooks of the
        # first two arrive after its PAYMENT_SUCCESS_WEBHOOK.
        paid = self.deliver(self.notification(tx, "done", event_id="attempt_2"))
        self.assertEqual(paid, (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assert_late_attempts_ignored(tx)

    def test_late_failure_after_a_payment_read_on_return_does_not_contradict_it(self):
        tx = self.make_tx()
        # The client came back first: the payment was confirmed from the payments of
        # the order (GET /orders/{order_id}/payments), before any webhook.
        success = {
            "cf_payment_id": "12376124",
            "order_id": tx.reference,
            "entity": "payment",
            "payment_currency": "INR",
            "order_amount": 1234.5,
            "payment_amount": 1234.5,
            "payment_group": "upi",
            "payment_status": "SUCCESS",
        }
        self.api.routes[("GET", r"/pg/orders/[^/]+/payments$")] = (200, [success])
        tx._invoicera_apply_event(self.gateway_class(self.provider).fetch_status(tx))
        self.assertEqual(tx.state, "done")
        self.assert_late_attempts_ignored(tx)

    def test_failure_of_the_attempt_that_paid_is_still_a_conflict(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "done", event_id="attempt_2"))
        # Cashfree documents SUCCESS as final: a failure of the very attempt that
        # paid (same cf_payment_id) contradicts the payment, for staff to check.
        answer = self.deliver(self.notification(tx, "error", event_id="attempt_2"))
        self.assertEqual(answer, (200, "conflict"))
        self.assertEqual(len(self.problems()), 1)
        self.assertEqual(tx.state, "done")
