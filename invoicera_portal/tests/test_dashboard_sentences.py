from datetime import timedelta
from unittest.mock import patch

from lxml import html

from odoo.tests import HttpCase, tagged
from odoo.tools.translate import code_translations

from .common import InvoiceraPortalCommon


def text(element):
    """What a reader sees of ``element``: its text, spaces collapsed."""
    return " ".join(element.text_content().split())


@tagged("post_install", "-at_install")
class TestDashboardSentences(InvoiceraPortalCommon, HttpCase):
    """Sentences of the billing pages with a name, a number or a date in them are
    one term each for translators, who may reorder the words around the value
    (the pages split them at each value, each piece translated alone, the
    sentence kept in the English order)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.late = cls.make_invoices(cls.client_a, [(120, -10)])
        cls.promised_date = cls.today + timedelta(days=5)
        cls.env["invoicera.payment.promise"].create(
            {
                "invoice_id": cls.late.id,
                "promised_date": cls.promised_date,
                "promised_by_id": cls.contact_a1.id,
            }
        )
        cls.split = cls.make_instalment_invoice(cls.client_a, 1000, (10, 50))
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.user_a1.lang = "fr_FR"

    def test_a_french_client_reads_each_sentence_translated_whole(self):
        """Ann reads her dashboard in French: her account's title, the number of
        invoices of each row of the aging, an invoice's promise and another's
        next instalment, and the amount to pay of the pay page, each as its
        translation puts its words around the value, dates in French."""
        french = {
            "Your account with %(company)s": "%(company)s : votre compte",
            "%(count)s invoice(s)": "facture(s) : %(count)s",
            "Promised by %(date)s": "Promis pour le %(date)s",
            "Next instalment: %(date)s": "Le %(date)s, prochaine échéance",
            "Amount to pay (%(currency)s)": "Montant à payer en %(currency)s",
        }
        self.authenticate(self.user_a1.login, self.user_a1.login)
        with patch.dict(
            code_translations.python_translations, {("invoicera_portal", "fr_FR"): french}
        ):
            page = html.fromstring(self.url_open("/my/billing").text)
            pay_page = html.fromstring(
                self.url_open(f"/my/billing/pay?invoice_ids={self.late.id}").text
            )
        billing = page.xpath("//div[hasclass('o_invoicera_billing')]")[0]
        self.assertEqual(
            [text(title) for title in billing.xpath("./h3")],
            [f"{self.company.name} : votre compte"],
        )
        aging = {
            row.get("data-bucket"): text(row.xpath("./td")[1])
            for row in billing.xpath("//div[hasclass('o_invoicera_summary')]//tr[@data-bucket]")
        }
        self.assertEqual(aging["d1_30"], "facture(s) : 1")
        self.assertEqual(aging["current"], "facture(s) : 1")
        self.assertEqual(aging["d90"], "facture(s) : 0")

        def row(invoice):
            (row,) = billing.xpath(
                "//table[hasclass('o_invoicera_open_invoices')]"
                f"//tr[@data-invoice='{invoice.name}']"
            )
            return row

        (promised,) = row(self.late).xpath(".//span[hasclass('text-bg-info')]")
        self.assertEqual(
            text(promised), f"Promis pour le {self.promised_date.strftime('%d/%m/%Y')}"
        )
        (next_instalment,) = row(self.split).xpath(
            ".//small[hasclass('o_invoicera_next_instalment')]"
        )
        first_due = (self.today + timedelta(days=10)).strftime("%d/%m/%Y")
        self.assertTrue(
            text(next_instalment).startswith(f"Le {first_due}, prochaine échéance · "),
            text(next_instalment),
        )
        (label,) = pay_page.xpath("//label[@for='invoicera_amount']")
        self.assertEqual(text(label), "Montant à payer en USD")
