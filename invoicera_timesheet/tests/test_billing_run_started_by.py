from datetime import date

from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingRunStartedBy(InvoiceraTimesheetCase):
    """A run's "Started by" names who started it, not who prepared the draft."""

    def test_started_by_the_user_who_clicked_invoice(self):
        self.log_time(self.alice, 2)
        colleague = new_test_user(
            self.env,
            login="review3_billing_colleague",
            groups="base.group_user,invoicera_billing.group_billing_user",
        )
        run = (
            self.env["invoicera.billing.run"]
            .with_user(self.billing_user)
            .create({"invoice_date": date(2026, 3, 31)})
        )
        self.assertEqual(run.user_id, self.billing_user, "the draft's author so far")
        run.with_user(colleague).action_start()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.user_id, colleague)
