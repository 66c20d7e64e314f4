from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingRateEntry(InvoiceraTimesheetCase):
    """Rates as a billing manager or an HR officer enters them."""

    def test_rate_of_a_sister_company_employee_on_the_project(self):
        """Chloé, of the European sister company, logs time on this company's
        project, as Odoo lets her; her rate on the project (150 dollars) is set
        like anyone's, and bills her time."""
        europe = self.euro_company()
        chloe = self.env["hr.employee"].create(
            {"name": "Chloé Dev", "company_id": europe.id, "invoicera_billing_rate": 80}
        )
        self.project.company_id = self.company
        rate = self.env["invoicera.billing.rate"].create(
            {"project_id": self.project.id, "employee_id": chloe.id, "price_unit": 150}
        )
        self.assertRecordValues(rate, [{"company_id": self.company.id, "currency_id": self.usd.id}])
        domain = (
            self.env["invoicera.billing.rate"]
            .fields_get(["employee_id"], ["domain"])["employee_id"]
            .get("domain")
        )
        self.assertNotIn("company_id", str(domain or ""), "Chloé is offered in the project's list")
        item = self.item_of(self.log_time(chloe, 2))
        self.assertRecordValues(
            item,
            [{"company_id": self.company.id, "price_unit": 150.0, "currency_id": self.usd.id}],
        )
        # and on one task of the project
        self.env["invoicera.billing.rate"].create(
            {
                "project_id": self.project.id,
                "task_id": self.task.id,
                "employee_id": chloe.id,
                "price_unit": 170,
            }
        )
        self.assertEqual(self.item_of(self.log_time(chloe, 1, task=self.task)).price_unit, 170)

    def test_negative_default_rate_is_refused(self):
        """A default billing rate below zero bills the client a credit: refused
        when entered, naming the employee, as a negative rate on a project."""
        with self.assertRaisesRegex(ValidationError, "Alice Dev") as refused:
            self.alice.invoicera_billing_rate = -90
        self.assertIn("negative", str(refused.exception))
        self.alice.invoicera_billing_rate = 0  # no rate of her own: allowed
        self.assertEqual(self.item_of(self.log_time(self.bob, 1)).price_unit, 60)

    def test_rate_of_zero_on_a_project_is_refused(self):
        """A row of the project's employee rates at 0 (its price forgotten) would
        price the employee's time at 0, which refuses the client's whole invoice:
        refused when entered, naming the employee and the project. One entered
        before is no rate: the project's rate applies, as a project rate of 0
        gives way to the employee's."""
        self.project.invoicera_hourly_rate = 120
        Rate = self.env["invoicera.billing.rate"]
        with self.assertRaises(ValidationError) as refused:
            Rate.create(
                {"project_id": self.project.id, "employee_id": self.alice.id, "price_unit": 0}
            )
        self.assertIn("must be above zero", str(refused.exception))
        self.assertIn(f"Alice Dev ({self.project.name})", str(refused.exception))
        rate = Rate.create(
            {"project_id": self.project.id, "employee_id": self.alice.id, "price_unit": 130}
        )
        with self.assertRaises(ValidationError):
            rate.price_unit = 0
        # entered before rates of 0 were refused
        self.env.cr.execute(
            "UPDATE invoicera_billing_rate SET price_unit = 0 WHERE id = %s", [rate.id]
        )
        rate.invalidate_recordset(["price_unit"])
        self.assertEqual(self.item_of(self.log_time(self.alice, 1)).price_unit, 120)

    def test_markup_below_minus_100_is_refused(self):
        """A markup of -150% bills every cost as a credit to the client: refused
        when entered, naming the project (as -100%, which bills costs at zero:
        test_rates_edge_cases); a negative markup above it passes a discount on."""
        with self.assertRaisesRegex(ValidationError, "Website") as refused:
            self.project.invoicera_cost_markup = -150
        self.assertIn("-100%", str(refused.exception))
        self.project.invoicera_cost_markup = -20
        self.assertEqual(self.project._invoicera_cost_price(100.0, 100.0), 80.0)
