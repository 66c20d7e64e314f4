import base64

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon

API = "/api/billing/v1"


@tagged("post_install", "-at_install")
class TestApiLinesAndPdf(InvoiceraPortalCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.key_a = (
            cls.env["res.users.apikeys"]
            .with_user(cls.user_a1)
            .sudo()
            ._generate("rpc", "Mobile app", None)
        )

    def test_a_line_without_label_is_described_by_a_string(self):
        """A line posted without a label: its description is a string (the OpenAPI
        document says so), never JSON false that the app cannot show."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    Command.create(
                        {"name": False, "quantity": 2, "price_unit": 50, "tax_ids": False}
                    )
                ],
            }
        )
        invoice.action_post()
        self.assertFalse(invoice.invoice_line_ids.name)
        response = self.url_open(
            f"{API}/invoices/{invoice.id}", headers={"Authorization": f"Bearer {self.key_a}"}
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        [line] = response.json()["lines"]
        self.assertIsInstance(line["description"], str, "the line's description is not a string")
        self.assertEqual(line["subtotal"]["amount"], 100)

    def test_a_product_line_without_label_is_described_by_its_product(self):
        """Before: a product line posted without a label made the client's own
        invoice a 403 (the product's name, which portal users do not read)."""
        product = self.env["product.product"].create({"name": "Site audit"})
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    Command.create({"product_id": product.id, "price_unit": 80, "tax_ids": False})
                ],
            }
        )
        invoice.invoice_line_ids.name = False
        invoice.action_post()
        response = self.url_open(
            f"{API}/invoices/{invoice.id}", headers={"Authorization": f"Bearer {self.key_a}"}
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        [line] = response.json()["lines"]
        self.assertEqual(line["description"], "Site audit")

    def test_pdf_is_the_invoice_sent_to_the_client(self):
        """An invoice sent by Odoo keeps its PDF: the app downloads that very
        document (as the portal's download), not a new rendering that may differ."""
        [invoice] = self.make_invoices(self.client_a, [(300, 10)])
        official = b"%PDF-1.4 the invoice as sent"
        invoice.invoice_pdf_report_file = base64.b64encode(official)
        self.assertTrue(invoice.invoice_pdf_report_id)
        response = self.url_open(
            f"{API}/invoices/{invoice.id}/pdf", headers={"Authorization": f"Bearer {self.key_a}"}
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertEqual(response.content, official, "the PDF is not the invoice sent")
