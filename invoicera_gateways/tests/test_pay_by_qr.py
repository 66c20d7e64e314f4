"""Every customer invoice's PDF and portal page carry a QR code opening its online payment page."""

import base64
import io
import re
from urllib.parse import parse_qs, urlsplit

import qrcode
from PIL import Image

from odoo import Command
from odoo.tests import HttpCase, tagged


def qr_matrix_of(data_uri, box_size=4, border=2):
    """The dark/light modules of a QR PNG, read back from its pixels."""
    image = Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))).convert("L")
    modules = image.width // box_size - 2 * border
    return [
        [
            image.getpixel(
                (
                    (border + col) * box_size + box_size // 2,
                    (border + row) * box_size + box_size // 2,
                )
            )
            < 128
            for col in range(modules)
        ]
        for row in range(modules)
    ]


@tagged("post_install", "-at_install")
class TestPayByQR(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("payment.payment_provider_demo").write({"state": "test", "is_published": True})
        cls.client = cls.env["res.partner"].create({"name": "QR Client", "email": "qr@example.com"})
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.client.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Audit", "quantity": 1, "price_unit": 480, "tax_ids": False}
                    )
                ],
            }
        )
        cls.invoice.action_post()

    def qr_in(self, html):
        match = re.search(
            r'id="invoicera_pay_qr".*?src="(data:image/png;base64,[^"]+)"', html, re.S
        )
        return match and match.group(1)

    def test_the_pdf_qr_encodes_the_invoice_payment_link(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.account_invoices", self.invoice.ids)[0]
            .decode()
        )
        data_uri = self.qr_in(html)
        self.assertTrue(data_uri, "the invoice PDF must carry the pay-online QR code")
        link = self.invoice._invoicera_payment_url()
        parts = urlsplit(link)
        self.assertEqual(parts.path, f"/my/invoices/{self.invoice.id}")
        query = parse_qs(parts.query)
        self.assertEqual(query["access_token"], [self.invoice.access_token])
        self.assertEqual(query["payment"], ["True"])
        expected = qrcode.QRCode(border=2)
        expected.add_data(link)
        expected.make(fit=True)
        # get_matrix() includes the 2-module border that qr_matrix_of skips.
        expected_modules = [row[2:-2] for row in expected.get_matrix()[2:-2]]
        self.assertEqual(qr_matrix_of(data_uri), expected_modules)

    def test_scanning_opens_the_payment_form_without_login(self):
        response = self.url_open(self.invoice._invoicera_payment_url())
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_payment_form", response.text)
        self.assertIn(self.invoice.name, response.text)

    def test_the_portal_page_shows_it_until_the_invoice_is_paid(self):
        self.assertTrue(self.qr_in(self.url_open(self.invoice.get_portal_url()).text))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice.ids
        ).create({})._create_payments()
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.account_invoices", self.invoice.ids)[0]
            .decode()
        )
        self.assertNotIn("invoicera_pay_qr", html)
        self.assertNotIn("invoicera_pay_qr", self.url_open(self.invoice.get_portal_url()).text)
