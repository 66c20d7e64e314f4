from datetime import date

from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingRunContact(InvoiceraTimesheetCase):
    def test_a_contact_chosen_in_the_run_bills_its_client(self):
        """Choosing "Acme Analytics, John Doe" (the person the office deals
        with) among the run's clients invoices Acme's work; before, the run
        said there was nothing to invoice."""
        john = self.env["res.partner"].create({"name": "John Doe", "parent_id": self.client.id})
        self.log_time(self.alice, 2)
        run = self.env["invoicera.billing.run"].create(
            {"invoice_date": date(2026, 3, 31), "partner_ids": [(6, 0, john.ids)]}
        )
        run.action_start()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.client_ids, self.client)
        self.assertEqual(run.invoice_ids.partner_id, self.client)
        self.assertEqual(run.invoice_ids.amount_untaxed, 180)
