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
