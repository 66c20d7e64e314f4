"""Paystack: a refund made in Paystack's dashboard of one of our payments is reported
once as refunded outside Odoo (under Problems and on the invoice), as the other
gateways do.

Paystack's refund webhooks (https://paystack.com/docs/payments/refunds/#listen-to-notifications)
name the refunded transaction (``transaction_reference``), the amount and the
currency, but neither the refund's id nor its ``merchant_note``: List Refunds
(https://paystack.com/docs/api/refund/#list) tells Odoo's refunds (our refund
reference as ``merchant_note``) from the dashboard's.
"""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from . import test_gateway_paystack
from .test_gateway_paystack import REFUND_FAILED, REFUND_LISTED, REFUND_PENDING, REFUND_PROCESSED


@tagged("post_install", "-at_install")
class TestPaystackDashboardRefunds(test_gateway_paystack.TestPaystack):
    # Only the tests below: the inherited ones run in test_gateway_paystack.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_paystack.TestPaystack) if n.startswith("test_")), None
        )
    )

    def listed(self, tx, refund_id, amount, status="processed", note=None):
        """A refund of ``tx`` as List Refunds shows it; made in the dashboard unless
        ``note`` (the merchant_note) says otherwise."""
        return dict(
            REFUND_LISTED,
            id=refund_id,
            amount=amount,
            status=status,
            merchant_note=note
            or f"Refund for transaction {tx.provider_reference} by jen@smith.com",
            transaction_reference=tx.provider_reference,
        )

    def serve_refunds(self, *refunds):
        self.api.routes[("GET", r"/refund$")] = (
            200,
            {"status": True, "message": "Refunds retrieved", "data": [REFUND_LISTED, *refunds]},
        )

    def test_refund_made_in_the_dashboard_is_reported_once(self):
        tx = self.paid_tx()
        dashboard = self.listed(tx, 747681, 30000, status="pending")
        self.serve_refunds(dashboard)
        pending = self.refund_webhook(REFUND_PENDING, tx, 30000)
        self.assertEqual(self.deliver(pending)[0], 200)
        self.assertFalse(self.problems(), "reported once Paystack has processed it")
        dashboard["status"] = "processed"
        processed = self.refund_webhook(REFUND_PROCESSED, tx, 30000)
        self.assertEqual(
            self.deliver(processed),
            (200, "outside"),
            "a refund made in Paystack's dashboard is reported as refunded outside Odoo",
        )
        self.assertEqual(self.api.last("/refund$")["params"]["transaction"], tx.provider_reference)
        problem = self.problems()
        self.assertEqual((len(problem), problem.state, problem.transaction_id), (1, "outside", tx))
        self.assertIn(
            f"Paystack refunded 300.00 NGN of {tx.reference} outside Odoo", problem.message
        )
        self.assertIn(problem.message, self.invoice.message_ids[:1].body)
        self.assertFalse(tx.child_transaction_ids, "no refund is made up in Odoo")
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.deliver(processed), (200, "duplicate"))
        self.assertEqual(len(self.problems()), 1)
        # The Refund button no longer offers what was refunded in the dashboard.
        posts = len([call for call in self.api.calls if call["method"] == "POST"])
        with self.assertRaises(ValidationError) as caught:
            tx.action_refund(amount_to_refund=1000)
        self.assertIn("934.50", str(caught.exception))
        self.assertEqual(len([c for c in self.api.calls if c["method"] == "POST"]), posts)

    def test_dashboard_refund_failed_afterwards_is_refundable_again(self):
        tx = self.paid_tx()
        dashboard = self.listed(tx, 747682, 30000)
        self.serve_refunds(dashboard)
        self.assertEqual(
            self.deliver(self.refund_webhook(REFUND_PROCESSED, tx, 30000)), (200, "outside")
        )
        self.assertEqual(tx._invoicera_refunded_outside(), 300)
        dashboard["status"] = "failed"
        failed = self.refund_webhook(REFUND_FAILED, tx, 30000)
        self.assertEqual(self.deliver(failed), (200, "outside"))
        self.assertIn("failed", self.problems()[0].message)
        self.assertEqual(tx._invoicera_refunded_outside(), 0)

    def test_two_dashboard_refunds_of_the_same_amount_are_each_reported(self):
        tx = self.paid_tx()
        self.serve_refunds(self.listed(tx, 747683, 5000), self.listed(tx, 747684, 5000))
        for processor_reference in ("132013318360", "132013318361"):
            body = self.refund_webhook(
                REFUND_PROCESSED, tx, 5000, refund_reference=processor_reference
            )
            self.assertEqual(self.deliver(body), (200, "outside"))
        self.assertEqual(
            sorted(self.problems().mapped("reference")), ["747683", "747684"], "each refund once"
        )
        self.assertEqual(tx._invoicera_refunded_outside(), 100)

    def test_odoos_own_refund_not_committed_yet_is_sent_again(self):
        tx = self.paid_tx()
        self.serve_refunds(self.listed(tx, 3018299, 1000, note=f"R-{tx.reference}"))
        body = self.refund_webhook(REFUND_PROCESSED, tx, 1000)
        self.assertEqual(self.deliver(body), (409, "unknown transaction"))
        self.assertFalse(self.events())

    def test_late_webhook_of_odoos_finished_refund_is_not_reported(self):
        tx = self.paid_tx()
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(
            self.deliver(self.refund_webhook(REFUND_PROCESSED, tx, 1000)), (200, "processed")
        )
        self.assertEqual(refund.state, "done")
        self.serve_refunds(self.listed(tx, 3018284, 1000, note=refund.reference))
        late = self.refund_webhook(REFUND_PROCESSED, tx, 1000, refund_reference="132013318399")
        answer = self.deliver(late)
        self.assertEqual(answer[0], 200)
        self.assertNotEqual(answer[1], "outside")
        self.assertFalse(self.problems(), "Odoo's own refund is not reported as made outside")
        self.assertEqual((tx.child_transaction_ids, refund.state), (refund, "done"))

    def test_refund_of_a_payment_not_ours_is_ignored_without_a_lookup(self):
        tx = self.paid_tx()
        self.serve_refunds()
        calls = len(self.api.calls)
        other = self.refund_webhook(REFUND_PROCESSED, tx, 5000)
        other = other.replace(tx.provider_reference.encode(), b"T2154954_412829_3be32076_6lcg3")
        self.assertEqual(self.deliver(other), (200, "ignored"))
        self.assertEqual(len(self.api.calls), calls)
        self.assertFalse(self.problems())
