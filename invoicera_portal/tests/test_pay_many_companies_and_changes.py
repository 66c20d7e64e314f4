from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPayManyCompaniesAndChanges(InvoiceraPortalCommon, HttpCase):
    """Paying many invoices takes the payment providers of the invoices' company only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.provider = cls.demo_provider()
        cls.method = cls.provider.payment_method_ids[:1]
        cls.invoices = cls.make_invoices(cls.client_a, [(100, -10), (200, 5)])
        cls.other_company = cls.env["res.company"].create(
            {"name": "Northbridge Europe", "currency_id": cls.company.currency_id.id}
        )
        # the same provider, set up for the other company (as staff would)
        cls.other_provider = cls.provider.copy({"company_id": cls.other_company.id})
        cls.other_provider.write({"state": "test", "is_published": True})

    def pay_with(self, provider, flow="direct", token=None):
        ids = "-".join(str(i) for i in self.invoices.ids)
        return self.json_call(
            f"/my/billing/pay/transaction/{ids}",
            {
                "provider_id": provider.id,
                "payment_method_id": self.method.id,
                "token_id": token.id if token else None,
                "amount": 300,
                "flow": flow,
                "tokenization_requested": False,
                "landing_route": "/my/billing",
                "is_validation": False,
            },
        )

    def test_a_provider_of_another_company_is_refused(self):
        """A crafted request choosing another company's provider is refused: its
        payment would be recorded in that company, never on these invoices."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        response = self.pay_with(self.other_provider)
        self.assertIn("error", response, "another company's provider must be refused")
        self.assertIn("cannot pay invoices of", response["error"]["data"]["message"])
        self.assertEqual(Tx.search_count([]), before, "no transaction created")
        # the invoices' own company's provider still pays them
        response = self.pay_with(self.provider)
        self.assertNotIn("error", response)

    def test_a_saved_card_of_another_company_is_refused(self):
        """Paying with a saved method of another company's provider is refused too."""
        token = self.env["payment.token"].create(
            {
                "provider_id": self.other_provider.id,
                "payment_method_id": self.method.id,
                "partner_id": self.contact_a1.id,
                "payment_details": "4242",
                "provider_ref": "demo-other-company",
                "demo_simulated_state": "done",
            }
        )
        self.authenticate(self.user_a1.login, self.user_a1.login)
        Tx = self.env["payment.transaction"]
        before = Tx.search_count([])
        response = self.pay_with(self.provider, flow="token", token=token)
        self.assertIn("error", response, "another company's saved method must be refused")
        self.assertIn("cannot pay invoices of", response["error"]["data"]["message"])
        self.assertEqual(Tx.search_count([]), before, "no transaction created")
        self.assertEqual(self.invoices.mapped("amount_residual"), [100, 200])

    def pay_pending(self):
        """The client pays both invoices; the provider has not confirmed yet."""
        self.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", True)
        self.authenticate(self.user_a1.login, self.user_a1.login)
        response = self.pay_with(self.provider)
        self.assertNotIn("error", response)
        tx = self.env["payment.transaction"].search(
            [("reference", "=", response["result"]["reference"])]
        )
        tx._set_pending()
        return tx

    def confirm(self, tx):
        tx._set_done()
        try:
            tx._post_process()
        except UserError as error:
            self.fail(f"the client's payment was not recorded: {error}")

    def test_an_invoice_cancelled_before_the_payment_confirms(self):
        """Staff cancel one of the invoices while its payment is pending: once
        confirmed, the payment is recorded, pays the other invoice and leaves the
        rest on the client's account, staff told on the cancelled invoice."""
        tx = self.pay_pending()
        first, second = self.invoices
        second.button_draft()
        second.button_cancel()
        self.confirm(tx)
        self.assertTrue(tx.payment_id, "the payment is recorded")
        self.assertEqual(tx.payment_id.amount, 300)
        self.assertEqual(first.payment_state, "paid")
        self.assertEqual(second.state, "cancel")
        self.assertEqual(tx.invoice_ids, self.invoices, "the transaction still lists both")
        self.assertIn("left on the client's account", second.message_ids[0].body)

    def test_an_invoice_reset_to_draft_before_the_payment_confirms(self):
        """Staff reset an invoice to draft to correct it while its payment is pending:
        the confirmed payment does not post it again behind their back."""
        tx = self.pay_pending()
        first, second = self.invoices
        second.button_draft()
        self.confirm(tx)
        self.assertEqual(second.state, "draft", "the invoice being corrected stays in draft")
        self.assertEqual(first.payment_state, "paid")
        self.assertEqual(tx.payment_id.amount, 300)
