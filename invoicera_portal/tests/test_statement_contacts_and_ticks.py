from datetime import timedelta

from lxml import html

from odoo.tests import HttpCase, new_test_user, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestStatementContactsAndTicks(InvoiceraPortalCommon, HttpCase):
    """What billing staff and clients noticed going wrong, fixed (second review)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.old, cls.recent = cls.make_invoices(cls.client_a, [(100, -40), (300, 20)])
        cls.invoice_b = cls.make_invoices(cls.client_b, [(555, -20)])
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.write({"state": "test", "is_published": True})
        cls.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", True)
        cls.clerk = new_test_user(
            cls.env,
            login="statement_clerk_2",
            groups="base.group_user,invoicera_billing.group_billing_user",
        )

    # -- statements printed from the contacts (Action > Statement of Account) --------

    def print_statements(self, partners, companies=None, text=True):
        """Print the statements of ``partners`` as the web client does from the
        wizard, with ``companies`` ticked in the company switcher (the current one
        first): the statements printed, as (letterhead company, text) per statement
        (its HTML element if not ``text``)."""
        companies = companies or self.company
        self.clerk.company_ids |= companies
        wizard = (
            self.env["invoicera.statement.wizard"]
            .with_user(self.clerk)
            .with_context(
                allowed_company_ids=companies.ids,
                active_model="res.partner",
                active_ids=partners.ids,
            )
            .create({"date_from": self.today - timedelta(days=90)})
        )
        action = wizard.action_print()
        # as the web client prints a report action with data: no docids, the
        # action's data and context only (/report/<converter>/<report>?options=)
        content, _type = (
            self.env["ir.actions.report"]
            .with_user(self.clerk)
            .with_context(**action["context"])
            ._render_qweb_html(action["report_name"], None, data=action["data"])
        )
        articles = html.fromstring(content.decode()).xpath("//div[hasclass('article')]")
        Company = self.env["res.company"]
        return [
            (
                Company.browse(
                    int(
                        next(
                            cls
                            for cls in article.get("class").split()
                            if cls.startswith("o_company_") and cls.endswith("_layout")
                        )[len("o_company_") : -len("_layout")]
                    )
                ),
                article.text_content() if text else article,
            )
            for article in articles
        ]

    def test_two_contacts_of_a_client_print_one_statement(self):
        """Ticking two contacts of Alpha Corp (and one of Beta Ltd) in the contacts
        list prints Alpha's statement once, and Beta's: one per client."""
        printed = self.print_statements(self.contact_a1 | self.contact_a2 | self.contact_b)
        self.assertEqual(len(printed), 2, "one statement per client")
        (_company, alpha), (_company, beta) = printed
        self.assertIn(self.old.name, alpha)
        self.assertNotIn(self.invoice_b.name, alpha)
        self.assertIn(self.invoice_b.name, beta)
        self.assertNotIn(self.old.name, beta)
        # a client ticked with its contact: still once
        self.assertEqual(len(self.print_statements(self.client_a | self.contact_a1)), 1)

    def test_a_statement_per_company(self):
        """Alpha Corp owes two companies of the database, both ticked in the company
        switcher: each company's entries are on a statement of its own, under its own
        letterhead, with its own balance (not one statement mixing both)."""
        audit = self.make_other_company_move(self.client_a, 45, days_ago=3)
        audit.action_post()
        other = audit.company_id
        printed = self.print_statements(self.client_a, companies=self.company | other)
        self.assertEqual([company for company, _text in printed], [self.company, other])
        (_main, main_text), (_other, other_text) = printed
        for name in (self.old | self.recent).mapped("name"):
            self.assertIn(name, main_text)
            self.assertNotIn(name, other_text)
        self.assertIn(audit.name, other_text)
        self.assertNotIn(audit.name, main_text)
        self.assertIn("400.00", main_text.replace(",", ""))
        self.assertNotIn("445.00", main_text.replace(",", ""), "no balance across companies")
        # With only the other company ticked: its statement only.
        printed = self.print_statements(self.client_a, companies=other)
        self.assertEqual([company for company, _text in printed], [other])
        # A client with no entry in any company: one statement, saying so.
        quiet = self.env["res.partner"].create({"name": "Quiet Co", "is_company": True})
        printed = self.print_statements(quiet, companies=self.company | other)
        self.assertEqual(len(printed), 1)
        self.assertIn("No entries in this period.", printed[0][1])

    # -- the statement's rows ------------------------------------------------------

    def test_statement_row_shows_the_number_once(self):
        """An invoice without customer reference reads its number once, not
        "INV/2026/00019 INV/2026/00019"; one with a reference reads both."""
        with_ref = self.make_invoices(self.client_a, [(70, 10)])
        with_ref.ref = "PO-4711"
        ((_company, article),) = self.print_statements(self.client_a, text=False)
        rows = [" ".join(row.text_content().split()) for row in article.xpath(".//tr[td]")]
        for invoice in self.old | self.recent | with_ref:
            (row,) = [row for row in rows if invoice.name in row]
            self.assertEqual(row.count(invoice.name), 1, row)
        (row,) = [row for row in rows if with_ref.name in row]
        self.assertIn("PO-4711", row)

    # -- the pay page --------------------------------------------------------------

    def test_a_refused_amount_keeps_the_invoices_ticked(self):
        """The client ticks two invoices and enters more than they owe: the pay page
        says what is wrong, with the two invoices still there to pay (not the
        dashboard, the selection lost)."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        ids = f"{self.old.id},{self.recent.id}"
        page = self.url_open(f"/my/billing/pay?invoice_ids={ids}&amount=1000")
        self.assertEqual(page.status_code, 200)
        self.assertTrue(page.url.split("?")[0].endswith("/my/billing/pay"), page.url)
        tree = html.fromstring(page.text)
        error = " ".join(tree.xpath("//div[hasclass('alert-danger')]//text()"))
        self.assertIn("cannot be more than what these invoices owe", error)
        self.assertIn("400.00", error, "names what they owe")
        self.assertIn("1,000.00", error, "names what they entered")
        self.assertIn("Pay 2 invoice(s)", page.text)
        self.assertEqual(
            tree.xpath(
                "//form[hasclass('o_invoicera_amount_form')]//input[@name='invoice_ids']/@value"
            ),
            [ids],
        )
        self.assertEqual(tree.xpath("//input[@id='invoicera_amount']/@value"), ["1000"])
        # nothing to pay until the amount is corrected
        self.assertFalse(tree.xpath("//*[@id='o_payment_form']"))
        for amount, message in (("0", "must be more than zero"), ("abc", "not a number")):
            with self.subTest(amount=amount):
                page = self.url_open(f"/my/billing/pay?invoice_ids={ids}&amount={amount}")
                self.assertIn("Pay 2 invoice(s)", page.text)
                self.assertIn(message, page.text)
        # corrected: the page offers to pay it
        page = self.url_open(f"/my/billing/pay?invoice_ids={ids}&amount=250")
        self.assertFalse(html.fromstring(page.text).xpath("//div[hasclass('alert-danger')]"))

    def test_invoices_refused_together_stay_ticked_on_the_dashboard(self):
        """The client ticks an invoice whose payment staff blocked with another: back
        on the dashboard, it is told which one, and the invoice it may pay is still
        ticked."""
        self.recent.action_toggle_block_payment()
        blocked_with_payable = self.make_invoices(self.client_a, [(50, -5)])
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open(
            f"/my/billing/pay?invoice_ids={self.old.id},{self.recent.id},{blocked_with_payable.id}"
        )
        tree = html.fromstring(page.text)
        error = " ".join(tree.xpath("//div[hasclass('alert-danger')]//text()"))
        self.assertIn(f"{self.recent.name} cannot be paid online", error)
        self.assertEqual(
            {int(v) for v in tree.xpath("//input[@name='invoice_ids'][@checked]/@value")},
            {self.old.id, blocked_with_payable.id},
        )
        # shown once: reloading the dashboard starts afresh
        tree = html.fromstring(self.url_open("/my/billing").text)
        self.assertFalse(tree.xpath("//input[@name='invoice_ids'][@checked]"))
