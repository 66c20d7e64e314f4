from odoo.tests import Form, TransactionCase, tagged

from ..gateways import GATEWAYS, GatewayEvent

# Odoo 18.0 Community's own online gateways (their provider records ship with `payment`).
ODOO_GATEWAYS = (
    "adyen aps asiapay authorize buckaroo flutterwave mercado_pago mollie paypal razorpay stripe"
    " worldline xendit"
).split()


@tagged("post_install", "-at_install")
class TestProviders(TransactionCase):
    def test_25_online_gateways_are_listed_in_payment_providers(self):
        self.assertEqual(len(GATEWAYS), 12)
        action = self.env.ref("payment.action_payment_provider")
        listed = self.env[action.res_model].search([])
        ours = listed.filtered(lambda p: p.code in GATEWAYS)
        self.assertEqual(set(ours.mapped("code")), set(GATEWAYS))
        for code in ODOO_GATEWAYS:
            self.assertIn(self.env.ref(f"payment.payment_provider_{code}"), listed, code)
        self.assertGreaterEqual(len(ODOO_GATEWAYS) + len(ours), 25)
        # Each is set up for accounting: its payments can be recorded.
        methods = self.env["account.payment.method"].search([("code", "in", list(GATEWAYS))])
        self.assertEqual(set(methods.mapped("code")), set(GATEWAYS))

    def test_provider_form_explains_the_credentials_and_gives_the_webhook_url(self):
        provider = self.env.ref("invoicera_gateways.payment_provider_square")
        form = Form(provider)
        self.assertIn("Webhook Secret", form.invoicera_credentials_help)
        self.assertEqual(
            form.invoicera_webhook_url,
            f"{provider.get_base_url()}/payment/invoicera/square/webhook/{provider.id}",
        )
        self.assertTrue(provider.support_refund and provider.support_refund != "none")

    def test_unset_secret_blocks_nothing_but_notifications(self):
        provider = self.env.ref("invoicera_gateways.payment_provider_paystack")
        provider.write({"state": "test", "invoicera_secret_key": False})
        answer = self.env["invoicera.gateway.event"]._invoicera_receive(
            "paystack", provider.id, {}, b"{}"
        )
        self.assertEqual(answer, (403, "webhook secret not set"))

    def test_a_payment_without_amount_is_not_confirmed(self):
        provider = self.env.ref("invoicera_gateways.payment_provider_paystack")
        provider.write({"state": "test", "invoicera_secret_key": "sk_test"})
        self.env.ref("base.NGN").active = True
        tx = self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": self.env.ref("payment.payment_method_card").id,
                "amount": 50,
                "currency_id": self.env.ref("base.NGN").id,
                "partner_id": self.env["res.partner"].create({"name": "No Amount"}).id,
                "reference": "NO-AMOUNT-1",
                "operation": "online_redirect",
            }
        )
        outcome, _message = tx._invoicera_apply_event(
            GatewayEvent(status="done", reference=tx.reference, currency="NGN")
        )
        self.assertEqual(outcome, "mismatch")
        self.assertEqual(tx.state, "error")
