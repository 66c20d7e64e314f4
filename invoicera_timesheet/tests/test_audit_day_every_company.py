from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestAuditDayEveryCompany(InvoiceraTimesheetCase):
    """The pre-billing audit of time, as billing staff run it."""

    def test_the_day_counts_time_in_every_company(self):
        """Alice logs 8 hours on a client's project and, the same day, 6 hours on a
        project of the sister company: a 14-hour day, flagged (more than 12 hours),
        as it would be were both projects of one company."""
        self.company.invoicera_audit_max_daily_hours = 12
        europe = self.euro_company()
        self.project.company_id = self.company
        paris = self.env["project.project"].create(
            {"name": "Paris office", "company_id": europe.id, "allow_timesheets": True}
        )
        # both companies checked in the company switcher, as Odoo requires
        self.env["account.analytic.line"].with_context(
            allowed_company_ids=[europe.id, self.company.id]
        ).create(
            {
                "project_id": paris.id,
                "employee_id": self.alice.id,
                "unit_amount": 6,
                "date": "2026-03-10",
                "name": "Office move",
            }
        )
        item = self.item_of(self.log_time(self.alice, 8, name="Checkout page"))
        self.assertEqual(item.company_id, self.company)
        self.Item._audit(item)
        self.assertIn(
            "Alice Dev has 14.0 h on 03/10/2026 (more than 12.0 h).",
            item.audit_warning or "",
        )
