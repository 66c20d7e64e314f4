from lxml import html

from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPayManyAmountForm(InvoiceraPortalCommon, HttpCase):
    """Paying many invoices: the amount form takes what the invoices owe."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", True)
        provider = cls.env.ref("payment.payment_provider_demo")
        provider.write({"state": "test", "is_published": True})
        cls.invoices = cls.make_invoices(cls.client_a, [(100.10, -10), (200.70, 5)])

    def test_the_amount_form_accepts_what_the_invoices_owe(self):
        """Two invoices of 100.10 and 200.70 owe 300.80. The amount field's maximum
        was their sum as a float, 300.79999999999995: the browser refused the 300.80
        prefilled ("must be less than or equal to 300.79999999999995"), so the client
        could not change a partial amount back to the whole."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        ids = ",".join(str(i) for i in self.invoices.ids)
        page = html.fromstring(self.url_open(f"/my/billing/pay?invoice_ids={ids}").text)
        (field,) = page.xpath("//input[@id='invoicera_amount']")
        self.assertEqual(float(field.get("value")), 300.8)
        self.assertEqual(field.get("max"), "300.8")
        # a partial amount entered: the whole can be entered again
        page = html.fromstring(self.url_open(f"/my/billing/pay?invoice_ids={ids}&amount=50").text)
        (field,) = page.xpath("//input[@id='invoicera_amount']")
        self.assertEqual((field.get("value"), field.get("max")), ("50.0", "300.8"))
