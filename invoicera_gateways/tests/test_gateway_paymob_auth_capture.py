"""Paymob: a payment on an auth/capture integration is confirmed by its capture.

https://docs.paymob.com/docs/auth-capture-payments: an auth transaction
(``is_auth``), then, when the merchant captures it (Paymob's dashboard or API), a
capture transaction of the same order (``is_capture``, ``has_parent_transaction``).
The authorization leaves the transaction pending (Odoo captures nothing through
these providers, which it therefore refuses to hold as authorized).
https://docs.paymob.com/docs/void-transaction: voiding a transaction sends the
callback of that (parent) transaction again with ``is_voided``.
"""

import json

from odoo.tests import tagged

from . import test_gateway_paymob


@tagged("post_install", "-at_install")
class TestGatewayPaymobAuthCapture(test_gateway_paymob.TestPaymob):
    # Only the tests below: the inherited ones run in test_gateway_paymob.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_paymob.TestPaymob) if n.startswith("test_")), None
        )
    )

    def auth_callback(self, tx, **values):
        obj = self.transaction(tx, "done", event_id="evt_auth")
        obj.update(is_auth=True, **values)
        return obj

    def capture_callback(self, tx, status="done", event_id="evt_capture", **values):
        obj = self.transaction(tx, status, event_id=event_id)
        obj.update(
            is_auth=False,
            is_capture=True,
            is_voided=False,
            is_standalone_payment=False,
            has_parent_transaction=True,
            parent_transaction=self.auth_callback(tx)["id"],
            **values,
        )
        return obj

    def body(self, obj):
        return json.dumps({"type": "TRANSACTION", "obj": obj}).encode()

    def test_capture_of_an_authorization_confirms_the_payment(self):
        tx = self.make_tx()
        self.assertEqual(self.deliver(self.body(self.auth_callback(tx))), (200, "processed"))
        self.assertEqual(tx.state, "pending")
        capture = self.capture_callback(tx)
        self.assertEqual(self.deliver(self.body(capture)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.deliver(self.body(capture)), (200, "duplicate"))
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        # The captured money is refunded on the capture transaction.
        self.assertEqual(
            self.gateway_class(self.provider).paid_transaction_id(tx), str(capture["id"])
        )

    def test_refund_of_a_captured_payment_names_the_capture(self):
        tx = self.make_tx()
        self.deliver(self.body(self.auth_callback(tx)))
        capture = self.capture_callback(tx)
        self.deliver(self.body(capture))
        self.api.routes.update(self.refund_answers(tx, capture))
        tx.action_refund(amount_to_refund=10)
        sent = self.api.last("void_refund")["json"]
        self.assertEqual(sent, {"transaction_id": capture["id"], "amount_cents": 1000})
        self.assertEqual(tx.child_transaction_ids.state, "done")

    def test_capture_arriving_before_the_authorization_confirms_the_payment(self):
        tx = self.make_tx()
        self.assertEqual(self.deliver(self.body(self.capture_callback(tx))), (200, "processed"))
        self.assertEqual(tx.state, "done")
        late = self.deliver(self.body(self.auth_callback(tx)))
        self.assertEqual(late, (200, "ignored"))
        self.assertEqual(tx.state, "done")
        self.assertFalse(self.problems())

    def test_failed_capture_leaves_the_authorization(self):
        tx = self.make_tx()
        self.deliver(self.body(self.auth_callback(tx)))
        for status in ("pending", "error"):
            failed = self.capture_callback(tx, status, event_id=f"evt_capture_{status}")
            self.assertEqual(self.deliver(self.body(failed)), (200, "ignored"), status)
            self.assertEqual(tx.state, "pending", status)
        # captured again, successfully
        self.assertEqual(self.deliver(self.body(self.capture_callback(tx))), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_void_of_an_authorization_cancels_the_payment(self):
        tx = self.make_tx()
        self.deliver(self.body(self.auth_callback(tx)))
        self.assertEqual(tx.state, "pending")
        # The void transaction's own callback is not the payment's outcome...
        void = self.transaction(tx, "done", event_id="evt_void")
        void.update(is_void=True, has_parent_transaction=True, is_standalone_payment=False)
        self.assertEqual(self.deliver(self.body(void)), (200, "ignored"))
        self.assertEqual(tx.state, "pending")
        # ...the authorization's callback, sent again with is_voided, is.
        voided = self.auth_callback(tx, is_voided=True)
        self.assertEqual(self.deliver(self.body(voided)), (200, "processed"))
        self.assertEqual(tx.state, "cancel")
