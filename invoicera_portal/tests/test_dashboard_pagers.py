from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tools.translate import code_translations

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestDashboardPagers(InvoiceraPortalCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        # 52 open invoices, due day after day: more than a page of the list
        cls.invoices = cls.make_invoices(cls.client_a, [(10, day) for day in range(52)])

    def test_more_open_invoices_than_a_page_say_so_and_lead_to_the_rest(self):
        """Ann's client has 52 open invoices: her dashboard lists the 50 due first,
        says so (the totals count all 52), and its pager leads to a second page
        with the other 2, as Odoo's portal lists do."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/billing").text
        self.assertIn(self.invoices[49].name + "<", page)
        self.assertNotIn(self.invoices[50].name + "<", page)
        self.assertIn("520.00", page, "the outstanding total counts all 52")
        self.assertIn("Open invoices 1-50 of 52", page)
        self.assertIn('href="/my/billing/page/2"', page)
        page = self.url_open("/my/billing/page/2").text
        self.assertIn("Open invoices 51-52 of 52", page)
        self.assertIn(self.invoices[50].name + "<", page)
        self.assertIn(self.invoices[51].name + "<", page)
        self.assertNotIn(self.invoices[49].name + "<", page)
        self.assertIn("520.00", page, "the totals are the same on every page")

    def test_sentences_with_numbers_are_translated_whole(self):
        """A sentence with numbers in it is one term for translators, who may
        reorder it: a French client reads "Factures ouvertes 1 à 50 sur 52." and
        "Payer 2 facture(s)" (the page split them at each number, each piece
        translated alone, the sentence kept in the English order)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.user_a1.lang = "fr_FR"
        french = {
            "Open invoices %(first)s-%(last)s of %(total)s.": (
                "Factures ouvertes %(first)s à %(last)s sur %(total)s."
            ),
            "Pay %(count)s invoice(s)": "Payer %(count)s facture(s)",
        }
        self.authenticate(self.user_a1.login, self.user_a1.login)
        with patch.dict(
            code_translations.python_translations, {("invoicera_portal", "fr_FR"): french}
        ):
            self.assertIn("Factures ouvertes 1 à 50 sur 52.", self.url_open("/my/billing").text)
            ids = ",".join(str(invoice.id) for invoice in self.invoices[:2])
            page = self.url_open(f"/my/billing/pay?invoice_ids={ids}").text
            self.assertIn("Payer 2 facture(s)", page)

    def test_one_page_of_open_invoices_shows_no_pager(self):
        """Bea's client has 2 open invoices: all listed, no pager, no count note."""
        self.make_invoices(self.client_b, [(10, 5), (20, 6)])
        self.authenticate(self.user_b.login, self.user_b.login)
        page = self.url_open("/my/billing").text
        self.assertNotIn("/my/billing/page/2", page)
        self.assertNotIn("Open invoices 1-", page)

    def test_more_estimates_than_listed_say_so_and_lead_to_the_rest(self):
        """21 estimates await Ann's decision: the dashboard lists 20, says so, and
        leads to her quotations in the portal, where she finds the others."""
        product = self.env["product.product"].create({"name": "Audit", "list_price": 500})
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.client_a.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
                for _i in range(21)
            ]
        )
        orders.action_quotation_sent()
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/billing").text
        listed = [order for order in orders if f">{order.name}<" in page]
        self.assertEqual(len(listed), 20)
        self.assertIn("20 of 21 estimates awaiting your decision", page)
        self.assertIn('href="/my/quotes"', page)
        quotes = self.url_open("/my/quotes").text
        self.assertTrue(all(order.name in quotes for order in orders))
