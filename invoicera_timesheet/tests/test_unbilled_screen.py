import ast
from datetime import date, timedelta

import lxml.etree
from freezegun import freeze_time

from odoo import fields
from odoo.api import call_kw
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestUnbilledScreen(InvoiceraTimesheetCase):
    """Billing ▸ Unbilled Work: one line per client and currency."""

    def test_client_totals(self):
        self.log_time(self.alice, 2, day="2026-03-02")
        self.log_time(self.bob, 1.5, day="2026-03-05")
        soon = fields.Date.context_today(self.env["res.partner"]) + timedelta(days=10)
        deferred = self.item_of(self.log_time(self.bob, 1, day="2026-03-06"))
        deferred.action_defer(soon + timedelta(days=50))
        self.log_time(self.alice, 4, project=self.project_eur, day="2026-03-07")
        self.env["project.milestone"].create(
            [
                {
                    "name": "Beta",
                    "project_id": self.project.id,
                    "deadline": soon,
                    "invoicera_amount": 1000,
                },
                {
                    "name": "Done",
                    "project_id": self.project.id,
                    "deadline": soon,
                    "is_reached": True,
                },
            ]
        )
        Screen = self.env["invoicera.unbilled.client"]
        acme = Screen.search([("partner_id", "=", self.client.id)])
        self.assertRecordValues(
            acme,
            [
                {
                    "currency_id": self.usd.id,
                    "item_count": 2,
                    "hours": 3.5,
                    "amount": 2 * 90 + 1.5 * 60,
                    "oldest_date": date(2026, 3, 2),
                    "deferred_count": 1,
                    "next_milestone_date": soon,
                }
            ],
        )
        lumiere = Screen.search([("partner_id", "=", self.client_eur.id)])
        self.assertEqual((lumiere.currency_id, lumiere.amount), (self.usd, 360.0))
        # Invoicing empties the line.
        self.invoice(self.client)
        acme = Screen.search([("partner_id", "=", self.client.id)])
        self.assertEqual((acme.item_count, acme.deferred_count), (0, 1))
        self.assertFalse(
            Screen.search([("partner_id", "=", self.client.id), ("item_count", ">", 0)])
        )

    def test_the_amount_is_the_invoices_not_the_items_rounded_one_by_one(self):
        """A rate of 85.50 and entries of a quarter of an hour: each item is
        21.38 (21.375 rounded), the invoice one line of 10 h, 855.00. The
        screen shows what the invoice will bill (before: 855.20); a client
        billed one line per item is billed the items' amounts, and shown them."""
        self.alice.invoicera_billing_rate = 85.5
        for _entry in range(40):
            self.log_time(self.alice, 0.25, day="2026-03-02")
        items = self.Item.search([("partner_id", "=", self.client.id)])
        self.assertEqual(set(items.mapped("amount")), {21.38})
        Screen = self.env["invoicera.unbilled.client"].with_user(self.billing_user)
        self.assertEqual(Screen.search([("partner_id", "=", self.client.id)]).amount, 855.0)
        self.assertEqual(self.invoice(self.client).amount_untaxed, 855.0)
        # one line per item (in this company): the items' amounts
        self.client.with_company(self.company).invoicera_invoice_detail = "item"
        for _entry in range(3):
            self.log_time(self.alice, 0.25, day="2026-03-03")
        acme = Screen.search([("partner_id", "=", self.client.id), ("item_count", ">", 0)])
        self.assertEqual(acme.amount, 64.14)
        self.assertEqual(self.invoice(self.client).amount_untaxed, 64.14)

    def test_totals_are_what_invoice_all_bills(self):
        """Work waiting for the client's approval is counted apart, not in the
        amount to bill: "Invoice all" does not bill it."""
        self.log_time(self.alice, 2, day="2026-03-02")
        self.project_eur.invoicera_client_approval = True
        self.log_time(self.bob, 1, project=self.project_eur, day="2026-03-03")
        acme = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        self.assertEqual((acme.item_count, acme.amount), (1, 180.0))
        lumiere = self.env["invoicera.unbilled.client"].search(
            [("partner_id", "=", self.client_eur.id)]
        )
        self.assertRecordValues(
            lumiere, [{"item_count": 0, "hours": 0.0, "amount": 0.0, "pending_count": 1}]
        )
        # The screen opens on its "With Unbilled Work" filter: Lumière is on it.
        search_view = self.env.ref("invoicera_timesheet.invoicera_unbilled_client_view_search")
        has_items = lxml.etree.fromstring(search_view.arch).find(".//filter[@name='has_items']")
        listed = self.env["invoicera.unbilled.client"].search(
            ast.literal_eval(has_items.get("domain"))
        )
        self.assertIn(self.client_eur, listed.partner_id, "listed: its work awaits the client")
        self.assertFalse(
            self.Item.search(self.Item._billable_domain(self.company, date(2026, 3, 31))).filtered(
                lambda item: item.partner_id == self.client_eur
            ),
            "nothing of Lumière's is billed by Invoice all",
        )

    def test_work_dated_later_is_counted_apart(self):
        """Time logged ahead (dated after today) is not in what "Invoice all"
        bills today (its cut-off is today): counted apart, as "Dated Later",
        and billed once a run's cut-off reaches its date."""
        today = fields.Date.context_today(self.env["res.partner"])
        self.log_time(self.alice, 2, day=today - timedelta(days=3))
        later = self.item_of(self.log_time(self.alice, 1, day=today + timedelta(days=4)))
        Screen = self.env["invoicera.unbilled.client"]
        acme = Screen.search([("partner_id", "=", self.client.id)])
        self.assertEqual((acme.item_count, acme.amount, acme.later_count), (1, 180.0, 1))
        run = self.env["invoicera.billing.run"].with_context(**acme.action_invoice()["context"])
        run = run.create({})
        self.assertEqual((run.invoice_date, run.cutoff_date), (today, today))
        run.action_start()
        self.assertEqual(run.invoice_ids.amount_untaxed, acme.amount, "the screen's total")
        self.assertEqual(later.state, "to_bill")
        Screen.invalidate_model()
        acme = Screen.search([("partner_id", "=", self.client.id)])
        self.assertEqual((acme.item_count, acme.later_count), (0, 1))
        search_view = self.env.ref("invoicera_timesheet.invoicera_unbilled_client_view_search")
        has_items = lxml.etree.fromstring(search_view.arch).find(".//filter[@name='has_items']")
        self.assertIn(acme, Screen.search(ast.literal_eval(has_items.get("domain"))))

    def test_actions_open_the_items_and_the_invoicing_dialog(self):
        self.log_time(self.alice, 2)
        line = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        review = line.action_review()
        self.assertEqual(review["res_model"], "invoicera.billable.item")
        self.assertEqual(
            self.Item.search(review["domain"]),
            self.Item.search([("partner_id", "=", self.client.id)]),
        )
        dialog = line.action_invoice()
        self.assertEqual(dialog["res_model"], "invoicera.billing.run")
        self.assertEqual(dialog["context"]["default_partner_ids"], self.client.ids)

    def test_header_buttons_as_the_web_client_calls_them(self):
        # The list's header buttons go through /web/dataset/call_button with the
        # selected ids (none selected: an empty list) as first argument.
        self.log_time(self.alice, 2)
        Screen = self.env["invoicera.unbilled.client"]
        for ids in ([], Screen.search([]).ids):
            dialog = call_kw(Screen, "action_invoice_all", [ids], {})
            self.assertEqual(dialog["res_model"], "invoicera.billing.run")
            self.assertFalse(dialog["context"]["default_partner_ids"], "Invoice All: every client")
            audit = call_kw(Screen, "action_audit_all", [ids], {})
            self.assertEqual(audit["tag"], "display_notification")

    def test_a_deferral_whose_day_is_reached_is_to_bill(self):
        """The screen counts what "Invoice all" bills today: work deferred to a
        day now reached is to bill again, no longer deferred."""
        to_bill = self.item_of(self.log_time(self.alice, 2, day="2026-03-02"))
        deferred = self.item_of(self.log_time(self.bob, 1, day="2026-03-05"))
        next_week = fields.Date.context_today(deferred) + timedelta(days=7)
        deferred.action_defer(next_week)
        Screen = self.env["invoicera.unbilled.client"]
        acme = Screen.search([("partner_id", "=", self.client.id)])
        self.assertEqual((acme.item_count, acme.amount, acme.deferred_count), (1, 180.0, 1))
        with freeze_time(next_week):
            Screen.invalidate_model()
            acme = Screen.search([("partner_id", "=", self.client.id)])
            self.assertEqual((acme.item_count, acme.amount, acme.deferred_count), (2, 240.0, 0))
            billed = self.Item.search(self.Item._billable_domain(self.company, next_week))
            self.assertEqual(
                billed.filtered(lambda item: item.partner_id == self.client), to_bill | deferred
            )

    def test_review_lists_the_lines_own_items(self):
        """A client's work in two currencies is on two lines; each line's Review
        lists its own items, whose total is the line's."""
        self.log_time(self.alice, 2)
        in_eur = self.item_of(self.log_time(self.bob, 1))
        # as a vendor cost billed in the vendor's currency
        in_eur.with_context(invoicera_engine=ENGINE).currency_id = self.eur
        lines = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(lines.currency_id, self.usd | self.eur)
        for line in lines:
            items = self.Item.search(line.action_review()["domain"])
            self.assertEqual(items.currency_id, line.currency_id)
            self.assertEqual(sum(items.mapped("amount")), line.amount)

    def test_invoicing_opens_on_the_lines_company(self):
        """From a line of another company's work, the run invoices that company's."""
        self.log_time(self.alice, 2)
        other = self.env["res.company"].create({"name": "Northbridge Labs"})
        self.env.user.company_ids |= other
        line = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        dialog = line.with_company(other).action_invoice()
        run = (
            self.env["invoicera.billing.run"]
            .with_company(other)
            .with_context(**dialog["context"])
            .create({})
        )
        self.assertEqual(run.company_id, self.company)
        self.assertEqual(run.partner_ids, self.client)
        # lines of two companies: one company at a time
        moved = self.item_of(self.log_time(self.bob, 1, project=self.project_eur))
        # (its company's work, without building that company's employees and projects)
        self.env.cr.execute(
            "UPDATE invoicera_billable_item SET company_id = %s WHERE id = %s", (other.id, moved.id)
        )
        self.env.invalidate_all()
        lines = self.env["invoicera.unbilled.client"].search([])
        with self.assertRaisesRegex(UserError, "one company's clients at a time"):
            lines.action_invoice()
