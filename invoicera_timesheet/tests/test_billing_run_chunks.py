from datetime import date

from odoo import Command
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingRunChunks(InvoiceraTimesheetCase):
    """Clients per Job set while a run waits as a draft is the size it runs with."""

    def test_setting_changed_after_the_draft_was_saved(self):
        client_c, project_c = self.third_client()
        self.log_time(self.alice, 2)
        self.log_time(self.bob, 3, project=project_c)
        self.company.invoicera_run_chunk_size = 50
        run = self.env["invoicera.billing.run"].create(
            {
                "invoice_date": date(2026, 3, 31),
                "partner_ids": [Command.set((self.client | client_c).ids)],
            }
        )
        self.env["res.config.settings"].create({"invoicera_run_chunk_size": 1}).execute()
        self.assertEqual(run._partners_to_invoice(), self.client | client_c)
        with trap_jobs() as trap:
            run.action_start()
            trap.assert_jobs_count(2, only=run._process_chunk)
            self.assertFalse(run.invoice_ids, "one client per background job")
            trap.perform_enqueued_jobs()
        self.assertEqual((run.state, run.invoice_count), ("done", 2))
        # a started run keeps its size: a later change does not split its Resume
        self.env["res.config.settings"].create({"invoicera_run_chunk_size": 50}).execute()
        self.assertEqual(run.chunk_size, 1)

    def test_jobs_run_in_the_channel_of_their_job_function(self):
        """An administrator moving the billing runs' jobs to another channel
        (Queue ▸ Job Functions) moves them: before, the code named the channel
        itself, and the setting changed nothing."""
        client_c, project_c = self.third_client()
        self.log_time(self.alice, 2)
        self.log_time(self.bob, 3, project=project_c)
        channel = self.env["queue.job.channel"].create(
            {"name": "billing", "parent_id": self.env.ref("queue_job.channel_root").id}
        )
        for xmlid in (
            "invoicera_billing.job_function_billing_run_process_chunk",
            "invoicera_billing.job_function_billing_run_end_run",
        ):
            self.env.ref(xmlid).channel_id = channel
        run = self.env["invoicera.billing.run"].create(
            {
                "invoice_date": date(2026, 3, 31),
                "partner_ids": [Command.set((self.client | client_c).ids)],
                "chunk_size": 1,
            }
        )
        with trap_jobs() as trap:
            run.action_start()
            trap.assert_jobs_count(2, only=run._process_chunk)
            self.assertEqual(
                {job.channel for job in trap.enqueued_jobs}, {"root.billing"}, "chunks and end"
            )
            trap.perform_enqueued_jobs()
        self.assertEqual((run.state, run.invoice_count), ("done", 2))
