from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.base.controllers.rpc import dumps
from odoo.addons.invoicera_billing.models.invoicera_billable_item import InvoiceraBusyError
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestEngineBillingRun(InvoiceraTimesheetCase):
    """What a billing run tells about the clients it listed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_c, cls.project_c = cls.third_client()
        cls.clients = cls.client | cls.client_eur | cls.client_c

    def new_run(self, **vals):
        return (
            self.env["invoicera.billing.run"]
            .with_user(self.billing_user)
            .create(
                {
                    "invoice_date": date(2026, 3, 31),
                    "partner_ids": [Command.set(self.clients.ids)],
                    **vals,
                }
            )
        )

    def test_a_client_billed_nothing_says_why(self):
        """The run listed three clients; before its jobs ran, one was invoiced (and
        posted) by hand, one's work excluded, one's written off and deferred: each log line
        says why nothing was billed, not just "Nothing to bill."."""
        self.log_time(self.alice, 2)
        self.log_time(self.bob, 3, project=self.project_eur)
        self.log_time(self.alice, 1, project=self.project_c)
        self.log_time(self.bob, 4, project=self.project_c)
        self.env.company.invoicera_run_chunk_size = 2
        run = self.new_run()
        with trap_jobs() as trap:
            run.action_start()
            self.assertEqual(run.client_ids, self.clients)
            invoice = self.invoice(self.client, post=True)
            Item = self.Item.with_user(self.billing_user)
            Item.search([("partner_id", "=", self.client_eur.id)]).action_exclude()
            written_off, deferred = Item.search([("partner_id", "=", self.client_c.id)], order="id")
            written_off.action_write_off("Goodwill")
            deferred.action_defer(date(2099, 1, 1))
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        self.assertFalse(run.invoice_ids)
        logs = {log.partner_id: log for log in run.log_ids}
        self.assertEqual(set(run.log_ids.mapped("status")), {"nothing"})
        self.assertEqual(
            logs[self.client].message,
            "Nothing to bill: this client's work changed since the run listed it: "
            f"1 item(s) invoiced in {invoice.name}.",
        )
        self.assertEqual(
            logs[self.client_eur].message,
            "Nothing to bill: this client's work changed since the run listed it: "
            "1 item(s) excluded.",
        )
        self.assertIn("1 item(s) written off", logs[self.client_c].message)
        self.assertIn("1 item(s) deferred to after the cut-off date", logs[self.client_c].message)

    def test_work_invoiced_by_a_run_begun_before_says_so(self):
        """Another run, begun a little before this one, invoiced the client after
        this one listed it (its items' write date is when that run began): the log
        names that run's invoice, not work gone to another client."""
        self.log_time(self.alice, 2)
        run = self.new_run(partner_ids=[Command.set(self.client.ids)])
        run._write_run({"state": "running", "client_ids": [Command.set(self.client.ids)]})
        invoice = self.invoice(self.client, post=True)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE invoicera_billable_item SET write_date = write_date - interval "
                "'2 minutes' WHERE invoice_id = %s",
                invoice.id,
            )
        )
        self.env.invalidate_all()
        run._process_chunk(self.client.ids)
        self.assertEqual(run.state, "done")
        self.assertEqual(
            run.log_ids.message,
            "Nothing to bill: this client's work changed since the run listed it: "
            f"1 item(s) invoiced in {invoice.name}.",
        )

    def chunks_of_busy_clients(self):
        """A run of three clients in two chunk jobs (stored in the queue, as in
        production), each job run while someone else changes its clients' work:
        all skipped, to retry. Returns (run, its jobs, its chunk jobs)."""
        self.log_time(self.alice, 2)
        self.log_time(self.bob, 3, project=self.project_eur)
        self.log_time(self.alice, 1, project=self.project_c)
        self.env.company.invoicera_run_chunk_size = 2
        run = self.new_run()
        run.action_start()
        jobs = run._unfinished_jobs()
        chunks = jobs.filtered(lambda job: job.method_name == "_process_chunk")

        def busy(items):
            raise InvoiceraBusyError("could not obtain lock")

        with patch.object(type(self.Item), "_lock_for_invoicing", busy):
            for chunk in chunks:
                run.with_context(job_uuid=chunk.uuid)._process_chunk(chunk.args[0])
                chunk.state = "done"
        return run, jobs, chunks

    def test_a_cancelled_run_promises_no_retry(self):
        """Clients skipped (their work was being changed) are to be retried by a
        job a few minutes later; the run cancelled, that job is cancelled too: the
        log no longer says they will be retried."""
        run, _jobs, _chunks = self.chunks_of_busy_clients()
        self.assertIn("Retried in a few minutes", run.log_ids[0].message)
        retries = run._unfinished_jobs().filtered(lambda job: job.kwargs.get("attempt"))
        self.assertEqual(len(retries), 2)
        # answered to an external API call (XML-RPC sends no None back)
        self.assertIn("<boolean>1</boolean>", dumps((run.action_cancel(),)))
        self.assertEqual(run.state, "cancelled")
        self.assertEqual(set(retries.mapped("state")), {"cancelled"})
        self.assertEqual(set(run.log_ids.mapped("status")), {"skipped"})
        for log in run.log_ids:
            self.assertNotIn("Retried", log.message, log.partner_id.name)
            self.assertIn("the run was cancelled before retrying", log.message)
        self.assertEqual(set(self.Item.search([]).mapped("state")), {"to_bill"})

    def test_retries_ending_together_end_the_run(self):
        """Clients of two chunks skipped, each chunk schedules its own retry; the two
        retries run side by side, each blind to the other's log line (as two job
        workers are), so neither ends the run: the job run after them does."""
        run, jobs, chunks = self.chunks_of_busy_clients()
        run._end_run()  # the chunks' last job: clients still to retry
        (jobs - chunks).state = "done"
        self.assertEqual(run.state, "running")
        retries = run._unfinished_jobs().filtered(lambda job: job.method_name == "_process_chunk")
        self.assertEqual(len(retries), 2)
        # each retry blind to the other: its own check finds the run unfinished
        with patch.object(type(run), "_check_done", lambda runs: None):
            for retry in retries:
                run.with_context(job_uuid=retry.uuid)._process_chunk(retry.args[0], **retry.kwargs)
                retry.state = "done"
        self.assertEqual(set(run.log_ids.mapped("status")), {"invoiced"})
        ends = run._unfinished_jobs()
        self.assertEqual(ends.mapped("method_name"), ["_end_run"] * 2, "one after each retry")
        self.assertEqual(
            {uuid for end in ends for uuid in end.dependencies["depends_on"]},
            set(retries.mapped("uuid")),
        )
        run._end_run()
        self.assertEqual(run.state, "done")

    def test_the_log_total_leaves_out_invoices_cancelled_since(self):
        """The log's total is what the client is billed: an invoice of the run
        cancelled since no longer counts (deleted, it is gone from the log)."""
        self.log_time(self.alice, 2)
        self.log_time(self.bob, 3, project=self.project_eur)
        run = self.new_run(partner_ids=[Command.set((self.client | self.client_eur).ids)])
        run.action_start()
        logs = {log.partner_id: log for log in run.log_ids}
        invoice, other = logs[self.client].invoice_ids, logs[self.client_eur].invoice_ids
        self.assertTrue(invoice.amount_total and other.amount_total)
        self.assertEqual(logs[self.client].amount_total, invoice.amount_total)
        invoice.button_cancel()
        self.assertEqual(logs[self.client].amount_total, 0)
        self.assertEqual(logs[self.client_eur].amount_total, other.amount_total)

    def test_a_draft_run_started_later_says_what_changed_since_it_started(self):
        """A run prepared two days before it is started: what was invoiced before
        it started is not why it found nothing; what changed since is."""
        self.log_time(self.alice, 2)
        old_item = self.item_of(self.log_time(self.alice, 1, day="2026-03-02", name="Old work"))
        self.log_time(self.bob, 3, project=self.project_eur)
        self.log_time(self.alice, 1, project=self.project_c)
        self.env.company.invoicera_run_chunk_size = 2
        run = self.new_run()
        invoice = old_item._invoice(self.company, date(2026, 3, 31))
        # the draft was saved, and the old work invoiced, two days ago
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE invoicera_billing_run SET create_date = now() - interval '2 days'"
                " WHERE id = %s",
                run.id,
            )
        )
        self.env.cr.execute(
            SQL(
                "UPDATE invoicera_billable_item SET write_date = now() - interval '2 days'"
                " WHERE id = %s",
                old_item.id,
            )
        )
        self.env.invalidate_all()
        with trap_jobs() as trap:
            run.action_start()
            self.assertIn(self.client, run.client_ids)
            self.Item.with_user(self.billing_user).search(
                [("partner_id", "=", self.client.id), ("state", "=", "to_bill")]
            ).action_exclude()
            trap.perform_enqueued_jobs()
        log = run.log_ids.filtered(lambda log: log.partner_id == self.client)
        self.assertEqual(
            log.message,
            "Nothing to bill: this client's work changed since the run listed it: "
            "1 item(s) excluded.",
            f"not the work of {invoice.name or 'the draft'}, invoiced before the run started",
        )
