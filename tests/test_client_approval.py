"""Clients approve or dispute unbilled work in the portal before it is billed."""

from datetime import date

from freezegun import freeze_time

from odoo import Command, http
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestClientApproval(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.client = env["res.partner"].create({"name": "Gamma Studio", "is_company": True})
        cls.other = env["res.partner"].create({"name": "Delta Works", "is_company": True})
        cls.contact = env["res.partner"].create(
            {"name": "Gil Gamma", "parent_id": cls.client.id, "email": "gil@gamma.example.com"}
        )
        cls.other_contact = env["res.partner"].create(
            {"name": "Dora Delta", "parent_id": cls.other.id, "email": "dora@delta.example.com"}
        )
        portal = env.ref("base.group_portal")
        Users = env["res.users"].with_context(no_reset_password=True)
        cls.user, cls.other_user = (
            Users.create(
                {
                    "name": c.name,
                    "login": c.email,
                    "password": c.email,
                    "partner_id": c.id,
                    "groups_id": [Command.set(portal.ids)],
                }
            )
            for c in (cls.contact, cls.other_contact)
        )
        cls.manager = env["res.users"].create(
            {"name": "Pat Manager", "login": "pat_pm", "email": "pat@example.com"}
        )
        cls.project = env["project.project"].create(
            {
                "name": "Gamma Rebrand",
                "partner_id": cls.client.id,
                "allow_billable": True,
                "invoicera_client_approval": True,
                "invoicera_hourly_rate": 100,
                "user_id": cls.manager.id,
            }
        )
        cls.other_project = env["project.project"].create(
            {
                "name": "Delta Site",
                "partner_id": cls.other.id,
                "allow_billable": True,
                "invoicera_hourly_rate": 50,
            }
        )
        employee = env["hr.employee"].create({"name": "Eve Designer"})
        lines = env["account.analytic.line"].create(
            [
                {
                    "project_id": project.id,
                    "employee_id": employee.id,
                    "unit_amount": hours,
                    "date": date(2026, 3, day),
                    "name": name,
                }
                for project, hours, day, name in (
                    (cls.project, 2, 2, "Moodboard"),
                    (cls.project, 3, 3, "Logo drafts"),
                    (cls.project, 4, 4, "Brand book"),
                    (cls.other_project, 1, 4, "Delta hosting"),
                )
            ]
        )
        Item = env["invoicera.billable.item"]
        cls.moodboard, cls.logo, cls.book, cls.delta = (
            Item.search(
                [("source_model", "=", "account.analytic.line"), ("source_id", "=", line.id)]
            )
            for line in lines
        )

    def decide(self, items, decision, comment=""):
        return self.url_open(
            "/my/billing/approvals/decide",
            data=[
                ("csrf_token", http.Request.csrf_token(self)),
                ("decision", decision),
                ("comment", comment),
            ]
            + [("item_ids", str(item.id)) for item in items],
        )

    def billable(self, client=None):
        Item = self.env["invoicera.billable.item"]
        return Item.search(
            Item._billable_domain(self.env.company, date(2026, 3, 31), client or self.client)
        )

    def test_pending_items_are_not_billed(self):
        self.assertEqual(
            set((self.moodboard | self.logo | self.book).mapped("client_approval")), {"pending"}
        )
        self.assertEqual(self.delta.client_approval, "not_required")
        self.assertFalse(self.billable())

    def test_approve_two_dispute_one(self):
        self.authenticate(self.user.login, self.user.login)
        page = self.url_open("/my/billing/approvals")
        for item in (self.moodboard, self.logo, self.book):
            self.assertIn(item.name, page.text)
        self.assertNotIn("Delta hosting", page.text)
        response = self.decide(self.moodboard | self.logo, "approved")
        self.assertIn("You approved 2 item(s)", response.text)
        response = self.decide(self.book, "disputed", "We agreed on 2 hours for the brand book.")
        self.assertIn("You disputed 1 item(s)", response.text)
        self.assertEqual(
            (self.moodboard.client_approval, self.book.client_approval), ("approved", "disputed")
        )
        self.assertEqual(self.book.client_comment, "We agreed on 2 hours for the brand book.")
        self.assertEqual(self.book.client_decided_by_id, self.contact)
        # Only the approved items are billed; the dispute waits in the cockpit.
        self.assertEqual(self.billable(), self.moodboard | self.logo)
        screen = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        self.assertEqual((screen.disputed_count, screen.pending_count), (1, 0))
        # The project manager is told.
        message = self.project.message_ids.filtered(lambda m: "disputed 1 item" in (m.body or ""))
        self.assertIn(self.manager.partner_id, message.partner_ids)
        # The annex shows the approval trail.
        self.client.invoicera_annex_detail = "entry"
        invoice = self.billable()._invoice(self.env.company, date(2026, 3, 31), post=True)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("invoicera_billing.action_report_time_annex", invoice.ids)[0]
            .decode()
        )
        self.assertIn("approved by Gil Gamma", html)
        self.assertIn("Approved by Gil Gamma in the portal: 2 of 2 items.", html)

    def test_fixing_a_dispute_asks_again(self):
        self.book._client_decide("disputed", self.contact, "Too many hours")
        self.book.write({"quantity": 2, "adjustment_reason": "Agreed with the client"})
        self.assertEqual(self.book.client_approval, "pending")

    def test_bad_decisions_change_nothing(self):
        self.authenticate(self.user.login, self.user.login)
        response = self.decide(self.book, "disputed", "   ")
        self.assertIn("Say what is wrong with the items you dispute.", response.text)
        response = self.decide(self.delta, "approved")
        self.assertIn("Some of these items are not yours", response.text)
        response = self.decide(self.book | self.delta, "approved")
        self.assertIn("Some of these items are not yours", response.text)
        response = self.decide(self.env["invoicera.billable.item"], "approved")
        self.assertIn("Select the items", response.text)
        self.assertEqual(self.book.client_approval, "pending")
        self.assertEqual(self.delta.client_approval, "not_required")

    def test_another_client_cannot_decide_my_items(self):
        self.authenticate(self.other_user.login, self.other_user.login)
        page = self.url_open("/my/billing/approvals")
        self.assertNotIn("Moodboard", page.text)
        response = self.decide(self.moodboard, "approved")
        self.assertIn("Some of these items are not yours", response.text)
        self.assertEqual(self.moodboard.client_approval, "pending")

    def test_work_of_another_company_is_not_shown_nor_decided(self):
        """The client also has work pending at another company of the database,
        whose documents its portal does not show: its approvals neither."""
        other_company = self.env["res.company"].create({"name": "Northbridge Europe"})
        # the work of the brand book, done for the other company
        self.env.cr.execute(
            "UPDATE invoicera_billable_item SET company_id = %s WHERE id = %s",
            [other_company.id, self.book.id],
        )
        self.book.invalidate_recordset(["company_id"])
        self.authenticate(self.user.login, self.user.login)
        page = self.url_open("/my/billing/approvals")
        self.assertIn("Moodboard", page.text)
        self.assertNotIn("Brand book", page.text)
        response = self.decide(self.book, "approved")
        self.assertIn("Some of these items are not yours", response.text)
        self.assertEqual(self.book.client_approval, "pending")

    def test_turning_approval_off_releases_the_items(self):
        self.project.invoicera_client_approval = False
        self.assertEqual(len(self.billable()), 3)

    def test_work_put_aside_follows_the_approval_setting_when_it_comes_back(self):
        """Excluded, written off or on a cancelled invoice when the project started
        (or stopped) asking its client: back to bill, it awaits the client's
        approval (or no longer does), as the rest of the project's work."""
        delta_project = self.other_project
        self.delta.action_exclude()
        delta_project.invoicera_client_approval = True
        self.delta.action_include()
        self.assertEqual(self.delta.client_approval, "pending")
        self.assertNotIn(self.delta, self.billable(self.other))
        # invoiced before, its invoice cancelled once the project asks
        delta_project.invoicera_client_approval = False
        self.assertEqual(self.delta.client_approval, "not_required")
        invoice = self.delta._invoice(self.env.company, date(2026, 3, 31))
        delta_project.invoicera_client_approval = True
        invoice.button_cancel()
        self.assertEqual((self.delta.state, self.delta.client_approval), ("to_bill", "pending"))
        self.assertFalse(self.billable(self.other))
        # the other way: written off while pending, the project no longer asks
        self.book.action_write_off("Goodwill")
        self.project.invoicera_client_approval = False
        self.book.action_include()
        self.assertEqual(self.book.client_approval, "not_required")
        self.assertIn(self.book, self.billable())

    def test_work_billed_in_another_currency_is_asked_again(self):
        """Approved at 100 USD an hour, the work would be billed in euros once its
        project is: the client approves that amount anew."""
        self.moodboard._client_decide("approved", self.contact)
        self.assertIn(self.moodboard, self.billable())
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.project.invoicera_rate_currency_id = eur
        self.assertEqual(self.moodboard.currency_id, eur)
        self.assertEqual(self.moodboard.client_approval, "pending")
        self.assertNotIn(self.moodboard, self.billable())

    def test_work_taken_back_meanwhile_is_named(self):
        """Work taken off the client's bill (moved to an internal project) or
        deleted since the page was opened: the client is told so, not that the
        work is another client's."""
        self.authenticate(self.user.login, self.user.login)
        self.url_open("/my/billing/approvals")
        internal = self.env["project.project"].create({"name": "Internal", "allow_billable": False})
        lines = self.env["account.analytic.line"]
        lines.browse(self.logo.source_id).project_id = internal
        self.assertFalse(self.logo.active)
        response = self.decide(self.book | self.logo, "approved")
        self.assertNotIn("not yours", response.text)
        self.assertIn("Logo drafts no longer awaits your approval", response.text)
        lines.browse(self.logo.source_id).project_id = self.project
        lines.browse(self.book.source_id).unlink()
        response = self.decide(self.book | self.logo, "approved")
        self.assertNotIn("not yours", response.text)
        self.assertIn("deleted since you opened this page", response.text)
        self.assertEqual(self.logo.client_approval, "pending", "nothing decided")

    def test_annex_dates_the_approval_on_the_client_s_day(self):
        """Approved in Paris at 00:30 on 6 March (23:30 UTC on the 5th): the annex
        says 6 March, whoever makes it (a New York clerk, the sending cron)."""
        self.contact.tz = "Europe/Paris"
        with freeze_time("2026-03-05 23:30:00"):
            (self.moodboard | self.logo | self.book)._client_decide("approved", self.contact)
        self.client.invoicera_annex_detail = "entry"
        invoice = self.billable()._invoice(self.env.company, date(2026, 3, 31), post=True)
        for tz in ("America/New_York", False):
            html = (
                self.env["ir.actions.report"]
                .with_context(tz=tz)
                ._render_qweb_html("invoicera_billing.action_report_time_annex", invoice.ids)[0]
                .decode()
            )
            self.assertIn("approved by Gil Gamma on 03/06/2026", html, tz)

    def test_a_dispute_outlives_turning_approval_off(self):
        """Staff stop asking the client: the work it disputed stays out of
        billing with its comment until settled ("Ask the Client Again", which
        then bills it); before, it was billed at the disputed hours and the
        comment erased."""
        self.book._client_decide("disputed", self.contact, "Too many hours")
        self.project.invoicera_client_approval = False
        self.assertEqual(self.billable(), self.moodboard | self.logo)
        self.assertEqual(
            (self.book.client_approval, self.book.client_comment), ("disputed", "Too many hours")
        )
        screen = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(screen.disputed_count, 1)
        # edited (its description, its hours at the source): still disputed
        self.book.write({"name": "Brand book, second round"})
        self.book._sources()["account.analytic.line"].unit_amount = 3
        self.assertEqual(self.book.client_approval, "disputed")
        self.assertNotIn(self.book, self.billable())
        self.book.action_ask_client_again()
        self.assertEqual(self.book.client_approval, "not_required")
        self.assertEqual(self.billable(), self.moodboard | self.logo | self.book)

    def test_work_edited_after_approval_stopped_is_not_asked_again(self):
        """Approved, invoiced, then the project stops asking and the invoice is
        cancelled: an edit of the work no longer sends it to the client (it
        waited, out of every run, for an approval nobody asks)."""
        self.moodboard._client_decide("approved", self.contact)
        invoice = self.moodboard._invoice(self.env.company, date(2026, 3, 31))
        self.project.invoicera_client_approval = False
        invoice.button_cancel()
        self.moodboard.write({"quantity": 3, "adjustment_reason": "Extra round"})
        self.assertEqual(self.moodboard.client_approval, "not_required")
        self.assertIn(self.moodboard, self.billable())
        self.authenticate(self.user.login, self.user.login)
        self.assertNotIn("Moodboard", self.url_open("/my/billing/approvals").text)

    def test_the_manager_reads_the_comment_given_with_an_approval(self):
        self.authenticate(self.user.login, self.user.login)
        self.decide(self.moodboard, "approved", "Bill phase 2 separately")
        message = self.project.message_ids.filtered(lambda m: "approved 1 item" in (m.body or ""))
        self.assertIn("Bill phase 2 separately", message.body)
        self.assertIn(self.manager.partner_id, message.partner_ids)

    def test_work_not_approved_is_not_invoiced_through_the_api(self):
        """A run leaves out work awaiting the client or disputed; invoiced
        directly (the integrators' ``_invoice``), it is refused by name and
        nothing is invoiced."""
        self.moodboard._client_decide("approved", self.contact)
        self.book._client_decide("disputed", self.contact, "Too many hours")
        with self.assertRaisesRegex(
            UserError, "await the client's approval, or the client disputed them:"
        ) as refused:
            (self.moodboard | self.logo | self.book)._invoice(self.env.company, date(2026, 3, 31))
        named = str(refused.exception)
        self.assertIn("Logo drafts", named)
        self.assertIn("Brand book", named)
        self.assertNotIn("Moodboard", named)
        self.assertEqual(self.moodboard.state, "to_bill")
        self.assertTrue(self.moodboard._invoice(self.env.company, date(2026, 3, 31)))

    def test_a_write_down_confirmed_is_not_asked_again(self):
        """Approved at 1.5 h, its work corrected from 2 h to 3 h (which the client
        does not see) and the 1.5 h confirmed: still approved, billed (it went
        back to the client, though nothing it sees changed)."""
        self.moodboard.write({"quantity": 1.5, "adjustment_reason": "Agreed"})
        self.moodboard._client_decide("approved", self.contact)
        self.moodboard._sources()["account.analytic.line"].unit_amount = 3
        self.assertEqual(self.moodboard.client_approval, "approved")
        self.assertTrue(self.moodboard.quantity_outdated)
        self.moodboard.write({"quantity": 1.5})
        self.assertFalse(self.moodboard.quantity_outdated)
        self.assertEqual(self.moodboard.client_approval, "approved")
        self.assertIn(self.moodboard, self.billable())
