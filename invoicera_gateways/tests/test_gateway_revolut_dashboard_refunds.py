"""Revolut: a refund made in Revolut's dashboard of one of our payments is reported.

A refund is an order of its own (``type: refund``, linked to the payment's order by
``related_order_id``), and Revolut notifies it like any order: "Refunds are processed
asynchronously [...] Monitor the refund order - via webhooks or Retrieve an order"
(https://developer.revolut.com/docs/api/merchant/2026-09-22/operations/refund-order.md).
"""

import copy
import json

from odoo.tests import tagged

from . import test_gateway_revolut


@tagged("post_install", "-at_install")
class TestGatewayRevolutDashboardRefunds(test_gateway_revolut.TestRevolut):
    # Only the tests below: the inherited ones run in test_gateway_revolut.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_revolut.TestRevolut) if n.startswith("test_")), None
        )
    )

    def dashboard_refund(self, tx, state="completed", refund_id="6852ea10-dash-0001"):
        """The ORDER_COMPLETED webhook of a refund order made in the dashboard, and the
        refund order Retrieve an order answers (Res-Refund-Min, completed): it carries
        no reference of Odoo's."""
        refund = copy.deepcopy(test_gateway_revolut.REFUND_ORDER)
        refund.update(
            id=refund_id,
            state=state,
            amount=1200,
            currency="GBP",
            related_order_id=tx.provider_reference,
        )
        self.api.routes[("GET", rf"/api/orders/{refund_id}$")] = (200, refund)
        event = "ORDER_COMPLETED" if state == "completed" else "ORDER_AUTHORISED"
        return json.dumps(
            {"event": event, "order_id": refund_id, "merchant_order_ext_ref": tx.reference}
        ).encode()

    def test_refund_made_in_the_dashboard_is_reported_once(self):
        tx = self.make_tx()
        self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        body = self.dashboard_refund(tx)
        self.assertEqual(self.deliver(body), (200, "outside"))
        problem = self.problems()
        self.assertEqual((len(problem), problem.state, problem.transaction_id), (1, "outside", tx))
        self.assertIn(f"Revolut refunded 12.00 GBP of {tx.reference} outside Odoo", problem.message)
        self.assertIn(problem.message, self.invoice.message_ids[:1].body)
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.problems()), 1)

    def test_refund_not_completed_yet_is_not_reported(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        self.assertEqual(self.deliver(self.dashboard_refund(tx, "processing"))[0], 200)
        self.assertFalse(self.problems(), "reported once Revolut completes it")
        self.assertEqual(tx.state, "done")

    def test_odoos_own_refund_not_committed_yet_is_retried_not_reported(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        body = self.dashboard_refund(tx, refund_id="6852ea10-own-0002")
        refund = self.api.routes[("GET", r"/api/orders/6852ea10-own-0002$")][1]
        refund["merchant_order_data"] = {"reference": f"R-{tx.reference}"}
        self.assertEqual(self.deliver(body), (409, "unknown transaction"))
        self.assertFalse(self.problems())
