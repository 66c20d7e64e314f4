from datetime import date

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestInvoiceSalesperson(InvoiceraTimesheetCase):
    """The invoices of billed work name the client's salesperson and their sales
    team, as Odoo's sale flow does (the order's salesperson is the client's),
    not whoever ran the billing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="review4_account_manager", groups="sales_team.group_sale_salesman"
        )
        cls.team = cls.env["crm.team"].create(
            {"name": "Key Accounts", "member_ids": [Command.set(cls.salesman.ids)]}
        )

    def test_invoice_names_the_clients_salesperson_and_team(self):
        self.client.user_id = self.salesman
        line = self.log_time(self.alice, 3)
        # billed by a billing clerk, not the salesperson
        items = self.item_of(line).with_user(self.billing_user)
        invoice = items._invoice(self.company, date(2026, 3, 31), post=True)
        self.assertEqual(invoice.invoice_user_id, self.salesman)
        self.assertEqual(invoice.team_id, self.team)

    def test_salesperson_of_the_company_for_a_contact(self):
        self.client.user_id = self.salesman
        contact = self.env["res.partner"].create(
            {"name": "Jane Buyer", "parent_id": self.client.id, "type": "invoice"}
        )
        self.assertEqual(contact.user_id, self.salesman, "synced from the company")
        contact.user_id = False
        self.log_time(self.alice, 3)
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.partner_id, contact, "the client's invoice address")
        self.assertEqual(invoice.invoice_user_id, self.salesman)

    def test_no_salesperson_keeps_the_user(self):
        self.log_time(self.alice, 3)
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.invoice_user_id, self.env.user)
