from lxml import html

from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPayManyCompanyMismatch(InvoiceraPortalCommon, HttpCase):
    """As Odoo's invoice page (``PaymentPortal._can_partner_pay_in_company``): a
    contact registered with one company of the database does not pay online the
    invoices of another; the page says so instead of offering to pay."""

    def setUp(self):
        super().setUp()
        self.setup_clients()
        self.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", True)
        self.invoice = self.make_other_company_move(self.client_a, 45)
        self.invoice.action_post()
        self.other = self.invoice.company_id
        # the same provider, set up for the invoice's company (as staff would)
        self.provider = self.demo_provider().copy({"company_id": self.other.id})
        self.provider.write({"state": "test", "is_published": True})
        self.method = self.provider.payment_method_ids[:1]
        (self.user_a1 | self.user_a2).company_ids |= self.other
        # Ann's contact is registered with the main company only; Abe's with none
        self.contact_a1.company_id = self.company

    def pay_page(self, user):
        self.authenticate(user.login, user.login)
        page = self.url_open(f"/my/billing/pay?invoice_ids={self.invoice.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Pay 1 invoice(s)", page.text)
        return html.fromstring(page.text)

    def pay(self, user):
        self.authenticate(user.login, user.login)
        return self.json_call(
            f"/my/billing/pay/transaction/{self.invoice.id}",
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.method.id,
                "token_id": None,
                "amount": 45,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": "/my/billing",
                "is_validation": False,
            },
        )

    def test_the_page_says_the_contact_cannot_pay_in_this_company(self):
        # a contact of no company in particular pays it
        tree = self.pay_page(self.user_a2)
        self.assertTrue(tree.xpath("//form[@id='o_payment_form']"), "Abe may pay it")
        # Ann, registered with the main company, is told as on Odoo's invoice page
        tree = self.pay_page(self.user_a1)
        self.assertFalse(
            tree.xpath("//form[@id='o_payment_form']"),
            "a contact of another company must not be offered to pay (Odoo's company mismatch)",
        )
        warning = " ".join(" ".join(tree.xpath("//div[hasclass('alert-warning')]//text()")).split())
        self.assertIn(f"switch to company {self.other.name}", warning)

    def test_a_payment_in_another_company_is_refused(self):
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        response = self.pay(self.user_a1)
        self.assertIn(
            "error", response, "a contact of another company must not pay it (crafted request)"
        )
        self.assertIn(self.other.name, response["error"]["data"]["message"])
        self.assertEqual(Tx.search_count([]), before, "no transaction created")
        # a contact of no company in particular pays it
        response = self.pay(self.user_a2)
        self.assertNotIn("error", response)
        self.assertEqual(Tx.search_count([]), before + 1)
