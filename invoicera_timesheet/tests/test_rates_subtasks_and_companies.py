from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestRatesSubtasksAndCompanies(InvoiceraTimesheetCase):
    """Rates of subtasks, and of projects shared by every company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a second company in euros: its staff work on the projects of every company
        cls.europe = cls.euro_company()
        cls.sophie = cls.env["hr.employee"].create(
            {"name": "Sophie Paris", "company_id": cls.europe.id}
        )

    def sophie_logs(self, hours):
        """Sophie (of the euro company) logs ``hours`` on the Website project."""
        return (
            self.env["account.analytic.line"]
            .with_company(self.europe)
            .create(
                {
                    "project_id": self.project.id,
                    "employee_id": self.sophie.id,
                    "unit_amount": hours,
                    "date": "2026-03-10",
                    "name": "Translations",
                }
            )
        )

    def test_task_rate_applies_to_its_subtasks(self):
        """Alice bills 150 an hour on the Design task (90 elsewhere): her time on
        a subtask of Design, and on a subtask of that subtask, bills 150 too."""
        self.env["invoicera.billing.rate"].create(
            {
                "project_id": self.project.id,
                "task_id": self.task.id,
                "employee_id": self.alice.id,
                "price_unit": 150,
            }
        )
        Task = self.env["project.task"]
        mockups = Task.create(
            {"name": "Mockups", "project_id": self.project.id, "parent_id": self.task.id}
        )
        icons = Task.create(
            {"name": "Icons", "project_id": self.project.id, "parent_id": mockups.id}
        )
        lines = self.log_time(self.alice, 2, task=mockups) | self.log_time(
            self.alice, 1, task=icons
        )
        self.assertEqual(self.item_of(lines).mapped("price_unit"), [150.0, 150.0])
        # a rate on the subtask itself wins over its parent's
        self.env["invoicera.billing.rate"].create(
            {
                "project_id": self.project.id,
                "task_id": mockups.id,
                "employee_id": self.alice.id,
                "price_unit": 170,
            }
        )
        self.assertEqual(self.item_of(lines).mapped("price_unit"), [170.0, 170.0])

    def test_rate_of_a_project_of_every_company_in_its_currency(self):
        """The Website project belongs to no company: its rate of 100 dollars,
        entered in the dollar company, bills 100 dollars an hour of Sophie's time,
        of the euro company; not 100 euros."""
        self.assertFalse(self.project.company_id)
        self.project.invoicera_hourly_rate = 100
        line = self.sophie_logs(2)
        self.assertEqual(line.company_id, self.europe)
        self.assertRecordValues(
            self.item_of(line),
            [{"company_id": self.europe.id, "currency_id": self.usd.id, "price_unit": 100.0}],
        )
        # re-priced by a user of the euro company: still dollars
        self.project.with_company(self.europe).invoicera_rounding = 0.5
        self.assertEqual(self.item_of(line).currency_id, self.usd)
        # duplicated by a user of the euro company: a rate of 100 dollars too
        copy = self.project.with_company(self.europe).copy()
        self.assertEqual(copy.invoicera_rate_currency_id, self.usd)

    def test_employee_rate_of_a_project_of_every_company_in_its_currency(self):
        """On the Website project (of every company, rates in dollars), a rate of
        120 for Sophie entered by a user of the euro company is 120 dollars, as
        the project's rate: her time is billed 120 dollars an hour."""
        rate = (
            self.env["invoicera.billing.rate"]
            .with_company(self.europe)
            .create(
                {"project_id": self.project.id, "employee_id": self.sophie.id, "price_unit": 120}
            )
        )
        self.assertEqual(rate.currency_id, self.usd)
        line = self.sophie_logs(1)
        self.assertRecordValues(
            self.item_of(line), [{"currency_id": self.usd.id, "price_unit": 120.0}]
        )
        # a rate below zero is refused, naming whose rate and where
        with self.assertRaises(ValidationError) as refused:
            rate.price_unit = -120
        self.assertIn("Sophie Paris (Website)", str(refused.exception))

    def test_next_milestone_of_a_project_of_every_company_on_one_line(self):
        """The client has work to bill in two dollar companies; the next milestone
        of the Website project (of every company) is billed by the current
        company once reached: it shows on that company's line only."""
        west = self.env["res.company"].create(
            {"name": "Invoicera West", "currency_id": self.usd.id}
        )
        self.env.user.company_ids |= west
        west_project = self.env["project.project"].create(
            {
                "name": "West Website",
                "company_id": west.id,
                "partner_id": self.client.id,
                "allow_billable": True,
                "allow_timesheets": True,
            }
        )
        walt = self.env["hr.employee"].create(
            {"name": "Walt West", "company_id": west.id, "invoicera_billing_rate": 50}
        )
        today = fields.Date.context_today(self.env["res.partner"])
        self.log_time(self.alice, 2, day=today - timedelta(days=2))
        self.log_time(walt, 2, day=today - timedelta(days=2), project=west_project)
        self.env["project.milestone"].create(
            {
                "name": "Launch",
                "project_id": self.project.id,
                "deadline": today + timedelta(days=7),
                "invoicera_amount": 1000,
            }
        )
        Screen = self.env["invoicera.unbilled.client"]
        Screen.invalidate_model()
        lines = Screen.search([("partner_id", "=", self.client.id)])
        self.assertEqual(len(lines), 2)
        by_company = {line.company_id: line.next_milestone_date for line in lines}
        self.assertEqual(by_company[self.company], today + timedelta(days=7))
        self.assertFalse(by_company[west], "the west company does not bill it")
