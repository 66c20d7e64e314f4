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

    def test_a_contact_joining_a_company_brings_its_unbilled_work(self):
        """Jane Doe, billed on her own for a project, joins Acme: her unbilled
        work is Acme's, invoiced on Acme's invoice (it stayed Jane's, on an
        invoice of its own); leaving, it is hers again. Invoiced work stays
        where it was billed."""
        jane = self.env["res.partner"].create({"name": "Jane Doe"})
        project = self.client_project("Jane's shop", self.company, client=jane)
        billed = self.log_time(self.alice, 1, project=project)
        billed_item = self.item_of(billed)
        billed_item._invoice(self.company, date(2026, 3, 31))
        line = self.log_time(self.alice, 2, project=project)
        self.log_time(self.bob, 1)
        self.assertEqual(self.item_of(line).partner_id, jane)

        jane.parent_id = self.client
        self.assertEqual(self.item_of(line).partner_id, self.client)
        self.assertEqual(billed_item.partner_id, jane)
        run = self.env["invoicera.billing.run"].create(
            {"invoice_date": date(2026, 3, 31), "partner_ids": [(6, 0, self.client.ids)]}
        )
        run.action_start()
        self.assertEqual(run.invoice_ids.partner_id, self.client)
        self.assertEqual(run.invoice_ids.amount_untaxed, 2 * 90 + 60)

        later = self.log_time(self.alice, 3, day="2026-03-20", project=project)
        self.assertEqual(self.item_of(later).partner_id, self.client)
        jane.parent_id = False
        self.assertEqual(self.item_of(later).partner_id, jane)
        self.assertEqual(self.item_of(line).partner_id, self.client, "invoiced by Acme")
