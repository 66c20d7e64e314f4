import json
import re
from datetime import timedelta
from urllib.parse import urlencode as url_encode

from lxml import html

from odoo import http
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPortalRoutes(InvoiceraPortalCommon, HttpCase):
    """Every billing route: what the client sees, and that it sees nothing of others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.invoices_a = cls.make_invoices(cls.client_a, [(120, -10), (80, 15)])
        cls.invoices_b = cls.make_invoices(cls.client_b, [(555, -20)])
        cls.overdue_a, cls.not_due_a = cls.invoices_a
        cls.Promise = cls.env["invoicera.payment.promise"]

    def login(self, user):
        self.authenticate(user.login, user.login)

    def post(self, url, **data):
        return self.url_open(url, data=dict(data, csrf_token=http.Request.csrf_token(self)))

    def test_dashboard_shows_own_documents_only(self):
        for user in (self.user_a1, self.user_a2):
            self.login(user)
            response = self.url_open("/my/billing")
            self.assertEqual(response.status_code, 200)
            self.assertIn(self.overdue_a.name, response.text)
            self.assertIn(self.not_due_a.name, response.text)
            self.assertNotIn(self.invoices_b.name, response.text)
        self.login(self.user_b)
        response = self.url_open("/my/billing")
        self.assertIn(self.invoices_b.name, response.text)
        self.assertNotIn(self.overdue_a.name, response.text)

    def test_dashboard_is_under_the_portal_home(self):
        """As every portal page: Home / Billing at the top (it had none)."""
        self.login(self.user_a1)
        page = html.fromstring(self.url_open("/my/billing").text)
        crumbs = page.xpath("//ol[hasclass('o_portal_submenu')]")
        self.assertTrue(crumbs, "no breadcrumb")
        self.assertTrue(crumbs[0].xpath(".//a[@href='/my/home']"))
        self.assertEqual(crumbs[0].xpath("string(.//li[hasclass('active')])").strip(), "Billing")

    def test_dashboard_needs_a_login(self):
        self.authenticate(None, None)
        response = self.url_open("/my/billing", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_portal_home_links_the_dashboard(self):
        self.login(self.user_a1)
        self.assertIn('href="/my/billing"', self.url_open("/my").text)

    def test_promise_to_pay(self):
        self.login(self.user_a1)
        day = self.today + timedelta(days=7)
        response = self.post(
            "/my/billing/promise",
            invoice_id=self.overdue_a.id,
            promised_date=day.isoformat(),
            note="Payroll on Friday",
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("we noted your promise", response.text)
        promise = self.Promise.search([("invoice_id", "=", self.overdue_a.id)])
        self.assertRecordValues(
            promise,
            [
                {
                    "promised_date": day,
                    "promised_by_id": self.contact_a1.id,
                    "state": "open",
                    "note": "Payroll on Friday",
                }
            ],
        )
        self.assertEqual(self.overdue_a.invoicera_promised_date, day)
        self.assertTrue(self.overdue_a._invoicera_reminders_paused(self.today))
        self.assertFalse(self.overdue_a._invoicera_reminders_paused(day + timedelta(days=1)))

    def test_an_invoice_with_an_overdue_instalment_is_overdue(self):
        """An invoice whose first instalment is past due is overdue, though Odoo's due
        date (its last instalment's) is ahead: the dashboard counts that instalment in
        the overdue total and its aging row, the rest as not due yet, badges the
        invoice, says when its next instalment was due, and the client may promise
        to pay it."""
        invoice = self.make_instalment_invoice(self.client_a, 1000, (-10, 50))
        self.login(self.user_a1)
        page = html.fromstring(self.url_open("/my/billing").text)

        def amount(element):
            return float(re.sub(r"[^\d.]", "", element.text_content()))

        (overdue,) = page.xpath("//div[hasclass('o_invoicera_overdue')]")
        self.assertEqual(amount(overdue), 420, "120 of the other invoice, 300 of the instalment")
        buckets = {
            row.get("data-bucket"): (
                amount(row.xpath("./td")[-1]),
                row.xpath("./td")[1].text_content().split()[0],
            )
            for row in page.xpath("//tr[@data-bucket]")
        }
        self.assertEqual(buckets["d1_30"], (420, "2"))
        self.assertEqual(buckets["current"], (780, "2"))
        self.assertTrue(page.xpath("//p[hasclass('o_invoicera_split_note')]"))
        (row,) = page.xpath(
            f"//table[hasclass('o_invoicera_open_invoices')]//tr[@data-invoice='{invoice.name}']"
        )
        self.assertIn("Overdue", row.text_content())
        (next_due,) = row.xpath(".//*[hasclass('o_invoicera_next_instalment')]")
        self.assertIn("300.00", next_due.text_content())
        self.assertTrue(row.xpath(".//form[hasclass('o_invoicera_promise')]"), "promise offered")
        response = self.post(
            "/my/billing/promise",
            invoice_id=invoice.id,
            promised_date=(self.today + timedelta(days=7)).isoformat(),
        )
        self.assertIn("we noted your promise", response.text)
        self.assertEqual(invoice.invoicera_promised_date, self.today + timedelta(days=7))
        # An invoice whose first instalment is not due yet still cannot be promised.
        ahead = self.make_instalment_invoice(self.client_a, 1000, (5, 50))
        response = self.post(
            "/my/billing/promise",
            invoice_id=ahead.id,
            promised_date=(self.today + timedelta(days=7)).isoformat(),
        )
        self.assertIn(f"The invoice {ahead.name} is not overdue.", response.text)

    def test_following_another_clients_invoice_does_not_let_one_promise_it(self):
        """A contact of A following B's invoice sees it (Odoo's portal rule) but the
        promise, which pauses B's reminders, is B's to make."""
        self.invoices_b.message_subscribe(partner_ids=self.contact_a1.ids)
        self.login(self.user_a1)
        self.assertEqual(self.url_open(f"/my/invoices/{self.invoices_b.id}").status_code, 200)
        response = self.post(
            "/my/billing/promise",
            invoice_id=self.invoices_b.id,
            promised_date=(self.today + timedelta(days=7)).isoformat(),
        )
        self.assertIn("This invoice is not yours to promise.", response.text)
        self.assertFalse(self.Promise.search([("invoice_id", "=", self.invoices_b.id)]))

    def test_promises_cannot_pause_reminders_beyond_the_limit(self):
        """Promising again moves the date within the limit counted from the first
        promise on the invoice, not from each new one: reminders resume at the latest
        the configured number of days after the client first promised."""
        self.login(self.user_a1)
        page = self.url_open("/my/billing").text
        self.assertIn(f'max="{self.today + timedelta(days=30)}"', page, "the date picker's limit")
        first = self.today + timedelta(days=20)
        self.post("/my/billing/promise", invoice_id=self.overdue_a.id, promised_date=first)
        promise = self.Promise.search([("invoice_id", "=", self.overdue_a.id)])
        self.env.cr.execute(
            "UPDATE invoicera_payment_promise SET create_date = create_date - interval '25 days' "
            "WHERE id = %s",
            [promise.id],
        )
        self.env.invalidate_all()
        late = self.today + timedelta(days=10)
        response = self.post(
            "/my/billing/promise", invoice_id=self.overdue_a.id, promised_date=late.isoformat()
        )
        self.assertIn("must be within 30 days from your first promise on", response.text)
        self.assertEqual(self.overdue_a.invoicera_promised_date, first)
        sooner = self.today + timedelta(days=5)
        response = self.post(
            "/my/billing/promise", invoice_id=self.overdue_a.id, promised_date=sooner.isoformat()
        )
        self.assertIn("we noted your promise", response.text)
        promises = self.Promise.search([("invoice_id", "=", self.overdue_a.id)])
        self.assertEqual(len(promises), 2)
        # Both lapse unpaid, the window has closed: the form is gone, a promise refused.
        self.env.cr.execute(
            "UPDATE invoicera_payment_promise SET create_date = create_date - interval '20 days', "
            "promised_date = promised_date - 40 WHERE id = ANY(%s)",
            [promises.ids],
        )
        self.env.invalidate_all()
        promises._compute_state()
        # the second promise replaced the first (it moved the date), and lapsed
        self.assertEqual(promises.sorted("id").mapped("state"), ["replaced", "broken"])
        self.assertFalse(self.overdue_a.invoicera_promised_date)
        page = self.url_open("/my/billing").text
        self.assertNotIn(f'name="invoice_id" value="{self.overdue_a.id}"', page)
        response = self.post(
            "/my/billing/promise", invoice_id=self.overdue_a.id, promised_date=sooner.isoformat()
        )
        self.assertIn("a new promise could not be later than", response.text)

    def test_bad_promises_are_refused(self):
        self.login(self.user_a1)
        cases = [
            (self.invoices_b.id, 7, "This invoice is not yours to promise."),
            (self.overdue_a.id, -1, "The promised date cannot be in the past."),
            (self.overdue_a.id, 31, "The promised date must be within 30 days from today."),
            (self.not_due_a.id, 7, f"The invoice {self.not_due_a.name} is not overdue."),
            (999999999, 7, "This invoice is not yours to promise."),
        ]
        for invoice_id, days, error in cases:
            with self.subTest(error=error):
                response = self.post(
                    "/my/billing/promise",
                    invoice_id=invoice_id,
                    promised_date=(self.today + timedelta(days=days)).isoformat(),
                )
                self.assertIn(error, response.text)
        self.assertFalse(
            self.Promise.search([("partner_id", "in", (self.client_a | self.client_b).ids)])
        )

    def test_messages_come_from_the_site_not_from_the_link(self):
        """A link someone else made cannot put its words on the billing pages; what
        the site says after a refused action shows once."""
        self.login(self.user_a1)
        forged = "Your account is suspended: call +1 555 0100 to pay"
        for page in ("/my/billing", "/my/billing/approvals"):
            for param in ("error", "message"):
                with self.subTest(page=page, param=param):
                    response = self.url_open(f"{page}?{url_encode({param: forged})}")
                    self.assertEqual(response.status_code, 200)
                    self.assertNotIn("call +1 555 0100", response.text)
        response = self.post(
            "/my/billing/promise",
            invoice_id=self.invoices_b.id,
            promised_date=(self.today + timedelta(days=7)).isoformat(),
        )
        self.assertIn("This invoice is not yours to promise.", response.text)
        self.assertNotIn("not yours to promise", self.url_open("/my/billing").text, "shown once")

    def test_statement_pdf_and_bad_period(self):
        self.login(self.user_a1)
        start, end = self.today - timedelta(days=60), self.today
        response = self.url_open(
            f"/my/billing/statement?date_from={start.isoformat()}&date_to={end.isoformat()}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        response = self.url_open(
            f"/my/billing/statement?date_from={end.isoformat()}&date_to={start.isoformat()}"
        )
        self.assertIn("start date must be on or before its end date", response.text)
        response = self.url_open("/my/billing/statement?date_from=yesterday&date_to=")
        self.assertIn("Give the statement", response.text)

    def test_statement_lists_the_client_entries_only(self):
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "invoicera_portal.action_report_statement",
            self.client_a.ids,
            data={
                "date_from": (self.today - timedelta(days=60)).isoformat(),
                "date_to": self.today.isoformat(),
            },
        )
        html = html.decode()
        self.assertIn(self.overdue_a.name, html)
        self.assertIn(self.not_due_a.name, html)
        self.assertNotIn(self.invoices_b.name, html)
        self.assertIn("200.00", html, "the closing balance")

    def test_statement_printed_by_billing_staff_only(self):
        """Any employee may read a partner; its statement (the client's entries,
        read as superuser) is printed by billing staff only, as the report says."""
        data = {"date_from": (self.today - timedelta(days=60)).isoformat()}
        data["date_to"] = self.today.isoformat()
        employee = new_test_user(self.env, login="warehouse_clerk", groups="base.group_user")
        clerk = new_test_user(
            self.env,
            login="billing_clerk",
            groups="base.group_user,invoicera_billing.group_billing_user",
        )
        Report = self.env["ir.actions.report"]
        with self.assertRaisesRegex(AccessError, "printed by billing staff"):
            Report.with_user(employee)._render_qweb_html(
                "invoicera_portal.action_report_statement", self.client_a.ids, data=data
            )
        html, _type = Report.with_user(clerk)._render_qweb_html(
            "invoicera_portal.action_report_statement", self.client_a.ids, data=data
        )
        self.assertIn(self.overdue_a.name, html.decode())

    def test_statement_printed_from_the_contact_for_a_period(self):
        """Billing staff print a client's statement from the contact (Action >
        Statement of Account), choosing the period the report needs; the Print
        menu, which cannot ask for one, no longer offers it."""
        clerk = new_test_user(
            self.env,
            login="statement_clerk",
            groups="base.group_user,invoicera_billing.group_billing_user",
        )
        employee = new_test_user(self.env, login="statement_employee", groups="base.group_user")

        def bindings(user):
            found = self.env["ir.actions.actions"].with_user(user).get_bindings("res.partner")
            return {kind: [a["name"] for a in found.get(kind, [])] for kind in found}

        self.assertIn("Statement of Account", bindings(clerk).get("action", []))
        self.assertNotIn("Statement of Account", bindings(clerk).get("report", []))
        self.assertNotIn("Statement of Account", bindings(employee).get("action", []))
        Wizard = (
            self.env["invoicera.statement.wizard"]
            .with_user(clerk)
            .with_context(active_model="res.partner", active_ids=self.client_a.ids)
        )
        with self.assertRaisesRegex(ValidationError, "start date must be on or before"):
            Wizard.create({"date_from": self.today + timedelta(days=1)})
        wizard = Wizard.create({"date_from": self.today - timedelta(days=60)})
        self.assertEqual((wizard.partner_ids, wizard.date_to), (self.client_a, self.today))
        action = wizard.action_print()
        self.assertEqual(action["report_name"], "invoicera_portal.report_statement")
        # as the web client downloads it: a report action with data names its
        # records in neither the URL nor the route's docids
        self.authenticate(clerk.login, clerk.login)
        query = url_encode(
            {"options": json.dumps(action["data"]), "context": json.dumps(action["context"])}
        )
        response = self.url_open(f"/report/html/{action['report_name']}?{query}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.overdue_a.name, response.text)
        self.assertNotIn(self.invoices_b.name, response.text)

    def test_statement_and_credit_are_of_the_portals_company_only(self):
        """The client also owes (or is owed) another company of the database: the
        statement and the available credit are those of the company whose invoices
        the portal shows, as the open invoices are."""
        refund = self.make_other_company_move(self.client_a, 45, "out_refund", days_ago=3)
        refund.action_post()
        client = self.client_a.with_user(self.user_a1)
        statement = client._invoicera_statement(self.today - timedelta(days=60), self.today)
        references = [row["reference"] for currency in statement for row in currency["rows"]]
        self.assertIn(self.overdue_a.name, references)
        self.assertNotIn(refund.name, references)
        self.assertEqual([currency["closing"] for currency in statement], [200.0])
        dashboard = client._invoicera_dashboard(today=self.today)
        self.assertEqual([currency["credit"] for currency in dashboard["currencies"]], [0.0])

    def test_invoice_token_link_still_works_and_grants_nothing_else(self):
        self.authenticate(None, None)
        url = self.overdue_a.get_portal_url()  # with its access token
        self.assertEqual(self.url_open(url).status_code, 200)
        response = self.url_open("/my/billing", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
