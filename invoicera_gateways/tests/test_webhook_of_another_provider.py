"""A notification about a transaction of another provider record on the same gateway
account (two companies sharing one account, or a test and a live record) is
acknowledged, as Odoo's payment_stripe does, rather than sent again for days."""

import json

from odoo.tests import tagged

from . import test_gateway_square


@tagged("post_install", "-at_install")
class TestWebhookOfAnotherProvider(test_gateway_square.TestSquare):
    # Only the tests below: the inherited ones run in test_gateway_square.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_square.TestSquare) if n.startswith("test_")), None
        )
    )

    def other_provider(self):
        return self.provider.copy({"name": "Square (other company)", "state": "test"})

    def test_payment_of_another_provider_is_acknowledged_not_retried(self):
        other = self.other_provider()
        tx = self.make_tx(provider_id=other.id, reference="SQ-OTHER-PROVIDER")
        answer = self.deliver(self.notification(tx))
        self.assertEqual(
            answer, (200, "other provider"), "the gateway would send it again for days"
        )
        self.assertEqual(tx.state, "draft", "not applied through another provider")
        self.assertFalse(self.problems())
        # delivered to its own provider's URL, it is applied there
        self.provider, own = other, self.provider
        try:
            self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        finally:
            self.provider = own
        self.assertEqual(tx.state, "done")

    def test_refund_of_a_payment_of_another_provider_is_acknowledged(self):
        other = self.other_provider()
        tx = self.make_tx(provider_id=other.id, reference="SQ-OTHER-REFUNDED")
        tx.provider_reference = f"sq-{tx.reference}"
        tx._set_done()
        refund = dict(
            test_gateway_square.REFUND["refund"],
            id="other-dashboard-refund",
            payment_id=tx.provider_reference,
            status="COMPLETED",
        )
        answer = self.deliver(self.refund_event(refund))
        self.assertEqual(answer, (200, "other provider"))
        self.assertFalse(self.problems(), "reported by its own provider only")

    def test_unknown_transaction_is_still_sent_again(self):
        # Maybe not committed yet: only a retry can tell.
        tx = self.make_tx(reference="SQ-NOT-COMMITTED")
        body = json.loads(self.notification(tx))
        body["data"]["object"]["payment"]["note"] = "SQ-NOWHERE"
        body["data"]["object"]["payment"]["id"] = "sq-nowhere"
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            answer = self.deliver(json.dumps(body).encode())
        self.assertEqual(answer, (409, "unknown transaction"))
        self.assertFalse(self.events())
