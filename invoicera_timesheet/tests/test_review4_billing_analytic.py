from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestReview4BillingAnalytic(InvoiceraTimesheetCase):
    """Invoice lines take all the analytic accounts of their project, as Odoo's
    sale flow gives them (``project._get_analytic_distribution()``)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.departments = cls.env["account.analytic.plan"].create({"name": "Departments"})
        cls.consulting = cls.env["account.analytic.account"].create(
            {"name": "Consulting", "plan_id": cls.departments.id}
        )
        cls.column = cls.departments._column_name()

    def test_lines_take_every_plan_of_the_project(self):
        self.project[self.column] = self.consulting
        self.log_time(self.alice, 3)
        invoice = self.invoice(self.client)
        expected = {f"{self.project.account_id.id},{self.consulting.id}": 100}
        self.assertEqual(invoice.invoice_line_ids.analytic_distribution, expected)
