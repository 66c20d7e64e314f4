"""GoCardless: a refund from Odoo after a refund made in GoCardless' dashboard.

Create a refund (https://developer.gocardless.com/api-reference/#refunds-create-a-refund)
takes ``total_amount_confirmation``: "the sum of the existing refunds plus the amount
of the refund being created", refused with ``total_amount_confirmation_invalid``
otherwise. A refund made in the dashboard, reported to Odoo as refunded outside Odoo,
is one of the payment's existing refunds: Odoo's refund of what is left goes through.
"""

from odoo.tests import tagged

from . import test_gateway_gocardless
from .test_gateway_gocardless import REFUND, copy


@tagged("post_install", "-at_install")
class TestGoCardlessRefundAfterOutsideRefund(test_gateway_gocardless.TestGoCardless):
    # Only the tests below: the inherited ones run in test_gateway_gocardless.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_gocardless.TestGoCardless) if n.startswith("test_")),
            None,
        )
    )

    def gocardless_refunds(self, refunded):
        """Create a refund as GoCardless answers it, ``refunded`` (minor units) being
        what the payment's existing refunds total at GoCardless."""

        def answer(method, url, kwargs):
            values = kwargs["json"]["refunds"]
            if values["total_amount_confirmation"] != refunded[0] + values["amount"]:
                return 422, {
                    "error": {
                        "message": "Total amount confirmation invalid",
                        "type": "invalid_state",
                        "code": 422,
                        "errors": [
                            {
                                "reason": "total_amount_confirmation_invalid",
                                "message": "Total amount confirmation invalid",
                            }
                        ],
                    }
                }
            refunded[0] += values["amount"]
            return 201, {"refunds": dict(copy(REFUND["refunds"]), amount=values["amount"])}

        return answer

    def test_refund_after_a_dashboard_refund_goes_through(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        self.assertEqual(tx.state, "done")
        dashboard = copy(REFUND["refunds"])
        dashboard.update(
            id="RF-dashboard",
            amount=30000,
            status="paid",
            links={"mandate": "MD123", "payment": tx.provider_reference},
        )
        paid = self.refund_event(dashboard, "paid", "EV-dashboard-refund-paid")
        self.assertEqual(self.deliver(paid), (200, "outside"))
        refunded = [30000]  # at GoCardless: the dashboard's refund
        self.api.routes[("POST", r"/refunds$")] = self.gocardless_refunds(refunded)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(len(refund), 1, "GoCardless accepted the refund")
        self.assertEqual((refund.amount, refund.state), (-10, "pending"))
        self.assertEqual(refunded, [31000])
