from odoo.tests import TransactionCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestAutopayProviderLimits(InvoiceraPortalCommon, TransactionCase):
    """As Odoo's payment form (``payment.provider._get_compatible_providers``): a
    saved card is not charged through a provider set up for other currencies, for
    smaller amounts or for other countries than the invoice and its client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.provider = cls.demo_provider()
        cls.token = cls.make_demo_token(cls.contact_a1)
        cls.client_a.invoicera_autopay_token_id = cls.token

    def assertSkipped(self, invoice, reason):
        self.assertFalse(invoice.sudo().transaction_ids, "nothing charged")
        self.assertEqual(invoice.amount_residual, 250)
        body = invoice.message_ids[0].body
        self.assertIn("Automatic payment skipped", body)
        self.assertIn(reason, body)

    def test_a_provider_of_other_currencies_does_not_charge(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.assertNotEqual(self.company.currency_id, eur)
        self.provider.available_currency_ids = eur
        self.assertSkipped(self.post_autopay_invoice(), "incompatible currency")

    def test_a_provider_of_smaller_amounts_does_not_charge(self):
        self.provider.maximum_amount = 100
        self.assertSkipped(self.post_autopay_invoice(), "maximum amount exceeded")
        # within its maximum, it charges
        self.provider.maximum_amount = 1000
        invoice = self.post_autopay_invoice()
        self.assertEqual(invoice.sudo().transaction_ids.state, "done")
        self.assertEqual(invoice.amount_residual, 0)

    def test_a_provider_of_other_countries_does_not_charge(self):
        self.contact_a1.country_id = self.env.ref("base.fr")
        self.provider.available_country_ids = self.env.ref("base.us")
        self.assertSkipped(self.post_autopay_invoice(), "incompatible country")
