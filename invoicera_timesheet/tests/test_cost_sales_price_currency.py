from datetime import date

from odoo import Command
from odoo.tests import tagged

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestCostSalesPriceCurrency(CostSourcesCase):
    """Costs re-billed at their sales price, in a company of another currency."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # with a chart of accounts (to book its vendor bills)
        cls.europe = cls.euro_company(chart=True)
        # its own rates: 1.25 dollars a euro (0.8 euro a dollar)
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.usd.id,
                "company_id": cls.europe.id,
                "name": "2026-01-01",
                "rate": 1.25,
            }
        )
        # the current company stays the dollar one
        assert cls.env.company == cls.company
        # no pricelist at all: the product's sales price, as Odoo's default
        cls.env["product.pricelist"].search([]).action_archive()
        cls.project_europe = cls.client_project("Paris office", cls.europe)
        # sold 10 dollars (the product's currency: of the main company)
        cls.paper = cls.dozen_product()
        assert cls.paper.currency_id == cls.usd

    def repriced_from_the_dollar_company(self, item):
        """The project's markup changed by a user with both companies checked, the
        dollar one current (as the company switcher sets them): its unbilled
        costs are re-priced. ``item``, re-read."""
        self.project_europe.with_context(
            allowed_company_ids=[self.company.id, self.europe.id]
        ).invoicera_cost_markup = 5
        item.invalidate_recordset()
        return item

    def test_vendor_cost_at_sales_price_of_a_euro_company(self):
        """The European company buys paper for its client's project, re-billed at
        its sales price, 10 dollars: billed 8 euros (10 dollars at its 0.8 euro a dollar),
        also when re-priced by a user whose current company is the dollar one: not
        "10 euros" (the dollar price of the user's company, labelled euros)."""
        self.assertFalse(self.client.with_company(self.europe).property_product_pricelist)
        bill = (
            self.env["account.move"]
            .with_company(self.europe)
            .create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.vendor.id,
                    "invoice_date": date(2026, 3, 12),
                    "currency_id": self.eur.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.paper.id,
                                "quantity": 3,
                                "price_unit": 6,
                                "tax_ids": False,
                                "analytic_distribution": {
                                    str(self.project_europe.account_id.id): 100
                                },
                            }
                        )
                    ],
                }
            )
        )
        bill.action_post()
        item = self.item_of(bill.invoice_line_ids)
        self.assertEqual((item.price_unit, item.currency_id), (8.0, self.eur))
        self.assertRecordValues(
            self.repriced_from_the_dollar_company(item),
            [
                {
                    "company_id": self.europe.id,
                    "quantity": 3.0,
                    "price_unit": 8.0,
                    "currency_id": self.eur.id,
                    "amount": 24.0,
                }
            ],
        )

    def test_expense_at_sales_price_of_a_euro_company(self):
        """Chloé, of the European company, expenses paper for its client's
        project: billed 8 euros each (its 10 dollars in euros), also when re-priced
        from the dollar company, not 10 euros."""
        chloe = self.env["hr.employee"].create(
            {"name": "Chloé Dev", "company_id": self.europe.id, "work_email": "chloe@example.com"}
        )
        Expense = self.env["hr.expense"].with_company(self.europe)
        expense = Expense.create(
            {
                "name": "Paper",
                "employee_id": chloe.id,
                "company_id": self.europe.id,
                "product_id": self.paper.id,
                "quantity": 2,
                "date": date(2026, 3, 9),
                "analytic_distribution": {str(self.project_europe.account_id.id): 100},
            }
        )
        sheet = (
            self.env["hr.expense.sheet"]
            .with_company(self.europe)
            .create(
                {
                    "name": "March",
                    "employee_id": chloe.id,
                    "company_id": self.europe.id,
                    "expense_line_ids": [Command.set(expense.ids)],
                }
            )
        )
        sheet.action_submit_sheet()
        sheet.action_approve_expense_sheets()
        item = self.item_of(expense)
        self.assertEqual((item.price_unit, item.currency_id), (8.0, self.eur))
        self.assertRecordValues(
            self.repriced_from_the_dollar_company(item),
            [
                {
                    "company_id": self.europe.id,
                    "quantity": 2.0,
                    "price_unit": 8.0,
                    "currency_id": self.eur.id,
                    "amount": 16.0,
                }
            ],
        )

    def test_time_at_the_services_price_in_a_euro_company(self):
        """Chloé (no rate anywhere) works 2 hours on the European company's project
        of a client without pricelist: billed the service's 100 dollars in euros,
        80 euros an hour (as Odoo's sale prices it), not "100 euros"."""
        chloe = self.env["hr.employee"].create({"name": "Chloé Dev", "company_id": self.europe.id})
        self.assertEqual(self.service.currency_id, self.usd)
        self.assertEqual(self.service.list_price, 100)
        item = self.item_of(self.log_time(chloe, 2, project=self.project_europe))
        self.assertRecordValues(
            item,
            [
                {
                    "company_id": self.europe.id,
                    "price_unit": 80.0,
                    "currency_id": self.eur.id,
                    "amount": 160.0,
                }
            ],
        )

    def test_material_at_its_sales_price_in_a_euro_company(self):
        """The European warehouse delivers 2 routers sold 150 dollars to the
        project of a client without pricelist: billed 120 euros each, not "150
        euros"."""
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.europe.id)], limit=1
        )
        router = self.env["product.product"].create(
            {"name": "Router", "type": "consu", "is_storable": True, "list_price": 150}
        )
        Picking = self.env["stock.picking"].with_company(self.europe)
        self.env["stock.quant"].with_company(self.europe)._update_available_quantity(
            router, warehouse.lot_stock_id, 10
        )
        customers = self.env.ref("stock.stock_location_customers")
        picking = Picking.create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "partner_id": self.client.id,
                "project_id": self.project_europe.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": router.name,
                            "product_id": router.id,
                            "product_uom_qty": 2,
                            "product_uom": router.uom_id.id,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.quantity = 2
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertRecordValues(
            self.item_of(picking.move_ids),
            [
                {
                    "company_id": self.europe.id,
                    "price_unit": 120.0,
                    "currency_id": self.eur.id,
                    "amount": 240.0,
                }
            ],
        )
