from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon

API = "/api/billing/v1"


@tagged("post_install", "-at_install")
class TestReview3ApiPaymentLink(InvoiceraPortalCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", True)
        cls.key_a = (
            cls.env["res.users.apikeys"]
            .with_user(cls.user_a1)
            .sudo()
            ._generate("rpc", "Mobile app", None)
        )

    def test_no_payment_link_for_an_invoice_being_paid(self):
        """Ann paid an invoice by card; the provider has not confirmed it yet. Her
        invoice's page offers no payment until it does (Odoo): the app gets no
        link to pay it a second time either, but a JSON 400 saying why."""
        invoice = self.make_invoices(self.client_a, [(150, -5)])
        link = self.url_open(
            f"{API}/invoices/{invoice.id}/payment-link",
            headers={"Authorization": f"Bearer {self.key_a}"},
        )
        self.assertEqual(link.status_code, 200, link.text[:300])
        provider = self.demo_provider()
        self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": provider.payment_method_ids[:1].id,
                "reference": f"{invoice.name}-card",
                "amount": 150,
                "currency_id": invoice.currency_id.id,
                "partner_id": self.contact_a1.id,
                "invoice_ids": [Command.set(invoice.ids)],
                "state": "pending",
            }
        )
        self.assertFalse(invoice._has_to_be_paid(), "its page offers no payment")
        response = self.url_open(
            f"{API}/invoices/{invoice.id}/payment-link",
            headers={"Authorization": f"Bearer {self.key_a}"},
        )
        self.assertEqual(response.status_code, 400, response.text[:300])
        self.assertEqual(
            response.json()["error"],
            {
                "code": "bad_request",
                "message": "This invoice is being paid already: wait for that payment.",
            },
        )
