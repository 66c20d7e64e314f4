from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestRatesEmployeesAndCompanies(InvoiceraTimesheetCase):
    """The last rate of time: the billed service's price, for an hour."""

    def test_service_sold_per_day_without_pricelists_bills_its_hourly_price(self):
        """Without any rate and without pricelists (Odoo's default), the project's
        service sold at 800 a day bills 100 an hour (a day is 8 hours), not 800
        an hour: as Odoo prices a product in another unit of its kind."""
        self.env["product.pricelist"].search([]).action_archive()
        self.assertFalse(self.client.property_product_pricelist)
        day = self.env.ref("uom.product_uom_day")
        consulting = self.env["product.product"].create(
            {
                "name": "Consulting",
                "type": "service",
                "uom_id": day.id,
                "uom_po_id": day.id,
                "list_price": 800,
            }
        )
        self.alice.invoicera_billing_rate = 0
        self.project.invoicera_service_product_id = consulting
        item = self.item_of(self.log_time(self.alice, 2))
        self.assertRecordValues(
            item,
            [{"quantity": 2.0, "uom_id": self.hour.id, "price_unit": 100.0, "amount": 200.0}],
        )

    def test_rate_on_a_deleted_task_goes_with_it(self):
        """Alice bills 150 on a task, 100 on the rest of the project: the task is
        deleted, her rate on it goes with it. It does not become her rate on the
        whole project (her other time billed at 150), nor refuse the deletion."""
        Rate = self.env["invoicera.billing.rate"]
        rush = self.env["project.task"].create({"name": "Rush", "project_id": self.project.id})
        on_task = Rate.create(
            {
                "project_id": self.project.id,
                "task_id": rush.id,
                "employee_id": self.alice.id,
                "price_unit": 150,
            }
        )
        item = self.item_of(self.log_time(self.alice, 2, task=self.task))
        self.assertEqual(item.price_unit, 90, "her default rate")
        rush.unlink()
        self.assertFalse(on_task.exists())
        self.assertEqual(item.price_unit, 90)
        self.assertEqual(self.item_of(self.log_time(self.alice, 1)).price_unit, 90)
        # with a rate on the whole project too
        Rate.create(
            {"project_id": self.project.id, "employee_id": self.alice.id, "price_unit": 100}
        )
        rush = self.env["project.task"].create({"name": "Rush", "project_id": self.project.id})
        Rate.create(
            {
                "project_id": self.project.id,
                "task_id": rush.id,
                "employee_id": self.alice.id,
                "price_unit": 150,
            }
        )
        rush.unlink()
        self.assertEqual(
            Rate.search([("project_id", "=", self.project.id)]).mapped("price_unit"), [100]
        )
        self.assertEqual(item.price_unit, 100)

    def test_hr_officer_sets_an_employees_default_rate(self):
        """An HR officer who is a Billing User (the employee form shows them the
        rate) sets Alice's default rate: saved, and her unbilled time re-priced,
        though they read no timesheet."""
        item = self.item_of(self.log_time(self.alice, 2))
        officer = new_test_user(
            self.env,
            login="hr_billing",
            groups="base.group_user,hr.group_hr_user,invoicera_billing.group_billing_user",
        )
        self.alice.with_user(officer).invoicera_billing_rate = 120
        self.assertEqual(self.alice.invoicera_billing_rate, 120)
        self.assertRecordValues(item, [{"price_unit": 120.0, "amount": 240.0}])
        # an HR officer without billing rights reads the rate, does not set it
        # (the form does not show it; through RPC it re-priced every client's time)
        hr_only = new_test_user(
            self.env, login="hr_only", groups="base.group_user,hr.group_hr_user"
        )
        self.assertEqual(self.alice.with_user(hr_only).invoicera_billing_rate, 120)
        with self.assertRaises(AccessError) as refused:
            self.alice.with_user(hr_only).invoicera_billing_rate = 1
        self.assertIn("Alice Dev", str(refused.exception))
        with self.assertRaises(AccessError):
            self.env["hr.employee"].with_user(hr_only).create(
                {"name": "Dan", "invoicera_billing_rate": 1}
            )
        self.env["hr.employee"].with_user(hr_only).create({"name": "Dan"})
        self.assertRecordValues(item, [{"price_unit": 120.0, "amount": 240.0}])

    def test_employee_of_a_sister_company_in_another_currency(self):
        """Chloé, of the European sister company, logs time on this company's
        project, as Odoo lets her: it is billed by this company (it was refused,
        "Incompatible companies"), at her default rate of 80 euros, not 80 dollars
        (the invoice converts it)."""
        europe = self.env["res.company"].create(
            {"name": "Invoicera Europe", "currency_id": self.eur.id}
        )
        chloe = self.env["hr.employee"].create(
            {"name": "Chloé Dev", "company_id": europe.id, "invoicera_billing_rate": 80}
        )
        self.project.company_id = self.company
        line = self.log_time(chloe, 2)
        self.assertEqual(line.company_id, self.company)
        item = self.item_of(line)
        self.assertRecordValues(
            item,
            [
                {
                    "company_id": self.company.id,
                    "employee_id": chloe.id,
                    "price_unit": 80.0,
                    "currency_id": self.eur.id,
                    "amount": 160.0,
                }
            ],
        )
        invoice = self.invoice(self.client)
        # 80 euros at 0.5 euro per dollar (the rate of March 31)
        self.assertEqual(invoice.invoice_line_ids.price_unit, 160.0)

    def test_rate_keeps_its_currency_when_its_project_changes_company(self):
        """Dana's rate on a project of every company is 130 dollars. The project is
        given to the euro company: her rate is still 130 dollars (the invoice
        converts it), not 130 euros."""
        europe = self.env["res.company"].create(
            {"name": "Invoicera Europe", "currency_id": self.eur.id}
        )
        self.env.user.company_ids |= europe
        dana = self.env["hr.employee"].create({"name": "Dana Ops", "company_id": europe.id})
        self.assertFalse(self.project.company_id, "a project of every company")
        rate = self.env["invoicera.billing.rate"].create(
            {"project_id": self.project.id, "employee_id": dana.id, "price_unit": 130}
        )
        self.assertEqual(rate.currency_id, self.usd)
        self.project.company_id = europe
        self.assertRecordValues(rate, [{"company_id": europe.id, "currency_id": self.usd.id}])
        item = self.item_of(self.log_time(dana, 1))
        self.assertRecordValues(
            item, [{"company_id": europe.id, "price_unit": 130.0, "currency_id": self.usd.id}]
        )
