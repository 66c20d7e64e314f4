"""BTCPay Server: an invoice paid after it expired holds the client's money, which
Odoo must not drop silently."""

import json
from datetime import timedelta

from odoo.tests import tagged

from . import test_gateway_btcpay
from .test_gateway_btcpay import INVOICE


@tagged("post_install", "-at_install")
class TestGatewayBTCPayPaidLate(test_gateway_btcpay.TestBTCPay):
    # Only the tests below: the inherited ones run in test_gateway_btcpay.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_btcpay.TestBTCPay) if n.startswith("test_")), None
        )
    )

    def paid_late(self, tx, event_id="evt_late", extra="PaidLate"):
        """InvoiceReceivedPayment of a payment made after the invoice expired: BTCPay
        keeps the invoice Expired and marks it PaidLate once its payments cover it
        (PaidPartial while they do not)."""
        self.serve_invoice(self.invoice_data(tx, "cancel") | {"additionalStatus": extra})
        event = self.event(
            event_id,
            "InvoiceReceivedPayment",
            invoiceId=INVOICE,
            afterExpiration=True,
            paymentMethod="BTC-CHAIN",
            payment={
                "id": "71f8d2c7a5e3b1f9e0d6c4b2a8f7e5d3c1b9a7f6e4d2c0b8a6f4e2d0c8b6a4f2-0",
                "receivedDate": 1592313018,
                "value": "0.0251",
                "fee": "0.0000141",
                "status": "Processing",
                "destination": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh",
            },
        )
        return json.dumps(event).encode()

    def test_payment_after_the_invoice_expired_is_a_conflict_to_act_on(self):
        tx = self.make_tx()
        # The invoice expired unpaid: the transaction is cancelled and the invoice
        # offers to pay again.
        self.assertEqual(self.deliver(self.notification(tx, "cancel")), (200, "processed"))
        self.assertEqual(tx.state, "cancel")
        messages = self.invoice.message_ids
        # Then the client's wallet pays it in full: BTCPay holds the money.
        self.assertEqual(self.deliver(self.paid_late(tx)), (200, "conflict"))
        self.assertEqual(tx.state, "cancel", "Odoo never reopens a cancelled payment")
        problem = self.problems()
        self.assertEqual((len(problem), problem.state, problem.transaction_id), (1, "conflict", tx))
        self.assertIn("mark it settled in BTCPay Server", problem.message)
        posted = self.invoice.message_ids - messages
        self.assertEqual(len(posted), 1, "staff are told on the invoice")
        self.assertIn("mark it settled in BTCPay Server", posted.body)

    def test_payment_after_expiry_not_yet_reported_is_under_way_until_settled(self):
        # The InvoiceExpired webhook did not arrive first: the invoice is paid in full,
        # late, its payment maybe not confirmed (BTCPay marks it PaidLate at once):
        # under way, not paid, until staff mark it settled in BTCPay Server, which
        # they are told to do.
        tx = self.make_tx()
        messages = self.invoice.message_ids
        self.assertEqual(self.deliver(self.paid_late(tx)), (200, "held"))
        self.assertEqual(tx.state, "pending")
        problem = self.problems()
        self.assertEqual((len(problem), problem.state, problem.transaction_id), (1, "held", tx))
        self.assertIn("mark it settled in BTCPay Server", problem.message)
        self.assertEqual(problem.provider_code, "btcpay", "its Gateway column")
        posted = (self.invoice.message_ids - messages).filtered(
            lambda message: "BTCPay Server holds money paid for" in message.body
        )
        self.assertEqual(len(posted), 1, "staff are told on the invoice")
        # asked about while it stays pending: told once, not at each question
        calls = len(self.api.calls)
        self.ask_pending(tx, pending_for=timedelta(hours=1))
        self.ask_pending(tx, pending_for=timedelta(hours=2), next_turn=True)
        self.assertEqual(len(self.api.calls), calls + 2, "BTCPay was asked twice")
        posted = (self.invoice.message_ids - messages).filtered(
            lambda message: "BTCPay Server holds money paid for" in message.body
        )
        self.assertEqual(len(posted), 1)
        self.assertEqual(len(self.problems()), 1, "listed once under Problems")
        self.assertEqual(tx.state, "pending")
        self.assertFalse(self.payments(tx))
        self.serve_invoice(self.invoice_data(tx, "done") | {"additionalStatus": "Marked"})
        marked = self.event("evt_marked", "InvoiceSettled", invoiceId=INVOICE)
        answer = self.deliver(json.dumps(marked).encode())
        self.assertEqual(answer, (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_money_held_found_by_asking_is_listed_under_problems(self):
        # no notification arrived (lost): the cron asking BTCPay finds the invoice
        # paid late, and lists it as a notification would, once
        tx = self.make_tx(provider_reference=INVOICE)
        tx._set_pending()
        self.serve_invoice(self.invoice_data(tx, "cancel") | {"additionalStatus": "PaidLate"})
        self.ask_pending(tx, pending_for=timedelta(hours=1))
        self.ask_pending(tx, next_turn=True)
        problem = self.problems()
        self.assertEqual((len(problem), problem.state, problem.transaction_id), (1, "held", tx))
        self.assertIn("mark it settled in BTCPay Server", problem.message)
        self.assertEqual(problem.provider_code, "btcpay")
        self.assertEqual(tx.state, "pending")

    def test_partial_payment_after_the_invoice_expired_is_a_conflict_to_act_on(self):
        tx = self.make_tx()
        self.assertEqual(self.deliver(self.notification(tx, "cancel")), (200, "processed"))
        self.assertEqual(tx.state, "cancel")
        messages = self.invoice.message_ids
        # Then the client's wallet pays part of it: BTCPay holds that money, which
        # pays nothing in Odoo.
        body = self.paid_late(tx, extra="PaidPartial")
        self.assertEqual(self.deliver(body), (200, "conflict"))
        self.assertEqual(tx.state, "cancel")
        self.assertFalse(self.payments(tx))
        problem = self.problems()
        self.assertEqual((len(problem), problem.state, problem.transaction_id), (1, "conflict", tx))
        self.assertIn("settle it or refund the client from BTCPay Server", problem.message)
        posted = self.invoice.message_ids - messages
        self.assertEqual(len(posted), 1, "staff are told on the invoice")
        self.assertIn("settle it or refund the client from BTCPay Server", posted.body)
        self.assertEqual(self.deliver(body), (200, "duplicate"))

    def test_late_failure_of_a_cancelled_payment_holding_no_money_is_no_problem(self):
        # An invoice that expired unpaid and is then marked invalid holds no money of
        # the client's: nothing for staff to do.
        tx = self.make_tx()
        self.deliver(self.notification(tx, "cancel"))
        self.assertEqual(tx.state, "cancel")
        answer = self.deliver(self.notification(tx, "error", event_id="evt_invalid"))
        self.assertEqual(answer, (200, "ignored"))
        self.assertFalse(self.problems())
