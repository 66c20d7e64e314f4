from datetime import timedelta
from unittest.mock import patch

from odoo.tests import tagged

from .common import InvoiceraPortalCase


@tagged("post_install", "-at_install")
class TestStatementReconciliations(InvoiceraPortalCase):
    """A statement reads what it shows, not the client's whole history."""

    def pay(self, invoices, days_ago):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create({"payment_date": self.today - timedelta(days=days_ago)})
            ._create_payments()
        )

    def test_a_statement_reads_no_reconciliation_that_changes_nothing(self):
        """A client with years of invoices paid in their own currency: its statement
        of the month reads none of those reconciliations (each one read made the
        statement slower as the client's history grew); it shows the same."""
        old = self.make_invoices(self.client_a, [(100 + n, -400 + n) for n in range(12)])
        for invoice in old:
            self.pay(invoice, 390 - old.ids.index(invoice.id))
        recent = self.make_invoices(self.client_a, [(250, 10)])
        self.pay(recent, 0)
        Partial = type(self.env["account.partial.reconcile"])
        fetch_query = Partial._fetch_query
        read = self.env["account.partial.reconcile"]

        def spy(records, query, fields):
            nonlocal read
            fetched = fetch_query(records, query, fields)
            read |= fetched
            return fetched

        self.env.invalidate_all()
        with patch.object(Partial, "_fetch_query", spy):
            statement = self.client_a._invoicera_statement(
                self.today - timedelta(days=30), self.today
            )
        self.assertEqual(
            [(s["currency"].name, s["opening"], len(s["rows"]), s["closing"]) for s in statement],
            [("USD", 0.0, 2, 0.0)],
        )
        self.assertFalse(
            read & (old | recent).line_ids.matched_credit_ids,
            f"the statement read {len(read)} reconciliations that change nothing in it",
        )

    def test_a_refund_paid_to_the_client_falls_due_on_no_day(self):
        """A credit note refunded to the client by a payment: the payment's row
        shows what was paid out, not a due date as an invoice's row does."""
        invoice = self.make_invoices(self.client_a, [(80, 10)])
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_line_ids": [self.consulting_line(30)],
            }
        )
        credit_note.action_post()
        refund = self.pay(credit_note, 0)
        rows = self.client_a._invoicera_statement(self.today - timedelta(days=30), self.today)[0][
            "rows"
        ]
        due = {row["reference"]: (row["debit"], row["due"]) for row in rows}
        self.assertEqual(due[refund.move_id.name], (30.0, False))
        self.assertEqual(due[invoice.name], (80.0, invoice.invoice_date_due))
        self.assertEqual(due[credit_note.name], (0.0, False))
