from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestScreenOverdueMilestone(InvoiceraTimesheetCase):
    """Billing ▸ Unbilled Work, as billing staff read it."""

    def setUp(self):
        super().setUp()
        self.today = fields.Date.context_today(self.env["res.partner"])

    def line_of(self, partner):
        Screen = self.env["invoicera.unbilled.client"]
        Screen.invalidate_model()
        return Screen.search([("partner_id", "=", partner.id)])

    def test_next_milestone_overdue(self):
        """A milestone past its deadline and not reached yet is still the next fee
        to bill (as Odoo's project's next milestone): the Next Milestone column
        shows its deadline, overdue, not the deadline of a later one."""
        self.log_time(self.alice, 2, day=self.today - timedelta(days=3))
        self.env["project.milestone"].create(
            [
                {
                    "name": "Beta, late",
                    "project_id": self.project.id,
                    "deadline": self.today - timedelta(days=5),
                    "invoicera_amount": 2000,
                },
                {
                    "name": "Go-live",
                    "project_id": self.project.id,
                    "deadline": self.today + timedelta(days=10),
                    "invoicera_amount": 3000,
                },
                {
                    "name": "Kick-off, reached",
                    "project_id": self.project.id,
                    "deadline": self.today - timedelta(days=30),
                    "invoicera_amount": 1000,
                    "is_reached": True,
                },
            ]
        )
        self.assertEqual(
            self.line_of(self.client).next_milestone_date,
            self.today - timedelta(days=5),
            "the overdue milestone is the next fee to bill",
        )
