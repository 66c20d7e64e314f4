from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestCostDates(CostSourcesCase):
    """Costs priced on the day of the cost; costs in days in the audit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the client buys in euros: 0.5 euro a dollar until April, 0.8 since
        cls.client.property_product_pricelist = cls.eur_pricelist
        cls.paper = cls.dozen_product()

    def test_expense_at_sales_price_converted_on_its_day(self):
        """Paper sold 10 dollars, expensed on March 9: re-billed 5 euros (March's
        rate), not 8 euros (today's rate)."""
        expense = self.approved_expense(
            10, product_id=self.paper.id, quantity=1, date=date(2026, 3, 9)
        )
        self.assertRecordValues(
            self.item_of(expense), [{"currency_id": self.eur.id, "price_unit": 5.0}]
        )

    def test_vendor_cost_at_sales_price_converted_on_its_day(self):
        """Paper bought on a bill of March 12, re-billed at its sales price, 10
        dollars: 5 euros a unit (March's rate), not 8 (today's)."""
        bill = self.vendor_bill(16, product=self.paper)
        self.assertRecordValues(
            self.item_of(bill.invoice_line_ids),
            [{"currency_id": self.eur.id, "price_unit": 5.0, "amount": 10.0}],
        )

    def test_vendor_cost_priced_by_the_pricelist_rule_of_its_day(self):
        """The pricelist sells paper 4 euros in March only: paper of a March bill
        is re-billed 4 euros, also when re-priced after March."""
        self.eur_pricelist.item_ids = [
            Command.create(
                {
                    "applied_on": "0_product_variant",
                    "product_id": self.paper.id,
                    "compute_price": "fixed",
                    "fixed_price": 4.0,
                    "date_start": "2026-03-01 00:00:00",
                    "date_end": "2026-03-31 23:59:59",
                }
            )
        ]
        bill = self.vendor_bill(16, product=self.paper)
        self.project.invoicera_cost_markup = 5
        self.assertEqual(self.item_of(bill.invoice_line_ids).price_unit, 4.0)

    def test_material_priced_on_the_day_it_was_delivered(self):
        """A router sold 150 dollars, delivered on March 10: 75 euros (March's
        rate), also once re-priced after March (the project's markup changed)."""
        with freeze_time("2026-03-10 12:00:00"):
            picking = self.deliver_to_project(1)
        item = self.item_of(picking.move_ids)
        self.assertEqual(item.price_unit, 75.0)
        self.project.invoicera_cost_markup = 5
        self.assertRecordValues(item, [{"currency_id": self.eur.id, "price_unit": 75.0}])

    def test_time_and_days_expensed_the_same_day_add_up_in_the_audit(self):
        """Alice logs 6 hours on March 9 and expenses half a day of a subcontracted
        consultant (4 hours) the same day: 10 hours, over the company's 8. The
        audit flags both, audited together as alone."""
        self.company.invoicera_audit_max_daily_hours = 8
        self.company.invoicera_audit_max_age_days = 0
        day = self.env.ref("uom.product_uom_day")
        consultant = self.env["product.product"].create(
            {
                "name": "Consultant day",
                "type": "service",
                "can_be_expensed": True,
                "expense_policy": "cost",
                "uom_id": day.id,
                "uom_po_id": day.id,
                "standard_price": 400,
                "supplier_taxes_id": False,
            }
        )
        expense = self.approved_expense(
            200, product_id=consultant.id, quantity=0.5, date=date(2026, 3, 9)
        )
        expense_item = self.item_of(expense)
        self.assertEqual(expense_item.uom_id, day)
        time_item = self.item_of(self.log_time(self.alice, 6, day="2026-03-09"))
        items = expense_item | time_item
        self.Item._audit(items)
        for item in items:
            self.assertIn("10.0 h", item.audit_warning or "", item.source)
        self.Item._audit(time_item)
        self.assertIn("10.0 h", time_item.audit_warning or "", "audited alone")
        # her time on an internal project (not billed) counts as much
        internal = self.env["project.project"].create({"name": "Internal"})
        self.log_time(self.alice, 6, day="2026-03-09", project=internal)
        self.Item._audit(expense_item)
        self.assertIn("16.0 h", expense_item.audit_warning or "", "the expense audited alone")
