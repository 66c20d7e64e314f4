"""Paddle: a payment attempt's failure delivered after the transaction completed."""

from odoo.tests import tagged

from . import test_gateway_paddle


@tagged("post_install", "-at_install")
class TestGatewayPaddleOutOfOrder(test_gateway_paddle.TestPaddle):
    # Only the tests below: the inherited ones run in test_gateway_paddle.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_paddle.TestPaddle) if n.startswith("test_")), None
        )
    )

    def test_late_payment_failed_does_not_contradict_the_completed_payment(self):
        tx = self.make_tx()
        # The client's first card was declined, the second paid; Paddle delivers
        # webhooks in no guaranteed order: transaction.payment_failed comes last.
        self.assertEqual(
            self.deliver(self.notification(tx, "done", event_id="completed")),
            (200, "processed"),
        )
        self.assertEqual(tx.state, "done")
        messages = self.invoice.message_ids
        self.assertEqual(self.deliver(self.notification(tx, "error", event_id="failed"))[0], 200)
        self.assertEqual(tx.state, "done")
        self.assertFalse(self.problems(), "a declined attempt before the payment is no problem")
        self.assertEqual(self.invoice.message_ids, messages, "nothing to reverse on the invoice")
