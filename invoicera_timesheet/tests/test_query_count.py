import difflib
from datetime import date

from odoo.tests import tagged

from .common import InvoiceraTimesheetCase

#: queries to lock, check, create, link and post one invoice (18.0 core, measured),
#: the savepoint making ``_invoice`` all or nothing included
INVOICE_QUERY_BUDGET = 104


@tagged("post_install", "-at_install")
class TestInvoiceQueryCount(InvoiceraTimesheetCase):
    """An invoice costs the same number of queries for 10 or 1,000 items."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.small = cls.env["res.partner"].create({"name": "Small Client", "is_company": True})
        cls.big = cls.env["res.partner"].create({"name": "Big Client", "is_company": True})
        cls.warm_up = cls.env["res.partner"].create({"name": "First Client", "is_company": True})
        for partner, count in ((cls.warm_up, 2), (cls.small, 10), (cls.big, 1000)):
            project = cls.env["project.project"].create(
                {
                    "name": f"Project of {partner.name}",
                    "partner_id": partner.id,
                    "allow_billable": True,
                }
            )
            cls.env["account.analytic.line"].create(
                [
                    {
                        "project_id": project.id,
                        "employee_id": cls.alice.id,
                        "unit_amount": 1,
                        "date": date(2026, 3, 1 + n % 28),
                        "name": f"Entry {n}",
                    }
                    for n in range(count)
                ]
            )

    def invoice_counting_queries(self, partner, day):
        """Invoice and post the items of ``partner`` on ``day``; the queries it made
        (their SQL without parameters, in order)."""
        items = self.Item.search(self.Item._billable_domain(self.company, day, partner))
        self.env.invalidate_all()
        self.env.flush_all()
        with self.assertQueryCount(INVOICE_QUERY_BUDGET), self.logged_queries() as queries:
            invoice = items._invoice(self.company, day, post=True)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoicera_item_count, len(items))
        self.assertEqual(len(invoice.invoice_line_ids), 1, "one line: one rate, one project")
        return queries

    def test_same_queries_for_10_and_1000_items(self):
        # The first invoice of the transaction fills caches: not counted. Each
        # invoice on a day of its own: posting one reads the journal's invoice of
        # the latest day before it to number it (Odoo), which is then the one
        # before, not either of two of the same day, as PostgreSQL picks them.
        self.invoice(self.warm_up, date(2026, 3, 29), post=True)
        small = self.invoice_counting_queries(self.small, date(2026, 3, 30))
        big = self.invoice_counting_queries(self.big, date(2026, 3, 31))
        # on a difference, which queries differ (the SQL, parameters aside)
        diff = "\n".join(difflib.unified_diff(small, big, "10 items", "1000 items", lineterm=""))
        self.assertEqual(
            len(small), len(big), f"10 items: {len(small)} queries, 1000 items: {len(big)}\n{diff}"
        )
