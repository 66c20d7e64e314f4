from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestAutopayPaymentsInProgress(InvoiceraPortalCommon, HttpCase):
    """Autopay and a payment the client started in the portal at the same time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.provider = cls.demo_provider()
        cls.method = cls.provider.payment_method_ids[:1]

    def start_paying_online(self):
        """Invoices A and B of client A, whose autopay card is saved, each with
        its autopay job waiting (in ``trap``); the client starts paying both in
        the portal (pay many): the draft transaction's reference."""
        self.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", True)
        self.client_a.invoicera_autopay_token_id = self.make_demo_token(self.contact_a1)
        invoice_a, invoice_b = self.make_invoices(self.client_a, [(120, 30), (80, 30)])
        self.authenticate(self.user_a1.login, self.user_a1.login)
        response = self.json_call(
            f"/my/billing/pay/transaction/{invoice_a.id}-{invoice_b.id}",
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.method.id,
                "token_id": None,
                "amount": 200,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": "/my/billing",
                "is_validation": False,
            },
        )
        return invoice_a, invoice_b, response["result"]["reference"]

    def test_an_invoice_the_client_is_paying_online_is_not_charged(self):
        """The client is paying invoices A and B at the gateway (their transaction
        not confirmed yet) when autopay's job for A runs: the card is not charged
        for A as well (the client would pay A twice)."""
        with trap_jobs() as trap:
            invoice_a, invoice_b, reference = self.start_paying_online()
            trap.perform_enqueued_jobs()
        self.assertEqual(
            invoice_a.sudo().transaction_ids.mapped("reference"),
            [reference],
            "autopay charged invoice A while the client was paying it online",
        )
        self.assertIn("Automatic payment skipped", invoice_a.message_ids[0].body)
        self.json_call(
            "/payment/demo/simulate_payment",
            {"reference": reference, "payment_details": "4242", "simulated_state": "done"},
        )
        tx = self.env["payment.transaction"].search([("reference", "=", reference)])
        tx._post_process()
        self.assertEqual((invoice_a | invoice_b).mapped("amount_residual"), [0, 0])
        receivable = tx.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(receivable.reconciled, "the client paid invoice A twice")

    def test_a_payment_left_at_the_gateway_does_not_stop_autopay(self):
        """The client started paying A and B online two days ago and left the
        gateway's page: that draft does not keep autopay from charging them."""
        with trap_jobs() as trap:
            invoice_a, invoice_b, reference = self.start_paying_online()
            self.env.cr.execute(
                "UPDATE payment_transaction SET create_date = now() - interval '2 days'"
                " WHERE reference = %s",
                [reference],
            )
            self.env["payment.transaction"].invalidate_model(["create_date"])
            trap.perform_enqueued_jobs()
        for invoice in invoice_a | invoice_b:
            charged = invoice.sudo().transaction_ids.filtered(lambda tx: tx.reference != reference)
            self.assertEqual(charged.token_id, self.client_a.invoicera_autopay_token_id)
