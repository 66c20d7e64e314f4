from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon

API = "/api/billing/v1"


@tagged("post_install", "-at_install")
class TestApiPaymentLink(InvoiceraPortalCommon, HttpCase):
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

    def test_payment_link_says_the_discounted_amount_it_charges(self):
        """An invoice on "2/10 net 30", in its discount period: the payment link's
        amount_due is what its page charges (1000 - 2%), not the full 1000."""
        invoice = self.make_invoice_on_term(self.client_a, 1000, self.make_early_discount_term())
        self.assertEqual(invoice._invoicera_amount_to_pay(), 980)
        response = self.url_open(
            f"{API}/invoices/{invoice.id}/payment-link",
            headers={"Authorization": f"Bearer {self.key_a}"},
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(
            response.json()["amount_due"],
            {"amount": 980, "currency": invoice.currency_id.name},
        )
        spec = self.url_open(f"{API}/openapi.json").json()
        description = spec["components"]["schemas"]["PaymentLink"]["properties"]["amount_due"]
        self.assertIn("discount", description.get("description", ""))

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
