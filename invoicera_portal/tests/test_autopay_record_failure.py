from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.account_payment.models.payment_transaction import (
    PaymentTransaction as AccountPaymentTransaction,
)
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestAutopayRecordFailure(InvoiceraPortalCommon, HttpCase):
    """Autopay: a card charged is never lost from Odoo, nor charged twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.demo_provider()
        cls.token = cls.make_demo_token(cls.contact_a1)
        cls.client_a.invoicera_autopay_token_id = cls.token

    def run_job(self, trap):
        """Run the enqueued jobs as queue_job does: a job that fails is rolled back
        (and retried, or requeued by staff)."""
        try:
            with self.env.cr.savepoint():
                trap.perform_enqueued_jobs()
        except UserError:
            return False
        return True

    def test_a_charge_whose_payment_fails_to_record_is_kept(self):
        """The card is charged, then recording the payment fails (here: the
        provider's journal refuses it). The job failed and was rolled back with the
        charge's transaction: Odoo no longer knew of the charge, and running the
        job again (a retry, staff requeuing it) charged the card a second time.
        Now the charge stays recorded (Odoo's payment post-processing records the
        payment later), the invoice says so, and nothing is charged again."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_line_ids": [self.consulting_line(400)],
            }
        )
        with trap_jobs() as trap:
            invoice.action_post()
            with patch.object(
                AccountPaymentTransaction,
                "_create_payment",
                side_effect=UserError("The payment journal is closed."),
            ):
                self.assertTrue(self.run_job(trap), "the job does not fail")
        tx = invoice.sudo().transaction_ids
        self.assertEqual(len(tx), 1, "the charge is recorded")
        self.assertEqual((tx.state, tx.amount), ("done", 400))
        self.assertFalse(tx.is_post_processed, "left to Odoo's post-processing")
        self.assertIn("The payment journal is closed.", invoice.message_ids[0].body)
        # The job run again charges nothing more.
        self.assertEqual(invoice._invoicera_autopay(), self.env["payment.transaction"])
        self.assertEqual(invoice.sudo().transaction_ids, tx, "not charged twice")
        # Odoo's post-processing (its cron) records the payment once it can.
        tx._post_process()
        self.assertTrue(tx.payment_id)
        self.assertEqual(invoice.amount_residual, 0)
