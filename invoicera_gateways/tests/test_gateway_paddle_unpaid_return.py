"""Paddle: a transaction ready to be paid is not a payment under way; a client who
closes the checkout without paying can pay again."""

import copy

from odoo.tests import HttpCase, tagged

from . import test_gateway_paddle


@tagged("post_install", "-at_install")
class TestGatewayPaddleUnpaidReturn(test_gateway_paddle.TestPaddle, HttpCase):
    # Only the tests below: the inherited ones run in test_gateway_paddle.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_paddle.TestPaddle) if n.startswith("test_")), None
        )
    )

    def serve_transaction(self, tx, status, payments=()):
        """``GET /transactions/{id}`` answers the transaction of ``tx`` in ``status``."""
        data = self.transaction(tx, "pending")
        data.update(status=status, payments=[copy.deepcopy(p) for p in payments])
        tx.provider_reference = test_gateway_paddle.TXN_ID
        self.api.routes[("GET", rf"/transactions/{test_gateway_paddle.TXN_ID}$")] = (
            200,
            {"data": data, "meta": {}},
        )

    def test_transaction_ready_webhook_changes_nothing(self):
        """transaction.ready: the client typed their email and country at the checkout,
        so the transaction has all it needs to be paid; nothing is paid yet."""
        tx = self.make_tx()
        self.assertEqual(self.deliver(self.notification(tx, "pending")), (200, "ignored"))
        self.assertEqual(tx.state, "draft")
        self.assertFalse(self.problems())

    def test_draft_or_ready_transaction_is_nothing_paid_unless_a_payment_is_under_way(self):
        tx = self.make_tx()
        gateway = self.gateway()
        # draft: details missing; ready: all there. Neither says anything was paid,
        # nor does a payment attempt that failed (the client may try another card).
        for status, payments in (
            ("draft", []),
            ("ready", []),
            ("ready", [test_gateway_paddle.FAILED_PAYMENT]),
        ):
            self.serve_transaction(tx, status, payments)
            self.assertEqual(gateway.fetch_status(tx).status, "ignore", (status, payments))
        # A payment attempt awaiting the bank's answer (pending_no_action_required) or
        # authorized, not captured yet: the transaction is still ready, and paid
        # without the client, who must not be offered to pay again.
        for attempt in ("pending_no_action_required", "authorized", "authorized_flagged"):
            payment = dict(test_gateway_paddle.FAILED_PAYMENT, status=attempt, error_code=None)
            self.serve_transaction(tx, "ready", [test_gateway_paddle.FAILED_PAYMENT, payment])
            self.assertEqual(gateway.fetch_status(tx).status, "pending", attempt)

    def test_client_who_closes_the_checkout_can_pay_again(self):
        """The client closes Paddle's checkout (checkout.closed sends them back) after
        typing their details: the transaction is ready, unpaid. It stays a draft, so
        that the invoice offers to pay it again; pending, it was offered no more, and
        no webhook would ever end it."""
        tx = self.make_tx()
        self.serve_transaction(tx, "ready")
        response = self.return_as_the_payer(tx)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.api.last(rf"/transactions/{test_gateway_paddle.TXN_ID}$"))
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "draft")
