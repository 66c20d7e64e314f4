from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingAnalytic(InvoiceraTimesheetCase):
    """Invoice lines take all the analytic accounts of their project, as Odoo's
    sale flow gives them (``project._get_analytic_distribution()``), and the
    company's analytic distribution models (Accounting ▸ Configuration ▸
    Analytic Distribution Models) fill their plans as they fill a sales order's
    or an invoice's: the model's accounts for the plans it fills, the project's
    for the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.departments = cls.env["account.analytic.plan"].create({"name": "Departments"})
        cls.sales = cls.env["account.analytic.account"].create(
            {"name": "Sales", "plan_id": cls.departments.id}
        )
        cls.consulting = cls.env["account.analytic.account"].create(
            {"name": "Consulting", "plan_id": cls.departments.id}
        )
        cls.Model = cls.env["account.analytic.distribution.model"]
        cls.column = cls.departments._column_name()

    def test_lines_take_every_plan_of_the_project(self):
        self.project[self.column] = self.consulting
        self.log_time(self.alice, 3)
        invoice = self.invoice(self.client)
        expected = {f"{self.project.account_id.id},{self.consulting.id}": 100}
        self.assertEqual(invoice.invoice_line_ids.analytic_distribution, expected)

    def model(self, **vals):
        """A distribution model: ``Sales`` 100% unless another distribution is given."""
        vals.setdefault("analytic_distribution", {str(self.sales.id): 100})
        return self.Model.create(vals)

    def engine_distribution(self, partner=None, project=None):
        self.log_time(self.alice, 3, project=project)
        invoice = self.invoice(partner or self.client)
        self.assertEqual(len(invoice.invoice_line_ids), 1)
        return invoice.invoice_line_ids.analytic_distribution

    def odoo_distribution(self, partner=None):
        """The distribution Odoo gives a line of the same product on an invoice
        made by hand to ``partner``."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.client).id,
                "invoice_line_ids": [
                    Command.create({"product_id": self.service.id, "quantity": 1})
                ],
            }
        )
        return invoice.invoice_line_ids.analytic_distribution

    def test_client_model_fills_a_plan_the_project_does_not(self):
        self.model(partner_id=self.client.id)
        self.assertEqual(self.odoo_distribution(), {str(self.sales.id): 100})
        self.assertEqual(
            self.engine_distribution(),
            {str(self.project.account_id.id): 100, str(self.sales.id): 100},
            "the client's model gives its department, the project keeps its account",
        )

    def test_model_wins_on_a_plan_the_project_fills_as_in_sales(self):
        self.project[self.departments._column_name()] = self.consulting
        self.model(partner_id=self.client.id)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "project_id": self.project.id,
                "order_line": [Command.create({"product_id": self.service.id})],
            }
        )
        self.assertEqual(order.order_line.analytic_distribution, {str(self.sales.id): 100})
        self.assertEqual(
            self.engine_distribution(),
            {str(self.project.account_id.id): 100, str(self.sales.id): 100},
            "the model's department, as on a sales order; the project's account kept",
        )

    def test_split_model_and_project_accounts(self):
        self.model(
            partner_id=self.client.id,
            analytic_distribution={str(self.sales.id): 60, str(self.consulting.id): 40},
        )
        self.assertEqual(
            self.engine_distribution(),
            {
                str(self.project.account_id.id): 100,
                str(self.sales.id): 60,
                str(self.consulting.id): 40,
            },
        )

    def test_models_of_other_clients_products_accounts_companies_are_not_applied(self):
        other = self.env["product.product"].create({"name": "Other service", "type": "service"})
        self.model(partner_id=self.client_eur.id)
        self.model(product_id=other.id)
        self.model(account_prefix="zzz")
        europe = self.euro_company()
        paris = self.env["account.analytic.account"].create(
            {"name": "Paris sales", "plan_id": self.departments.id, "company_id": europe.id}
        )
        self.model(company_id=europe.id, analytic_distribution={str(paris.id): 100})
        self.assertEqual(self.odoo_distribution(), False)
        self.assertEqual(self.engine_distribution(), {str(self.project.account_id.id): 100})

    def test_product_category_and_income_account_models(self):
        account = self.service.product_tmpl_id.get_product_accounts()["income"]
        self.model(
            product_categ_id=self.service.categ_id.id,
            account_prefix=account.code[:3],
        )
        self.assertEqual(self.odoo_distribution(), {str(self.sales.id): 100})
        self.assertEqual(
            self.engine_distribution(),
            {str(self.project.account_id.id): 100, str(self.sales.id): 100},
        )

    def test_client_tag_model_for_every_line_of_a_batch(self):
        tag = self.env["res.partner.category"].create({"name": "Retail"})
        self.client.category_id = tag
        self.model(partner_category_id=tag.id)
        self.log_time(self.alice, 2)
        self.log_time(self.bob, 1, task=self.task)
        self.log_time(self.alice, 4, project=self.project_eur)
        invoices = self.invoice(self.client) | self.invoice(self.client_eur)
        mine = invoices.filtered(lambda move: move.partner_id == self.client)
        expected = {str(self.project.account_id.id): 100, str(self.sales.id): 100}
        self.assertEqual(len(mine.invoice_line_ids), 2, "one line per rate")
        for line in mine.invoice_line_ids:
            self.assertEqual(line.analytic_distribution, expected)
        theirs = invoices - mine
        self.assertEqual(
            theirs.invoice_line_ids.analytic_distribution,
            {str(self.project_eur.account_id.id): 100},
        )

    def test_billing_user_invoices_with_the_models(self):
        self.project[self.departments._column_name()] = self.consulting
        self.model(partner_id=self.client.id)
        self.log_time(self.alice, 3)
        day = date(2026, 3, 31)
        items = self.Item.search(self.Item._billable_domain(self.company, day, self.client))
        invoice = items.with_user(self.billing_user)._invoice(self.company, day)
        self.assertEqual(
            invoice.invoice_line_ids.analytic_distribution,
            {str(self.project.account_id.id): 100, str(self.sales.id): 100},
        )
