"""The Refund offered on payments made through a gateway takes off what the gateway
reported as refunded outside Odoo, read for all the payments at once."""

from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from . import test_gateway_square


@tagged("post_install", "-at_install")
class TestPaymentRefundAvailableBatch(test_gateway_square.TestSquare):
    # Only the tests below: the inherited ones run in test_gateway_square.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_square.TestSquare) if n.startswith("test_")), None
        )
    )

    def refunded_in_the_dashboard(self, tx, refund_id, minor):
        refund = dict(
            test_gateway_square.REFUND["refund"],
            id=refund_id,
            payment_id=f"sq-{tx.reference}",
            amount_money={"amount": minor, "currency": "USD"},
            status="COMPLETED",
        )
        answer = self.deliver(self.refund_event(refund, event_id=f"evt-{refund_id}"))
        self.assertEqual(answer, (200, "outside"))

    def test_refund_offered_on_several_payments_is_read_at_once(self):
        txs = self.make_tx(reference="BATCH-1") + self.make_tx(
            reference="BATCH-2", invoice_ids=[Command.clear()]
        )
        untouched = self.make_tx(reference="BATCH-3", invoice_ids=[Command.clear()])
        for tx in txs + untouched:
            self.assertEqual(self.deliver(self.notification(tx, event_id=tx.reference))[0], 200)
        (txs + untouched)._post_process()
        self.refunded_in_the_dashboard(txs[0], "dashboard-300", 30000)
        self.refunded_in_the_dashboard(txs[1], "dashboard-100", 10000)
        self.refunded_in_the_dashboard(txs[1], "dashboard-25", 2500)
        payments = self.payments(txs[0]) + self.payments(txs[1]) + self.payments(untouched)
        self.assertEqual(len(payments), 3)
        self.env.flush_all()
        self.env.invalidate_all()
        payments = payments.browse(payments.ids)

        execute = type(self.env.cr).execute
        queries = []

        def spy(cr, query, params=None, log_exceptions=True):
            queries.append(query.code if isinstance(query, SQL) else query)
            return execute(cr, query, params, log_exceptions)

        with patch.object(type(self.env.cr), "execute", spy):
            available = payments.mapped("amount_available_for_refund")
        self.assertEqual(
            available,
            [934.5, 1109.5, 1234.5],
            "each payment's Refund offers what its gateway did not refund outside Odoo",
        )
        reads = [query for query in queries if "invoicera_gateway_event" in query]
        self.assertEqual(
            len(reads),
            1,
            "the refunds made outside Odoo of all the payments are read in one query",
        )
