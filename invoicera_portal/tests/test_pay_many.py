import re
from datetime import timedelta

from lxml import html

from odoo.tests import HttpCase, new_test_user, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPayMany(InvoiceraPortalCommon, HttpCase):
    """A client pays any set of its open invoices in one transaction (demo provider)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.write({"state": "test", "is_published": True})
        cls.method = cls.provider.payment_method_ids[:1]
        cls.old, cls.middle, cls.recent = cls.make_invoices(
            cls.client_a, [(100, -40), (200, -10), (300, 20)]
        )
        cls.other_client_invoice = cls.make_invoices(cls.client_b, [(999, -5)])

    def pay(self, invoices, amount, expect_error=None, state="done", provider=None):
        """The payment form's call, then the demo gateway's answer, then post-processing."""
        ids = "-".join(str(i) for i in invoices.ids)
        provider = provider or self.provider
        response = self.json_call(
            f"/my/billing/pay/transaction/{ids}",
            {
                "provider_id": provider.id,
                "payment_method_id": provider.payment_method_ids[:1].id,
                "token_id": None,
                "amount": amount,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": "/my/billing",
                "is_validation": False,
            },
        )
        if expect_error:
            self.assertIn("error", response, "the request should have been refused")
            self.assertRegex(response["error"]["data"]["message"], expect_error)
            return None
        self.assertNotIn("error", response)
        reference = response["result"]["reference"]
        self.json_call(
            "/payment/demo/simulate_payment",
            {"reference": reference, "payment_details": "4242", "simulated_state": state},
        )
        tx = self.env["payment.transaction"].search([("reference", "=", reference)])
        tx._post_process()
        return tx

    def test_pay_three_invoices_in_full(self):
        self.authenticate(self.user_a1.login, self.user_a1.login)
        invoices = self.old | self.middle | self.recent
        page = self.url_open(
            f"/my/billing/pay?invoice_ids={self.old.id}&invoice_ids={self.middle.id}"
            f"&invoice_ids={self.recent.id}"
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("Pay 3 invoice(s)", page.text)
        tx = self.pay(invoices, 600)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.invoice_ids, invoices)
        self.assertEqual(tx.payment_id.amount, 600)
        self.assertEqual(sum(invoices.mapped("amount_residual")), 0)
        for state in invoices.mapped("payment_state"):
            self.assertIn(state, ("paid", "in_payment"))

    def test_several_invoices_paid_in_each_company(self):
        """Each company numbers its batch payments from BATCH/<year>/00001, and a
        transaction's reference is unique in the database: the second company's
        first batch payment gets a reference of its own, as Odoo gives one."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        first = self.pay(self.old | self.middle, 300)
        self.assertEqual(first.state, "done")
        abroad = self.make_other_company_move(self.client_a, 45)
        abroad |= abroad.copy({"invoice_date": self.today})
        abroad.action_post()
        provider = self.provider.copy({"company_id": abroad.company_id.id})
        provider.write({"state": "test", "is_published": True})
        self.user_a1.company_ids |= abroad.company_id
        tx = self.pay(abroad, 90, provider=provider)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.invoice_ids, abroad)
        self.assertEqual(set(abroad.mapped("amount_residual")), {0})
        self.assertNotEqual(tx.reference, first.reference)
        self.assertTrue(tx.reference.startswith("BATCH/"), tx.reference)

    def test_partial_amount_pays_the_oldest_first(self):
        self.authenticate(self.user_a2.login, self.user_a2.login)
        page = self.url_open(
            f"/my/billing/pay?invoice_ids={self.old.id},{self.middle.id},{self.recent.id}&amount=250"
        )
        self.assertIn("A partial amount pays the invoices due first.", page.text)
        self.pay(self.old | self.middle | self.recent, 250)
        self.assertEqual(
            (self.old.amount_residual, self.middle.amount_residual, self.recent.amount_residual),
            (0, 50, 300),
        )

    def preview(self, invoices, amount):
        """The pay page's preview: (invoice name, amount paid now) per row, in its order."""
        ids = ",".join(str(i) for i in invoices.ids)
        page = self.url_open(f"/my/billing/pay?invoice_ids={ids}&amount={amount}")
        self.assertEqual(page.status_code, 200)
        rows = html.fromstring(page.text).xpath(
            "//div[hasclass('o_invoicera_pay_many')]//tr[@data-invoice]"
        )
        return [
            (
                row.get("data-invoice"),
                float(re.sub(r"[^\d.]", "", row.xpath("./td")[-1].text_content())),
            )
            for row in rows
        ]

    def assert_preview_is_what_odoo_does(self, invoices, amount, expected):
        """The preview of paying ``amount`` is ``expected``, and paying it pays that."""
        self.assertEqual(self.preview(invoices, amount), expected)
        before = {invoice.name: invoice.amount_residual for invoice in invoices}
        self.pay(invoices, amount)
        self.assertEqual(
            [
                (
                    name,
                    before[name] - invoices.filtered(lambda i, n=name: i.name == n).amount_residual,
                )
                for name, _paid in expected
            ],
            expected,
            "the preview is what the payment really paid",
        )

    def test_a_partial_amount_pays_the_instalments_due_first(self):
        """Odoo reconciles a payment with the invoices' instalments by their due dates,
        not with whole invoices by their (last) due date: of an invoice in two
        instalments (30% in 10 days, 70% in 60) and one due in 30 days, 600 pays the
        first instalment, then the other invoice; the preview says so, in that order."""
        in_two = self.make_instalment_invoice(self.client_a, 1000, (10, 60))
        self.assertEqual(in_two.invoice_date_due, self.today + timedelta(days=60))
        in_thirty = self.make_invoices(self.client_a, [(500, 30)])
        self.authenticate(self.user_a1.login, self.user_a1.login)
        self.assert_preview_is_what_odoo_does(
            in_thirty | in_two, 600, [(in_two.name, 300.0), (in_thirty.name, 300.0)]
        )
        self.assertEqual((in_two.amount_residual, in_thirty.amount_residual), (700, 200))
        # What is left: the other invoice's rest (due first now), then the instalment.
        self.assert_preview_is_what_odoo_does(
            in_thirty | in_two, 250, [(in_thirty.name, 200.0), (in_two.name, 50.0)]
        )

    def test_invoices_due_the_same_day_are_paid_as_odoo_does(self):
        """Two invoices of the same amount due the same day: Odoo pays the one it lists
        first (the invoices' default order, the newest number first); the preview too."""
        first, second = self.make_invoices(self.client_a, [(100, 5), (100, 5)])
        self.authenticate(self.user_a1.login, self.user_a1.login)
        self.assert_preview_is_what_odoo_does(
            first | second, 150, [(second.name, 100.0), (first.name, 50.0)]
        )

    def test_one_invoice_paid_again_after_a_first_payment(self):
        """A second payment of one invoice (its rest, or a retry) gets its own reference."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        first = self.pay(self.old, 40)
        second = self.pay(self.old, 60)
        self.assertNotEqual(first.reference, second.reference)
        self.assertTrue(second.reference.startswith(self.old.name))
        self.assertEqual(self.old.amount_residual, 0)

    def under_way(self, *invoices):
        return re.escape(
            f"A payment of {', '.join(i.name for i in invoices)} is under way: wait for it, "
        )

    def test_an_invoice_being_paid_cannot_be_paid_again(self):
        """A payment the provider has not confirmed yet (pending, authorized) or not
        recorded yet blocks a second one, as on Odoo's invoice page: no double payment.
        The error names the invoices being paid, and the dashboard offers them
        no more (it said "some of these invoices", ticked them all again, and
        paying them again said it again)."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        pending = self.pay(self.old | self.middle, 300, state="pending")
        self.assertEqual(pending.state, "pending")
        self.assertEqual(self.old.payment_state, "not_paid")
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        for invoices, named in (
            (self.old, self.old),
            (self.middle | self.recent, self.middle),
        ):
            with self.subTest(invoices=invoices.mapped("name")):
                self.pay(invoices, 100, expect_error=self.under_way(named))
        self.assertEqual(Tx.search_count([]), before, "no transaction created")
        ids = ",".join(str(i) for i in (self.old | self.middle | self.recent).ids)
        page = self.url_open(f"/my/billing/pay?invoice_ids={ids}")
        self.assertRegex(page.text, self.under_way(self.old, self.middle))
        dashboard = html.fromstring(page.text)
        for invoice, offered in ((self.old, False), (self.middle, False), (self.recent, True)):
            row = dashboard.xpath(f'//tr[@data-invoice="{invoice.name}"]')[0]
            self.assertEqual(bool(row.xpath(".//input[@name='invoice_ids']")), offered)
            self.assertEqual("Payment in progress" in row.text_content(), not offered)
        self.assertEqual(
            dashboard.xpath("//input[@name='invoice_ids'][@checked]/@value"),
            [str(self.recent.id)],
            "ticked again: the invoice that can be paid",
        )
        # A payment confirmed but not recorded yet blocks too; the other invoices can be paid.
        pending._set_done()
        self.pay(self.old, 100, expect_error=self.under_way(self.old))
        self.assertEqual(self.pay(self.recent, 300).state, "done")

    def pay_as_odoo(self, invoice, amount):
        """Odoo's payment form of one invoice (its portal page): the response."""
        return self.json_call(
            f"/invoice/transaction/{invoice.id}",
            {
                "access_token": invoice._portal_ensure_token(),
                "provider_id": self.provider.id,
                "payment_method_id": self.method.id,
                "token_id": None,
                "amount": amount,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": invoice.get_portal_url(),
                "is_validation": False,
            },
        )

    def test_odoo_s_invoice_payment_is_refused_while_one_is_under_way(self):
        """Odoo's payment of one invoice (its page, a payment link) while a
        payment of it is pending: refused, nothing created. Before: a second
        transaction (Odoo's page hides its Pay button, a double submit or a
        second tab did not)."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        self.pay(self.old, 100, state="pending")
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        response = self.pay_as_odoo(self.old, 100)
        self.assertIn("error", response)
        self.assertIn(
            f"A payment of {self.old.name} is under way: wait for it.",
            response["error"]["data"]["message"],
        )
        self.assertEqual(Tx.search_count([]), before, "no transaction created")
        # nor all the overdue invoices (Odoo's "pay overdue" page: those
        # addressed to the user's own contact)
        own = self.make_invoices(self.user_a1.partner_id, [(70, -3)])
        self.pay(own, 70, state="pending")
        before = Tx.search_count([])
        response = self.json_call(
            "/invoice/transaction/overdue",
            {
                "payment_reference": "OVERDUE",
                "provider_id": self.provider.id,
                "payment_method_id": self.method.id,
                "token_id": None,
                "amount": 300,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": "/my/invoices",
                "is_validation": False,
            },
        )
        self.assertRegex(response["error"]["data"]["message"], self.under_way(own))
        self.assertEqual(Tx.search_count([]), before, "no transaction created")
        # the other invoices are paid as Odoo pays them
        response = self.pay_as_odoo(self.middle, 200)
        self.assertNotIn("error", response)

    def test_an_amount_that_is_no_number_is_refused(self):
        self.authenticate(self.user_a1.login, self.user_a1.login)
        for amount in ("inf", "-inf", "1e400", "nan", "abc"):
            with self.subTest(amount=amount):
                self.pay(self.old, amount, expect_error="The amount to pay is not a number.")
                page = self.url_open(f"/my/billing/pay?invoice_ids={self.old.id}&amount={amount}")
                self.assertEqual(page.status_code, 200)
                self.assertIn("The amount to pay is not a number.", page.text)

    def test_bad_requests_create_nothing(self):
        self.authenticate(self.user_a1.login, self.user_a1.login)
        usd = self.company.currency_id
        other = self.env.ref("base.EUR") if usd.name != "EUR" else self.env.ref("base.USD")
        other.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": other.id, "name": "2020-01-01", "rate": 0.9}
        )
        in_other = self.make_invoices(self.client_a, [(50, -3)], currency=other)
        paid = self.make_invoices(self.client_a, [(10, -3)])
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid.ids
        ).create({"payment_date": self.today - timedelta(days=1)})._create_payments()
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        cases = [
            (self.old | self.other_client_invoice, 100, "not yours to pay"),
            (self.old | in_other, 100, "different currencies"),
            (self.old, 0, "must be more than zero"),
            (self.old, -5, "must be more than zero"),
            (self.old, 100.01, r"cannot be more than what these invoices owe \(\$\s100\.00\)"),
            (paid, 10, "not yours to pay, or are already paid"),
        ]
        for invoices, amount, error in cases:
            with self.subTest(error=error):
                self.pay(invoices, amount, expect_error=error)
        self.assertEqual(Tx.search_count([]), before, "no transaction created")
        # The page refuses the same, with the message on the dashboard.
        page = self.url_open(f"/my/billing/pay?invoice_ids={self.other_client_invoice.id}")
        self.assertIn("not yours to pay", page.text)
        self.assertEqual(self.old.amount_residual, 100)

    def test_another_client_cannot_pay_through_my_ids(self):
        self.authenticate(self.user_b.login, self.user_b.login)
        self.pay(self.old, 100, expect_error="not yours to pay")
        page = self.url_open(f"/my/billing/pay?invoice_ids={self.old.id}")
        self.assertIn("not yours to pay", page.text)
        self.assertNotIn(self.old.name, page.text, "nothing of client A is shown to client B")
        self.assertEqual(self.old.amount_residual, 100)

    def test_an_employee_attached_to_the_client_pays_nothing_here(self):
        """An employee with invoicing rights whose contact was attached to the
        client is refused the pay pages, as the other billing pages: before,
        they paid the client's invoices as the client's contact."""
        nosy = new_test_user(
            self.env,
            login="nosy_payer",
            groups="base.group_user,base.group_partner_manager,account.group_account_invoice",
        )
        nosy.partner_id.with_user(nosy).parent_id = self.client_a
        self.authenticate("nosy_payer", "nosy_payer")
        page = self.url_open(f"/my/billing/pay?invoice_ids={self.old.id}")
        self.assertEqual(page.status_code, 403)
        self.assertNotIn(self.old.name, page.text)
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        self.pay(self.old, 100, expect_error="Forbidden")
        self.assertEqual(Tx.search_count([]), before, "no transaction created")

    def dashboard_selectable(self):
        """The invoices the dashboard lets the client tick to pay (ids), and its page."""
        page = self.url_open("/my/billing")
        self.assertEqual(page.status_code, 200)
        tree = html.fromstring(page.text)
        ids = {int(value) for value in tree.xpath("//input[@name='invoice_ids']/@value")}
        return ids, page.text

    def test_a_blocked_invoice_is_not_paid_online(self):
        """Staff blocked its payment (Action > (Un)Block Payment): the client still sees
        it owed, on hold, and can neither tick it nor pay it, alone or with others, as
        Odoo's invoice page offers no payment for it. The other invoices are paid."""
        self.middle.action_toggle_block_payment()
        self.assertEqual(self.middle.payment_state, "blocked")
        self.authenticate(self.user_a1.login, self.user_a1.login)
        selectable, text = self.dashboard_selectable()
        self.assertEqual(selectable, {self.old.id, self.recent.id})
        self.assertIn(self.middle.name, text, "still listed as owed")
        self.assertIn("Payment on hold", text)
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        for invoices in (self.middle, self.old | self.middle):
            with self.subTest(invoices=invoices.mapped("name")):
                self.pay(invoices, 100, expect_error=f"{self.middle.name} cannot be paid online")
        page = self.url_open(f"/my/billing/pay?invoice_ids={self.middle.id}")
        self.assertIn("cannot be paid online", page.text)
        self.assertEqual(Tx.search_count([]), before, "no transaction created")
        self.assertEqual(self.pay(self.old, 100).state, "done")

    def test_online_payment_turned_off(self):
        """Settings > Invoice Online Payment off: no invoice is paid online, here as
        on Odoo's invoice page."""
        self.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", False)
        self.authenticate(self.user_a1.login, self.user_a1.login)
        selectable, text = self.dashboard_selectable()
        self.assertFalse(selectable)
        self.assertNotIn("Pay the selected invoices", text)
        self.assertIn(self.old.name, text, "the open invoices are still listed")
        self.pay(self.old, 100, expect_error="not paid online here")
        self.assertEqual(self.old.amount_residual, 100)

    def test_an_amount_that_odoo_would_take_for_an_early_payment_discount(self):
        """Odoo writes off the early payment discount of any invoice of a payment whose
        discounted amount is the amount paid, while the payment goes to the invoices
        due first: paying 980 for an invoice of 100 and one of 1,000 (2% off if paid
        within 10 days) would credit the client 20 it is not owed. That amount is
        refused for several invoices; the invoice alone gets its discount."""
        term = self.make_early_discount_term()
        discounted = self.make_invoice_on_term(self.client_a, 1000, term)
        self.authenticate(self.user_a1.login, self.user_a1.login)
        self.pay(
            self.old | discounted,
            980,
            expect_error=f"pay {discounted.name} on its own to get the discount",
        )
        self.assertEqual((self.old.amount_residual, discounted.amount_residual), (100, 1000))
        # The invoice alone gets its discount; the other is not paid by it.
        self.pay(discounted, 980)
        self.assertIn(discounted.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.old.amount_residual, 100)
        # Any other amount for several invoices pays those due first.
        self.pay(self.old | self.middle, 150)
        self.assertEqual((self.old.amount_residual, self.middle.amount_residual), (0, 150))

    def test_the_pay_page_takes_no_other_parameter(self):
        """A parameter of Odoo's invoice page added to the link (invoice_id, an access
        token) does not turn the payment of the chosen invoices into another one's."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open(
            f"/my/billing/pay?invoice_ids={self.old.id}&invoice_id={self.recent.id}"
            "&access_token=x"
        )
        self.assertEqual(page.status_code, 200)
        form = html.fromstring(page.text).xpath("//form[@id='o_payment_form']")[0]
        self.assertEqual(
            form.get("data-transaction-route"), f"/my/billing/pay/transaction/{self.old.id}"
        )
        self.assertEqual(form.get("data-landing-route"), "/my/billing")
