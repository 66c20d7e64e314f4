from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingRunDelete(InvoiceraTimesheetCase):
    """A run whose background jobs are queued is cancelled before it is deleted."""

    def test_manager_cannot_delete_a_running_run(self):
        """Deleted while running, its queued jobs failed on a run that no longer
        existed and its clients' work was left unbilled without a word."""
        client_c, project_c = self.third_client()
        self.log_time(self.alice, 2)
        self.log_time(self.bob, 3, project=self.project_eur)
        self.log_time(self.alice, 1, project=project_c)
        manager = new_test_user(
            self.env,
            login="review3_billing_boss",
            groups="base.group_user,invoicera_billing.group_billing_manager",
        )
        run = (
            self.env["invoicera.billing.run"]
            .with_user(manager)
            .create(
                {
                    "invoice_date": date(2026, 3, 31),
                    "partner_ids": [Command.set((self.client | self.client_eur | client_c).ids)],
                }
            )
        )
        run.sudo()._write_run({"chunk_size": 2})
        run.action_start()  # jobs stored in the queue, as in production
        self.assertEqual(run.state, "running")
        with self.assertRaisesRegex(UserError, f"{run.name}.*cancel it"):
            run.unlink()
        self.assertTrue(run.exists())
        run.action_cancel()
        run.unlink()
        self.assertFalse(run.exists(), "cancelled, the manager deletes it")
