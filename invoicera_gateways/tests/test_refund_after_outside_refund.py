"""A refund made outside Odoo (reported as such) leaves the rest of the payment
refundable from Odoo, and no more: 1234.50 paid and 300.00 refunded in the gateway's
dashboard, Odoo refunds up to 934.50 and refuses more with a clear message."""

import json

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from . import test_gateway_paymob, test_gateway_square, test_gateway_zoho


def only_own_tests(cls):
    """The inherited tests run in the gateway's own file."""
    return dict.fromkeys((n for n in dir(cls) if n.startswith("test_")), None)


class RefundAfterOutsideMixin:
    def assert_too_much_is_refused(self, tx, amount, available):
        posts = len([call for call in self.api.calls if call["method"] == "POST"])
        with self.assertRaises(ValidationError) as caught:
            tx.action_refund(amount_to_refund=amount)
        message = str(caught.exception)
        self.assertIn("300.00", message, "the refund made outside Odoo is named")
        self.assertIn(available, message, "the user is told how much can still be refunded")
        self.assertIn("nothing was sent", message)
        self.assertEqual(
            len([call for call in self.api.calls if call["method"] == "POST"]),
            posts,
            "nothing is sent to the gateway",
        )


@tagged("post_install", "-at_install")
class TestZohoRefundAfterOutside(RefundAfterOutsideMixin, test_gateway_zoho.TestZohoPayments):
    locals().update(only_own_tests(test_gateway_zoho.TestZohoPayments))

    def test_refund_after_a_dashboard_refund(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        # https://www.zoho.com/in/payments/api/v1/webhooks/ refund.succeeded of a refund
        # made in Zoho Payments (no reference of Odoo's)
        body = self.refund_notification(tx, 1987000003854078, "1987000000725000", "", "300.00")
        self.assertEqual(self.deliver(body), (200, "outside"))
        self.api.routes.update(self.refund_routes(tx))
        # Retrieve Payment Details: the dashboard's refund, not Odoo's
        dashboard_refund = {
            "refund_id": "1987000000725000",
            "payment_id": tx.provider_reference,
            "amount": "300.00",
            "type": "initiated_by_merchant",
            "status": "succeeded",
        }
        self.api.routes[("GET", r"/api/v1/payments/[^/]+$")] = (
            200,
            self.payment_details(tx, amount_refunded="300.00", refunds=[dashboard_refund]),
        )
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(len(refund), 1)
        self.assertEqual(self.api.last("refunds")["json"]["amount"], "10.00")
        self.assertEqual(refund.state, "pending")
        self.api.routes[("GET", r"/api/v1/payments/[^/]+$")] = (
            200,
            self.payment_details(tx, amount_refunded="310.00", refunds=[dashboard_refund]),
        )
        self.assert_too_much_is_refused(tx, 925, "924.50")


@tagged("post_install", "-at_install")
class TestPaymobRefundAfterOutside(RefundAfterOutsideMixin, test_gateway_paymob.TestPaymob):
    locals().update(only_own_tests(test_gateway_paymob.TestPaymob))

    def test_refund_after_a_dashboard_refund(self):
        tx = self.make_tx()
        routes = self.refund_routes(tx)  # the payment's callback is delivered
        self.assertEqual(tx.state, "done")
        body = self.refund_callback(tx, 655900, amount=30000)
        self.assertEqual(self.deliver(body), (200, "outside"))
        self.api.routes.update(routes)
        # Retrieve A Transaction: the paid transaction shows the dashboard's refund
        paid = self.transaction(tx, event_id="evt_paid")
        self.api.routes[("GET", rf"/api/acceptance/transactions/{paid['id']}$")] = (
            200,
            dict(paid, is_refunded=True, refunded_amount_cents=30000),
        )
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(len(refund), 1)
        self.assertEqual(self.api.last("void_refund")["json"]["amount_cents"], 1000)
        self.assertEqual(refund.state, "done")
        self.api.routes[("GET", rf"/api/acceptance/transactions/{paid['id']}$")] = (
            200,
            dict(paid, is_refunded=True, refunded_amount_cents=31000),
        )
        self.assert_too_much_is_refused(tx, 925, "924.50")


@tagged("post_install", "-at_install")
class TestSquareRefundAfterOutside(RefundAfterOutsideMixin, test_gateway_square.TestSquare):
    locals().update(only_own_tests(test_gateway_square.TestSquare))

    def test_refund_after_a_dashboard_refund(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        refund = dict(
            test_gateway_square.REFUND["refund"],
            id="dashboard-refund-300",
            payment_id=f"sq-{tx.reference}",
            amount_money={"amount": 30000, "currency": "USD"},
            status="COMPLETED",
        )
        self.assertEqual(self.deliver(self.refund_event(refund)), (200, "outside"))
        self.api.routes.update(self.refund_routes(tx))
        self.assert_too_much_is_refused(tx, 935, "934.50")
        tx.action_refund(amount_to_refund=10)
        self.assertEqual(len(tx.child_transaction_ids), 1)
        self.assertEqual(self.api.last("refunds")["json"]["amount_money"]["amount"], 1000)

    def test_a_dashboard_refund_that_failed_afterwards_is_refundable_again(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        refund = dict(
            test_gateway_square.REFUND["refund"],
            id="dashboard-refund-failed",
            payment_id=f"sq-{tx.reference}",
            amount_money={"amount": 30000, "currency": "USD"},
            status="COMPLETED",
        )
        self.assertEqual(self.deliver(self.refund_event(refund, event_id="e-ok")), (200, "outside"))
        failed = self.refund_event(dict(refund, status="FAILED"), event_id="e-failed")
        self.assertEqual(self.deliver(failed), (200, "outside"))
        self.api.routes.update(self.refund_routes(tx))
        self.api.routes[("POST", r"/v2/refunds$")] = (
            200,
            {
                "refund": dict(
                    test_gateway_square.REFUND["refund"],
                    amount_money={"amount": 123450, "currency": "USD"},
                )
            },
        )
        tx.action_refund()  # the whole payment
        self.assertEqual(self.api.last("refunds")["json"]["amount_money"]["amount"], 123450)
        self.assertEqual(json.loads(json.dumps(tx.child_transaction_ids.amount)), -1234.5)

    def test_refund_wizard_offers_what_is_left(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        tx._post_process()
        payment = self.payments(tx)
        self.assertEqual(payment.amount_available_for_refund, 1234.5)
        refund = dict(
            test_gateway_square.REFUND["refund"],
            id="dashboard-refund-wizard",
            payment_id=f"sq-{tx.reference}",
            amount_money={"amount": 30000, "currency": "USD"},
            status="COMPLETED",
        )
        self.assertEqual(self.deliver(self.refund_event(refund)), (200, "outside"))
        payment.invalidate_recordset(["amount_available_for_refund"])
        self.assertEqual(
            payment.amount_available_for_refund, 934.5, "the payment's Refund offers what is left"
        )
        wizard = (
            self.env["payment.refund.wizard"]
            .with_context(active_model="account.payment", active_id=payment.id)
            .create({})
        )
        self.assertEqual(wizard.amount_to_refund, 934.5)
