"""The pay-online QR code is offered only where Odoo offers online payment of the invoice."""

from odoo import Command
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPayByQRAvailability(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", "True"
        )
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.write({"state": "test", "is_published": True})
        client = cls.env["res.partner"].create({"name": "QR Client", "email": "qr@example.com"})
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": client.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Audit", "quantity": 1, "price_unit": 480, "tax_ids": False}
                    )
                ],
            }
        )
        cls.invoice.action_post()

    def pdf(self):
        return (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.account_invoices", self.invoice.ids)[0]
            .decode()
        )

    def has_qr(self):
        return 'id="invoicera_pay_qr"' in self.pdf()

    def test_no_qr_when_invoice_online_payment_is_disabled(self):
        self.assertTrue(self.has_qr(), "the PDF of an unpaid invoice carries the QR code")
        # Settings > Invoicing > Invoice Online Payment, unticked: the portal offers no
        # payment, so the PDF must not invite the client to pay online.
        self.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", "False"
        )
        self.assertFalse(self.has_qr(), "online payment is disabled: no pay-online QR code")

    def test_no_qr_while_an_online_payment_is_being_processed(self):
        self.assertTrue(self.has_qr(), "the PDF of an unpaid invoice carries the QR code")
        self.env["payment.transaction"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.provider.payment_method_ids[:1].id,
                "reference": "QR-PENDING-1",
                "amount": self.invoice.amount_residual,
                "currency_id": self.invoice.currency_id.id,
                "partner_id": self.invoice.partner_id.id,
                "invoice_ids": [Command.set(self.invoice.ids)],
                "state": "pending",
            }
        )
        # The client paid already (the payment is pending at the gateway): Odoo's
        # portal shows no Pay Now button, and the PDF must not ask to pay again.
        self.assertFalse(self.has_qr(), "an online payment is in progress: no QR code")
