import re
from datetime import date

from lxml import html

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestApprovalForm(InvoiceraPortalCommon, HttpCase):
    """The approvals form decides only what the client saw: sent twice (a double
    click, the page sent again) it says what was decided, not that the work is
    not the client's; work staff changed or took off the bill while the page
    was open is named or refused."""

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
        lines = cls.env["account.analytic.line"].create(
            [
                {
                    "project_id": project.id,
                    "employee_id": employee.id,
                    "unit_amount": hours,
                    "date": date(2026, 3, 4),
                    "name": name,
                }
                for name, hours in (("Brand book", 4), ("Logo sketches", 2))
            ]
        )
        Item = cls.env["invoicera.billable.item"]
        cls.book, cls.logo = (
            Item.search(
                [("source_model", "=", "account.analytic.line"), ("source_id", "=", line.id)]
            )
            for line in lines
        )

    def decide(self, page, items, decision, comment=""):
        """What the approvals page says after the client's ``decision`` on ``items``
        from the ``page`` it opened (sent with the fingerprints of the work shown)."""
        seen = dict(re.findall(r'name="(seen_\d+)" value="([^"]+)"', page))
        response = self.url_open(
            "/my/billing/approvals/decide",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "decision": decision,
                "comment": comment,
                "item_ids": [str(item_id) for item_id in items.ids],
                **seen,
            },
        )
        tree = html.fromstring(response.text)
        return " ".join(
            " ".join(tree.xpath("//div[@role='alert' or @role='status']//text()")).split()
        )

    def test_approving_twice_says_it_is_approved(self):
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/billing/approvals").text
        items = self.book | self.logo
        self.assertIn("You approved 2 item(s)", self.decide(page, items, "approved"))
        # the same form sent again (a double click)
        response = self.decide(page, items, "approved")
        self.assertNotIn("not yours", response)
        self.assertIn("You approved 2 item(s)", response)
        self.assertEqual(items.mapped("client_approval"), ["approved", "approved"])
        # disputing from the old page what was approved meanwhile is refused
        response = self.decide(page, self.book, "disputed", comment="Too long")
        self.assertIn("Brand book", response)
        self.assertIn("no longer awaits your approval", response)
        self.assertEqual(self.book.client_approval, "approved")

    def test_work_taken_off_the_bill_meanwhile_is_named(self):
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/billing/approvals").text
        self.logo.action_exclude()
        response = self.decide(page, self.book | self.logo, "approved")
        self.assertIn("Logo sketches", response)
        self.assertIn("no longer awaits your approval", response)
        self.assertNotIn("not yours", response)
        self.assertEqual(self.book.client_approval, "pending", "nothing decided")
        # another client's work is still refused, unnamed
        self.authenticate(self.user_b.login, self.user_b.login)
        response = self.decide(page, self.book, "approved")
        self.assertIn("not yours", response)
        self.assertNotIn("Brand book", response)
        self.assertEqual(self.book.client_approval, "pending")

    def test_work_changed_since_the_page_opened_is_not_approved(self):
        """The client opens the page at 4 hours; staff then bill 6 hours: approving
        from the page it saw approves nothing and says the work changed."""
        self.assertEqual(self.book.client_approval, "pending")
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/billing/approvals").text
        self.book.write({"quantity": 6, "adjustment_reason": "Two more hours"})
        response = self.decide(page, self.book, "approved")
        self.assertIn("changed since you opened this page", response)
        self.assertEqual(self.book.client_approval, "pending", "changed work was approved unseen")
        # Seen again, it is approved.
        page = self.url_open("/my/billing/approvals").text
        self.assertIn("6.00", page)
        response = self.decide(page, self.book, "approved")
        self.assertIn("You approved 1 item(s)", response)
        self.assertEqual(self.book.client_approval, "approved")

    def test_an_employee_attached_to_the_client_reads_nothing_of_it_here(self):
        """An employee with Contact rights attaches their own contact to the client:
        the client's pages (read as superuser for its portal contacts) are not
        theirs; they read its documents in the back office, by their rights."""
        nosy = new_test_user(
            self.env, login="nosy", groups="base.group_user,base.group_partner_manager"
        )
        nosy.partner_id.with_user(nosy).parent_id = self.client_a
        self.authenticate("nosy", "nosy")
        for path in ("/my/billing", "/my/billing/approvals", "/my/billing/statement"):
            response = self.url_open(path)
            self.assertEqual(response.status_code, 403, path)
            self.assertNotIn("Brand book", response.text)
        response = self.url_open(
            "/my/billing/approvals/decide",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "decision": "approved",
                "item_ids": [str(self.book.id)],
            },
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.book.client_approval, "pending")
        self.assertNotIn('href="/my/billing"', self.url_open("/my").text)
