import re
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestSourceCompanies(CostSourcesCase):
    """The costs a sister company records for a project are billed by the
    project's company, as the project's time is: Odoo lets a delivery of one
    company be made for a project of another (its Project field has no company
    rule), and a bill or an expense of one company go to the analytic account
    of another company's project when that account is shared (no company)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.europe = cls.euro_company(chart=True)
        cls.project.company_id = cls.company
        cls.europe_warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.europe.id)], limit=1
        )

    def in_both_companies(self):
        return self.env(
            context=dict(self.env.context, allowed_company_ids=[self.europe.id, self.company.id])
        )

    def deliver_from_europe(self, quantity):
        """A delivery of the European warehouse for the (dollar) project, validated
        by a user working in both companies."""
        stock = self.europe_warehouse.lot_stock_id
        return self.project_picking(
            self.europe_warehouse.out_type_id,
            self.client,
            stock,
            self.env.ref("stock.stock_location_customers"),
            quantity,
            env=self.in_both_companies(),
            stock=stock,
        )

    def test_delivery_of_a_sister_company_for_the_project(self):
        picking = self.deliver_from_europe(3)
        self.assertEqual(picking.state, "done", "validated (no 'incompatible companies')")
        self.assertRecordValues(
            self.item_of(picking.move_ids),
            [
                {
                    "company_id": self.company.id,
                    "project_id": self.project.id,
                    "quantity": 3,
                    "price_unit": 150,
                    "currency_id": self.usd.id,
                }
            ],
        )
        self.assertFalse(
            self.Item.search(self.Item._billable_domain(self.europe, partners=self.client)),
            "not on the sister company's Unbilled Work",
        )
        invoice = self.invoice(self.client, invoice_date=picking.move_ids.date.date())
        self.assertEqual(invoice.company_id, self.company)
        self.assertEqual(invoice.invoice_line_ids.quantity, 3)

    def test_delivery_of_a_product_of_the_sister_company(self):
        """The European warehouse delivers, for the (dollar) project, a product of
        the European company only: the delivery is validated (the item made for
        the project's company refused it: "incompatible companies"), and
        invoicing it from the project's company says why it cannot."""
        stock = self.europe_warehouse.lot_stock_id
        picking = self.project_picking(
            self.europe_warehouse.out_type_id,
            self.client,
            stock,
            self.env.ref("stock.stock_location_customers"),
            3,
            env=self.in_both_companies(),
            stock=stock,
            company_id=self.europe.id,
        )
        self.assertEqual(picking.state, "done")
        item = self.item_of(picking.move_ids)
        self.assertEqual(item.company_id, self.company)
        with self.assertRaisesRegex(
            UserError,
            re.escape(
                f"The product Router belongs to {self.europe.name}, not to "
                f"{self.company.name}, so these items cannot be invoiced:"
            ),
        ):
            self.invoice(self.client, invoice_date=picking.move_ids.date.date())
        self.assertEqual(item.state, "to_bill", "nothing invoiced")

    def test_delivery_follows_its_project_to_another_company(self):
        picking = self.deliver_from_europe(2)
        self.project.company_id = self.europe
        self.assertRecordValues(
            self.item_of(picking.move_ids),
            [{"company_id": self.europe.id, "quantity": 2, "currency_id": self.eur.id}],
        )

    def test_vendor_bill_of_a_sister_company_for_the_project(self):
        self.assertFalse(self.account.company_id, "an analytic account of every company")
        bill = self.vendor_bill(100, post=False, env=self.in_both_companies())
        self.assertEqual(bill.company_id, self.europe)
        bill.action_post()
        self.assertEqual(bill.state, "posted", "posted (no 'incompatible companies')")
        self.assertRecordValues(
            self.item_of(bill.invoice_line_ids),
            [
                {
                    "company_id": self.company.id,
                    "project_id": self.project.id,
                    "quantity": 2,
                    "price_unit": 55,  # 10% markup
                    "currency_id": self.eur.id,
                }
            ],
        )
        self.assertFalse(
            self.Item.search(self.Item._billable_domain(self.europe, partners=self.client)),
            "not on the sister company's Unbilled Work",
        )

    def test_expense_of_a_sister_company_employee_for_the_project(self):
        env = self.in_both_companies()
        employee = env["hr.employee"].create(
            {"name": "Émile", "company_id": self.europe.id, "work_email": "emile@example.com"}
        )
        expense = (
            env["hr.expense"]
            .with_company(self.europe)
            .create(
                {
                    "name": "Train to client",
                    "employee_id": employee.id,
                    "product_id": self.travel.id,
                    "total_amount_currency": 100,
                    "date": date(2026, 3, 9),
                    "payment_mode": "own_account",
                    "analytic_distribution": {str(self.account.id): 100},
                }
            )
        )
        self.assertEqual(expense.company_id, self.europe)
        sheet = (
            env["hr.expense.sheet"]
            .with_company(self.europe)
            .create(
                {
                    "name": "March",
                    "employee_id": employee.id,
                    "expense_line_ids": [Command.set(expense.ids)],
                }
            )
        )
        sheet.action_submit_sheet()
        sheet.action_approve_expense_sheets()
        self.assertEqual(sheet.state, "approve", "approved (no 'incompatible companies')")
        self.assertRecordValues(
            self.item_of(expense),
            [{"company_id": self.company.id, "project_id": self.project.id, "price_unit": 110}],
        )
