from datetime import date

from odoo.tests import tagged

from .common import InvoiceraPortalCase


@tagged("post_install", "-at_install")
class TestStatementLanguage(InvoiceraPortalCase):
    """A client's statement of account is in the client's language, as Odoo's
    invoices are, whoever prints it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.client_a.lang = "fr_FR"
        cls.env.ref("invoicera_portal.report_statement_document").update_field_translations(
            "arch_db",
            {"fr_FR": {"Statement of Account": "Relevé de compte", "Balance": "Solde"}},
        )
        cls.make_invoices(cls.client_a, [(100, 10)])

    def test_a_french_client_gets_a_french_statement(self):
        html = self.statement_html(self.client_a, date(2000, 1, 13))
        self.assertIn("Relevé de compte", html)
        self.assertNotIn("Statement of Account", html)
        # dates as the French write them
        self.assertIn("13/01/2000", html)

    def test_an_english_client_gets_an_english_statement(self):
        self.client_a.lang = "en_US"
        html = self.statement_html(self.client_a, date(2000, 1, 13))
        self.assertIn("Statement of Account", html)
        self.assertNotIn("Relevé de compte", html)
        self.assertIn("01/13/2000", html)
