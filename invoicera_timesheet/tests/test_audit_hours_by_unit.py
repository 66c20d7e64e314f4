from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAuditHoursByUnit(InvoiceraTimesheetCase):
    """The audit's hours of a day count working time only, in hours."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.day = cls.env.ref("uom.product_uom_day")
        cls.on_site = cls.env["product.product"].create(
            {
                "name": "On-site day",
                "type": "service",
                "can_be_expensed": True,
                "expense_policy": "cost",
                "standard_price": 100,
                "uom_id": cls.day.id,
                "uom_po_id": cls.day.id,
                "supplier_taxes_id": False,
            }
        )
        cls.tickets = cls.env["product.product"].create(
            {
                "name": "Metro tickets",
                "type": "service",
                "can_be_expensed": True,
                "expense_policy": "cost",
                "standard_price": 2,
                "supplier_taxes_id": False,
            }
        )

    def approved_expense(self, product, quantity):
        expense = self.env["hr.expense"].create(
            {
                "name": product.name,
                "employee_id": self.alice.id,
                "product_id": product.id,
                "quantity": quantity,
                "date": date(2026, 3, 10),
                "payment_mode": "own_account",
                "analytic_distribution": {str(self.project.account_id.id): 100},
            }
        )
        sheet = self.env["hr.expense.sheet"].create(
            {
                "name": "March",
                "employee_id": self.alice.id,
                "expense_line_ids": [Command.set(expense.ids)],
            }
        )
        sheet.action_submit_sheet()
        sheet.action_approve_expense_sheets()
        return self.item_of(expense)

    def audit(self):
        items = self.Item.search([("partner_id", "=", self.client.id)])
        return {item: item.audit_warning for item in self.Item._audit(items)}

    def test_days_count_their_hours(self):
        """Two on-site days of Alice are 16 hours, more than 12; before, the
        audit counted them as 2 hours and flagged nothing."""
        days = self.approved_expense(self.on_site, 2)
        self.assertEqual((days.worked_quantity, days.uom_id), (2, self.day))
        self.assertEqual(
            self.audit(), {days: "Alice Dev has 16.0 h on 03/10/2026 (more than 12.0 h)."}
        )

    def test_other_units_are_no_hours(self):
        """20 metro tickets are no 20 hours of work: nothing flagged."""
        self.approved_expense(self.on_site, 1)
        tickets = self.approved_expense(self.tickets, 20)
        self.assertEqual(tickets.worked_quantity, 20)
        self.assertEqual(self.audit(), {})
