"""End to end in a browser: pay link -> hosted page -> webhook -> return -> invoice paid.

The gateways' servers are local fakes (tests/fake_*.py) speaking each
gateway's documented API and signing their webhooks with real HMAC.
"""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.invoicera_billing.tests.common import InvoiceraHttpCase

from .fake_checkout import FakeCheckoutCom
from .fake_gateway import FakeGatewayServer
from .fake_paystack import FakePaystack


@tagged("post_install", "-at_install")
class TestPayThroughGateways(InvoiceraHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["payment.provider"].search([("state", "!=", "disabled")]).state = "disabled"
        cls.bank_journal = cls.env["account.journal"].search(
            [("type", "=", "bank"), ("company_id", "=", cls.env.company.id)], limit=1
        )

    def pay_through(self, provider_xmlid, fake, credentials, amount):
        provider = self.env.ref(provider_xmlid)
        client = self.env["res.partner"].create(
            {"name": f"{fake.name} Client", "email": "pay@example.com"}
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": client.id,
                "invoice_line_ids": [
                    Command.create({"name": "Retainer", "price_unit": amount, "tax_ids": False})
                ],
            }
        )
        invoice.action_post()
        with FakeGatewayServer(fake) as server:
            provider.write(
                {
                    "state": "test",
                    "is_published": True,
                    "invoicera_server_url": server.url,
                    "journal_id": self.bank_journal.id,
                    **credentials,
                }
            )
            link = invoice._invoicera_payment_url()
            path = link[len(invoice.get_base_url()) :]
            self.start_tour_with_screenshot(
                path, "invoicera_gateways_pay_invoice", f"gateway_paid_{provider.code}"
            )
        self.assertEqual([answer.status_code for answer in server.webhook_answers], [200])
        tx = invoice.transaction_ids
        self.assertEqual(tx.provider_id, provider)
        self.assertEqual(tx.state, "done")
        self.assertEqual(len(tx.payment_id), 1)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        events = self.env["invoicera.gateway.event"].search([("transaction_id", "=", tx.id)])
        self.assertEqual(len(events), 1)

    def test_pay_with_paystack(self):
        self.pay_through(
            "invoicera_gateways.payment_provider_paystack",
            FakePaystack("sk_test_tour"),
            {"invoicera_public_key": "pk_test_tour", "invoicera_secret_key": "sk_test_tour"},
            480.0,
        )

    def test_pay_with_checkout_com(self):
        self.pay_through(
            "invoicera_gateways.payment_provider_checkout",
            FakeCheckoutCom("whsec_tour"),
            {"invoicera_secret_key": "sk_sbox_tour", "invoicera_webhook_secret": "whsec_tour"},
            1250.0,
        )
