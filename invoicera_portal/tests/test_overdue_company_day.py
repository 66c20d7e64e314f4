from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import InvoiceraPortalCase


@tagged("post_install", "-at_install")
class TestOverdueCompanyDay(InvoiceraPortalCase):
    """A client's dashboard judges each company's invoices by that company's day."""

    def test_overdue_by_the_day_of_the_invoices_company(self):
        """The client deals with the current company (in UTC) and a sister company in
        Auckland (12 or 13 hours ahead). At 18:00 UTC it is already the next day in
        Auckland: an invoice of the sister company due today (UTC) is overdue there,
        as its promises judge it; one of the current company due today is not."""
        self.company.partner_id.tz = "UTC"
        self.make_invoices(self.client_a, [(100, 0)])
        sister_invoice = self.make_other_company_move(self.client_a, 70)
        sister_invoice.invoice_date_due = self.today
        sister_invoice.action_post()
        sister = sister_invoice.company_id
        sister.partner_id.tz = "Pacific/Auckland"
        client = self.client_a.with_context(allowed_company_ids=(self.company | sister).ids)
        with freeze_time(datetime.combine(self.today, time(18, 0))):
            dashboard = client._invoicera_dashboard()
        self.assertEqual(
            [(d["company"], d["overdue"], d["buckets"]["d1_30"]) for d in dashboard["currencies"]],
            [(self.company, 0.0, [0.0, 0]), (sister, 70.0, [70.0, 1])],
            "the sister company's invoice is overdue in Auckland",
        )
        self.assertEqual(dashboard["overdue_ids"], {sister_invoice.id})
        self.assertEqual(dashboard["today"], self.today, "the current company's day")
        # the day the promise form of the sister company's invoice starts from
        self.assertEqual(
            dashboard["invoice_days"][sister_invoice.id], self.today + timedelta(days=1)
        )
