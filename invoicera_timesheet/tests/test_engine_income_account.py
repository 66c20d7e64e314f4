from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestEngineIncomeAccount(InvoiceraTimesheetCase):
    """The income account of an invoice line (the product's, mapped by the client's
    fiscal position) is looked for once per product and position in a batch: it
    serves the analytic distribution models (matched by account) and the line."""

    @contextmanager
    def income_account_lookups(self):
        """The income accounts looked for in the block: the calls of
        ``get_product_accounts`` with a fiscal position (that of an invoice
        line), as ``(template id, position id)``, whoever makes them (the check
        that products have an account, without a position, aside). Only the
        product's method is replaced: what the engine and Odoo decide to look
        for stays as it is."""
        Template = type(self.env["product.template"])
        get_product_accounts = Template.get_product_accounts
        lookups = []

        def counted(template, fiscal_pos=None):
            if fiscal_pos is not None:
                lookups.append((template.id, fiscal_pos.id))
            return get_product_accounts(template, fiscal_pos=fiscal_pos)

        with patch.object(Template, "get_product_accounts", counted):
            yield lookups

    def test_income_account_looked_for_once_per_product_and_position(self):
        plan = self.env["account.analytic.plan"].create({"name": "Departments"})
        sales = self.env["account.analytic.account"].create({"name": "Sales", "plan_id": plan.id})
        account = self.service.product_tmpl_id.get_product_accounts()["income"]
        # a model matched by the income account: the engine needs it for the models
        self.env["account.analytic.distribution.model"].create(
            {"account_prefix": account.code, "analytic_distribution": {str(sales.id): 100}}
        )
        self.log_time(self.alice, 2)
        self.log_time(self.bob, 1)
        self.log_time(self.alice, 4, project=self.project_eur)
        day = date(2026, 3, 31)
        clients = self.client | self.client_eur
        items = self.Item.search(self.Item._billable_domain(self.company, day, clients))
        with self.income_account_lookups() as lookups:
            invoices = items._invoice(self.company, day)
        self.assertEqual(len(invoices), 2)
        self.assertEqual(
            lookups,
            [(self.service.product_tmpl_id.id, False)],
            "one lookup of the income account for the batch's one product and position",
        )
        for line in invoices.invoice_line_ids:
            self.assertEqual(line.account_id, account)
            self.assertEqual(line.analytic_distribution[str(sales.id)], 100)
