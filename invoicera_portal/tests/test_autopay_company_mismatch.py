from odoo.tests import TransactionCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestAutopayCompanyMismatch(InvoiceraPortalCommon, TransactionCase):
    """As Odoo's portal (``PaymentPortal._can_partner_pay_in_company``) and pay
    many: the card of a contact registered with one company of the database does
    not pay the invoices of another, automatically either."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.demo_provider()

    def setUp(self):
        super().setUp()
        self.invoice = self.make_other_company_move(self.client_a, 80)
        self.other = self.invoice.company_id
        # the demo provider set up for the invoice's company too (as staff would),
        # so the saved card could pay its invoices
        provider = self.demo_provider().copy({"company_id": self.other.id})
        provider.write({"state": "test", "is_published": True, "allow_tokenization": True})
        self.token = self.make_demo_token(self.contact_a1)
        self.token.provider_id = provider
        self.client_a.invoicera_autopay_token_id = self.token

    def post(self):
        with trap_jobs() as trap:
            self.invoice.action_post()
            trap.assert_jobs_count(1, only=self.invoice._invoicera_autopay)
            trap.perform_enqueued_jobs()

    def test_a_card_of_a_contact_of_another_company_is_not_charged(self):
        # Ann's contact is registered with the main company only
        self.contact_a1.company_id = self.company
        self.post()
        self.assertFalse(
            self.invoice.sudo().transaction_ids,
            "a contact of another company must not pay it (Odoo's company mismatch)",
        )
        self.assertEqual(self.invoice.amount_residual, 80)
        body = self.invoice.message_ids[0].body
        self.assertIn("Automatic payment skipped", body)
        self.assertIn(self.company.name, body)
        self.assertIn(self.other.name, body)

    def test_a_card_of_a_contact_of_no_company_in_particular_is_charged(self):
        self.post()
        tx = self.invoice.sudo().transaction_ids
        self.assertEqual((tx.state, tx.token_id), ("done", self.token))
        self.assertEqual(self.invoice.amount_residual, 0)
