import re
from datetime import date

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestApprovalChangedWork(InvoiceraPortalCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        project = cls.env["project.project"].create(
            {
                "name": "Alpha Rebrand",
                "partner_id": cls.client_a.id,
                "allow_billable": True,
                "invoicera_client_approval": True,
                "invoicera_hourly_rate": 100,
            }
        )
        employee = cls.env["hr.employee"].create({"name": "Eve Designer"})
        line = cls.env["account.analytic.line"].create(
            {
                "project_id": project.id,
                "employee_id": employee.id,
                "unit_amount": 4,
                "date": date(2026, 3, 4),
                "name": "Brand book",
            }
        )
        cls.book = cls.env["invoicera.billable.item"].search(
            [("source_model", "=", "account.analytic.line"), ("source_id", "=", line.id)]
        )

    def decide(self, page, items, decision):
        """The client's ``decision`` on ``items`` from the approvals ``page`` it
        opened: sent with the fingerprints (``seen_<id>``) of the work that page showed."""
        seen = dict(re.findall(r'name="(seen_\d+)" value="([^"]+)"', page))
        return self.url_open(
            "/my/billing/approvals/decide",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "decision": decision,
                "item_ids": [str(item_id) for item_id in items.ids],
                **seen,
            },
        )

    def test_work_changed_since_the_page_opened_is_not_approved(self):
        """The client opens the page at 4 hours; staff then bill 6 hours: approving
        from the page it saw approves nothing and says the work changed."""
        self.assertEqual(self.book.client_approval, "pending")
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/billing/approvals").text
        self.book.write({"quantity": 6, "adjustment_reason": "Two more hours"})
        response = self.decide(page, self.book, "approved")
        self.assertIn("changed since you opened this page", response.text)
        self.assertEqual(self.book.client_approval, "pending", "changed work was approved unseen")
        # Seen again, it is approved.
        page = self.url_open("/my/billing/approvals").text
        self.assertIn("6.00", page)
        response = self.decide(page, self.book, "approved")
        self.assertIn("You approved 1 item(s)", response.text)
        self.assertEqual(self.book.client_approval, "approved")
