import re
from datetime import timedelta

from freezegun import freeze_time
from lxml import html

from odoo import http
from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPromiseDiscountStatement(InvoiceraPortalCommon, HttpCase):
    """What a client noticed going wrong in the portal, fixed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.overdue, cls.not_due = cls.make_invoices(cls.client_a, [(100, -40), (300, 20)])
        cls.Promise = cls.env["invoicera.payment.promise"]
        cls.demo_provider()  # in test mode, published: the portal pays with it
        cls.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", True)
        cls.early_term = cls.make_early_discount_term()

    def login(self, user):
        self.authenticate(user.login, user.login)

    def post(self, url, **data):
        return self.url_open(url, data=dict(data, csrf_token=http.Request.csrf_token(self)))

    def promise(self, invoice, days):
        return self.post(
            "/my/billing/promise",
            invoice_id=invoice.id,
            promised_date=(self.today + timedelta(days=days)).isoformat(),
        )

    def test_promising_again_moves_the_date(self):
        """A client who promised to pay in 20 days, then promises 5 days (a second
        tab, a page not reloaded): the invoice is promised for 5 days, as the
        client was told, and its reminders resume after that date."""
        self.login(self.user_a1)
        self.promise(self.overdue, 20)
        response = self.promise(self.overdue, 5)
        self.assertIn("we noted your promise", response.text)
        sooner = self.today + timedelta(days=5)
        self.assertEqual(self.overdue.invoicera_promised_date, sooner)
        self.assertFalse(self.overdue._invoicera_reminders_paused(sooner + timedelta(days=1)))
        # Staff see the first promise replaced by the second, the one they wait for.
        first, latest = self.Promise.search([("invoice_id", "=", self.overdue.id)]).sorted("id")
        self.assertEqual((first.state, latest.state), ("replaced", "open"))
        self.assertEqual(self.Promise.search([("state", "=", "open")]), latest)
        # The latest promise broken, the one it replaced does not pause reminders.
        self.env.cr.execute(
            "UPDATE invoicera_payment_promise SET promised_date = %s WHERE id = %s",
            [self.today - timedelta(days=1), latest.id],
        )
        self.env.invalidate_all()
        latest._compute_state()
        self.assertEqual(latest.state, "broken")
        self.assertFalse(self.overdue.invoicera_promised_date)

    def test_a_broken_promise_stays_broken_when_the_client_promises_again(self):
        self.login(self.user_a1)
        self.promise(self.overdue, 3)
        broken = self.Promise.search([("invoice_id", "=", self.overdue.id)])
        self.env.cr.execute(
            "UPDATE invoicera_payment_promise SET promised_date = %s, "
            "create_date = create_date - interval '5 days' WHERE id = %s",
            [self.today - timedelta(days=2), broken.id],
        )
        self.env.invalidate_all()
        broken._compute_state()
        self.assertEqual(broken.state, "broken")
        self.assertIn("we noted your promise", self.promise(self.overdue, 7).text)
        latest = self.Promise.search([("invoice_id", "=", self.overdue.id)]) - broken
        self.assertEqual((broken.state, latest.state), ("broken", "open"))
        self.assertEqual(self.overdue.invoicera_promised_date, self.today + timedelta(days=7))

    def test_one_invoice_with_an_early_payment_discount_is_offered_at_its_discount(self):
        """Ticking only an invoice still in its early payment discount period, the
        pay page offers what Odoo's invoice page does: the discounted amount (not
        the full amount, which would pay the invoice without the discount)."""
        term = self.early_term
        discounted = self.make_invoice_on_term(self.client_a, 1000, term)
        self.login(self.user_a1)

        def offered(invoices):
            ids = ",".join(str(i) for i in invoices.ids)
            page = self.url_open(f"/my/billing/pay?invoice_ids={ids}").text
            return float(re.search(r'id="invoicera_amount"[^>]* value="([\d.]+)"', page)[1])

        self.assertEqual(offered(discounted), 980)
        # With another invoice, no discount: everything they owe.
        self.assertEqual(offered(discounted | self.overdue), 1100)
        # Past its discount period, an invoice owes its full amount.
        late = self.make_invoice_on_term(
            self.client_a, 1000, term, invoice_date=self.today - timedelta(days=15)
        )
        self.assertEqual(offered(late), 1000)

    def test_autopay_takes_the_early_payment_discount(self):
        """A client on autopay whose invoice gives 2% off if paid within 10 days is
        charged when the invoice is posted: the discounted amount, the invoice paid
        in full (not the full amount, as if it paid late)."""
        token = self.make_demo_token(self.contact_a1)
        self.client_a.invoicera_autopay_token_id = token
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_payment_term_id": self.early_term.id,
                "invoice_line_ids": [self.consulting_line(1000)],
            }
        )
        with trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        self.assertEqual(invoice.transaction_ids.amount, 980)
        self.assertEqual(invoice.amount_residual, 0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_discount_paid_in_time_is_granted_when_the_payment_confirms_later(self):
        """A client pays an invoice of 1,000 at its discount of 2% on the last days of
        its discount period, by direct debit: the bank confirms the 980 five days
        later, past the period. The invoice is paid in full, the discount written
        off, rather than left owing 20 (and reminded of them)."""
        invoice = self.make_invoice_on_term(
            self.client_a, 1000, self.early_term, invoice_date=self.today - timedelta(days=9)
        )
        self.assertEqual(invoice._invoicera_amount_to_pay(), 980)
        tx = self.portal_transaction(invoice, 980)
        tx._set_pending()
        with freeze_time(self.today + timedelta(days=5)):
            tx._set_done()
            tx._post_process()
        self.assertEqual(invoice.amount_residual, 0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(tx.payment_id.amount, 980)

    def test_discount_offered_on_the_payers_day_is_granted(self):
        """The last day of the discount period, at 8 p.m. where the client is
        (UTC), the pay page offers 980 of 1,000; it is already the next morning
        in Tokyo, where the company is. The direct debit confirmed days later
        pays the invoice in full, as offered: it was left owing 20."""
        self.env.company.partner_id.tz = "Asia/Tokyo"
        self.contact_a1.tz = "UTC"
        invoice = self.make_invoice_on_term(
            self.client_a, 1000, self.early_term, invoice_date=self.today - timedelta(days=10)
        )
        self.assertEqual(invoice.with_context(tz="UTC")._invoicera_amount_to_pay(), 980, "offered")
        tx = self.portal_transaction(invoice, 980)
        self.env.cr.execute(
            "UPDATE payment_transaction SET create_date = %s WHERE id = %s",
            [f"{self.today} 20:00:00", tx.id],
        )
        tx.invalidate_recordset(["create_date"])
        tx._set_pending()
        with freeze_time(self.today + timedelta(days=3)):
            tx._set_done()
            tx._post_process()
        self.assertEqual(invoice.amount_residual, 0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_discount_is_not_granted_to_a_payment_made_late(self):
        """Paid after its discount period, 980 is not the invoice paid: 20 stay owed."""
        invoice = self.make_invoice_on_term(
            self.client_a, 1000, self.early_term, invoice_date=self.today - timedelta(days=15)
        )
        self.assertEqual(invoice._invoicera_amount_to_pay(), 1000)
        tx = self.portal_transaction(invoice, 980)
        tx._set_done()
        tx._post_process()
        self.assertEqual(invoice.amount_residual, 20)

    def test_statement_lists_no_exchange_difference_rows(self):
        """An invoice in euros paid when the rate changed: Odoo books the exchange
        difference in the company's currency, nothing in euros. The client's euro
        statement lists the invoice, its credit note and its payment, not an internal
        "exchange difference" entry with no amount."""
        eur = self.env.ref("base.EUR")
        eur.active = True
        # the rates of this test alone (the demo data's weekly rates may fall on
        # its days: one rate a day)
        self.env["res.currency.rate"].search([("currency_id", "=", eur.id)]).unlink()
        self.env["res.currency.rate"].create(
            [
                {
                    "currency_id": eur.id,
                    "name": self.today - timedelta(days=days),
                    "rate": rate,
                    "company_id": self.company.id,
                }
                for days, rate in ((60, 0.5), (2, 0.4))
            ]
        )
        invoice = self.make_invoices(self.client_a, [(100, -20)], currency=eur)
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.client_a.id,
                "currency_id": eur.id,
                "invoice_date": self.today - timedelta(days=10),
                "invoice_line_ids": [self.consulting_line(30)],
            }
        )
        refund.action_post()
        payments = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": 50, "payment_date": self.today - timedelta(days=1)})
            ._create_payments()
        )
        html = self.statement_html(self.client_a, self.today - timedelta(days=60))
        for document in invoice | refund | payments.move_id:
            self.assertIn(document.name, html)
        self.assertNotIn("exchange", html.lower(), "no exchange difference row")
        statement = self.client_a._invoicera_statement(self.today - timedelta(days=60), self.today)
        self.assertEqual(
            [(s["currency"].name, len(s["rows"]), s["closing"]) for s in statement],
            [("EUR", 3, 20.0), ("USD", 2, 400.0)],
        )

    def test_autopay_with_a_removed_payment_method(self):
        """The card autopay used was deleted from the portal (Odoo archives it): the
        dashboard no longer says new invoices are paid with it, and a new invoice,
        not charged, says why."""
        token = self.make_demo_token(self.contact_a1)
        self.client_a.invoicera_autopay_token_id = token
        self.login(self.user_a1)
        self.json_call("/payment/archive_token", {"token_id": token.id})
        self.assertFalse(token.active)
        for user in (self.user_a1, self.user_a2):
            self.login(user)
            page = html.fromstring(self.url_open("/my/billing").text)
            self.assertFalse(page.xpath("//select[@name='token_id']/option[@selected]"))
            self.assertIn(
                f"Automatic payment stopped: {token.display_name}",
                " ".join(page.xpath("//div[hasclass('o_invoicera_autopay_removed')]//text()")),
            )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_line_ids": [self.consulting_line(250)],
            }
        )
        with trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        self.assertFalse(invoice.sudo().transaction_ids, "nothing charged")
        self.assertIn(
            f"Automatic payment skipped: {token.display_name}", invoice.message_ids[0].body
        )

    def test_autopay_with_a_method_whose_owner_left(self):
        """The contact who saved the card lost portal access, then moved to another
        client: its card pays none of the client's invoices (autopay skips them),
        and the dashboard says so instead of showing it still chosen."""
        token = self.make_demo_token(self.contact_a1)
        self.client_a.invoicera_autopay_token_id = token
        self.login(self.user_a2)
        page = html.fromstring(self.url_open("/my/billing").text)
        self.assertEqual(
            page.xpath("//select[@name='token_id']/option[@selected]/@value"), [str(token.id)]
        )
        self.user_a1.active = False
        for stopped, said in (
            ("no_access", "who no longer has access to this portal."),
            ("moved", "no longer one of your contacts."),
        ):
            with self.subTest(stopped):
                if stopped == "moved":
                    self.contact_a1.parent_id = self.client_b
                page = html.fromstring(self.url_open("/my/billing").text)
                self.assertFalse(page.xpath("//select[@name='token_id']/option[@selected]"))
                warning = " ".join(
                    " ".join(
                        page.xpath("//div[hasclass('o_invoicera_autopay_removed')]//text()")
                    ).split()
                )
                self.assertIn(
                    f"Automatic payment stopped: {token.display_name} was saved by "
                    f"{self.contact_a1.name}, {said}",
                    warning,
                )
                self.assertEqual(self.client_a._invoicera_autopay_stopped(), stopped)

    def test_statement_leaves_out_a_currency_settled_before_the_period(self):
        """An invoice in euros, paid long ago: a statement of the last days shows the
        client's dollar account, not an empty euro table at zero."""
        eur = self.env.ref("base.EUR")
        eur.active = True
        invoice = self.make_invoices(self.client_a, [(100, -40)], currency=eur)
        (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"payment_date": self.today - timedelta(days=30)})
            ._create_payments()
        )
        self.assertEqual(invoice.amount_residual, 0)
        statement = self.client_a._invoicera_statement(self.today - timedelta(days=10), self.today)
        self.assertEqual([s["currency"].name for s in statement], ["USD"])
