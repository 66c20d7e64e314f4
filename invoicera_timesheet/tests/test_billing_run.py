from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingRun(InvoiceraTimesheetCase):
    """ "Invoice all": every client in one run, in chunks, each client on its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_c = cls.env["res.partner"].create({"name": "Cobalt Media", "is_company": True})
        cls.project_c = cls.env["project.project"].create(
            {"name": "Campaign", "partner_id": cls.client_c.id, "allow_billable": True}
        )
        cls.log_time(cls.alice, 2)
        cls.log_time(cls.bob, 3, project=cls.project_eur)
        cls.log_time(cls.alice, 1, project=cls.project_c)
        cls.clients = cls.client | cls.client_eur | cls.client_c

    def new_run(self, **vals):
        return self.env["invoicera.billing.run"].create(
            dict(
                {
                    "invoice_date": date(2026, 3, 31),
                    "cutoff_date": date(2026, 3, 31),
                    "partner_ids": [(6, 0, self.clients.ids)],
                },
                **vals,
            )
        )

    def logs(self, run):
        return {log.partner_id: log for log in run.log_ids}

    def test_small_run_invoices_every_client_at_once(self):
        run = self.new_run(post=True)
        run.action_start()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.client_count, 3)
        self.assertEqual(run.invoice_count, 3)
        self.assertEqual(set(run.invoice_ids.mapped("state")), {"posted"})
        self.assertEqual(set(run.log_ids.mapped("status")), {"invoiced"})
        self.assertEqual(run.invoice_ids.partner_id, self.clients)
        self.assertEqual(run.progress, 100)

    def test_sent_by_email_and_the_log_names_who_was_not(self):
        """Sent as Odoo's Send & Print sends: a client without an e-mail address
        gets its invoice posted (and its PDF made) but no e-mail; the run says so."""
        self.client_eur.email = "compta@lumiere.example.com"
        run = self.new_run(post=True, send=True)
        run.action_start()
        logs = self.logs(run)
        self.assertEqual(set(run.log_ids.mapped("status")), {"invoiced"})
        for partner in (self.client, self.client_eur):
            invoice = logs[partner].invoice_ids
            email = invoice.message_ids.filtered(
                lambda m, partner=partner: m.message_type == "comment" and partner in m.partner_ids
            )
            self.assertEqual(len(email), 1, partner.name)
            self.assertTrue(
                any(name.startswith("Annex") for name in email.attachment_ids.mapped("name"))
            )
            self.assertFalse(logs[partner].message)
        invoice_c = logs[self.client_c].invoice_ids
        self.assertFalse(invoice_c.message_ids.filtered(lambda m: m.message_type == "comment"))
        self.assertEqual(
            logs[self.client_c].message,
            "Invoiced, not sent: Cobalt Media has no e-mail address. Add one and "
            "send the invoice from it.",
        )
        self.assertEqual(run.not_sent_count, 1)

    def test_failing_client_is_rolled_back_and_logged(self):
        self.client_c.active = False
        run = self.new_run()
        run.action_start()
        logs = self.logs(run)
        self.assertEqual(logs[self.client_c].status, "failed")
        self.assertIn("The client Cobalt Media is archived", logs[self.client_c].message)
        self.assertEqual(logs[self.client].status, "invoiced")
        self.assertEqual(logs[self.client_eur].status, "invoiced")
        self.assertEqual(run.invoice_ids.partner_id, self.client | self.client_eur)
        items_c = self.Item.search([("partner_id", "=", self.client_c.id)])
        self.assertEqual(items_c.mapped("state"), ["to_bill"], "no orphan invoice, no billed item")
        self.assertEqual(run.failed_count, 1)

    def sales_journals(self):
        return self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "sale")]
        )

    def assertEveryClientFails(self, reason):
        """A run where every client fails with ``reason`` ends; nothing is invoiced."""
        run = self.new_run()
        run.action_start()
        self.assertEqual(run.state, "done")
        self.assertEqual(set(run.log_ids.mapped("status")), {"failed"})
        for log in run.log_ids:
            self.assertIn(reason, log.message)
        self.assertFalse(run.invoice_ids)
        self.assertEqual(set(self.Item.search([]).mapped("state")), {"to_bill"})

    def test_without_a_sales_journal_every_client_fails_with_the_reason(self):
        """No sales journal (archived): each client is logged failed with Odoo's message."""
        self.sales_journals().action_archive()
        self.assertEveryClientFails("No journal could be found")

    def test_a_numbering_odoo_refuses_fails_each_client_with_the_reason(self):
        """A sales journal whose sequence pattern Odoo refuses: each client is
        logged failed with Odoo's message."""
        self.sales_journals().sequence_override_regex = r"^(?P<prefix1>.*)$"
        self.assertEveryClientFails("The sequence regex should at least contain")

    def test_client_refused_by_the_database_is_rolled_back_and_logged(self):
        """Not only Odoo's errors: a database constraint (another module's, here
        made for the test) refusing one client's invoice fails that client alone."""
        self.env.cr.execute(
            SQL(
                "ALTER TABLE account_move ADD CONSTRAINT invoicera_test_no_cobalt "
                "CHECK (partner_id != %s)",
                self.client_c.id,
            )
        )
        run = self.new_run()
        run.action_start()
        logs = self.logs(run)
        self.assertEqual(logs[self.client_c].status, "failed")
        self.assertIn("invoicera_test_no_cobalt", logs[self.client_c].message)
        self.assertEqual(logs[self.client].status, "invoiced")
        self.assertEqual(logs[self.client_eur].status, "invoiced")
        self.assertEqual(run.state, "done")
        items_c = self.Item.search([("partner_id", "=", self.client_c.id)])
        self.assertEqual(items_c.mapped("state"), ["to_bill"], "no orphan invoice, no billed item")

    def test_big_run_goes_to_background_jobs_per_chunk(self):
        run = self.new_run(chunk_size=2)
        with trap_jobs() as trap:
            run.action_start()
            trap.assert_jobs_count(2, only=run._process_chunk)
            trap.assert_jobs_count(1, only=run._end_run)
            end = next(job for job in trap.enqueued_jobs if job.method_name == "_end_run")
            chunks = {job.uuid for job in trap.enqueued_jobs if job.method_name != "_end_run"}
            self.assertEqual({job.uuid for job in end.depends_on}, chunks, "ends after all")
            self.assertEqual(run.state, "running")
            self.assertFalse(run.invoice_ids, "nothing invoiced before the jobs run")
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.invoice_count, 3)

    def test_resume_after_a_crash(self):
        """A chunk lost in a crash is processed by Resume; done clients are not again."""
        run = self.new_run(chunk_size=2)
        with trap_jobs() as trap:
            run.action_start()
            chunks = [job for job in trap.enqueued_jobs if job.method_name == "_process_chunk"]
            first = min(chunks, key=lambda job: job.args[0])
            first.perform()  # the second job is lost, so is the end of the run
        self.assertEqual(run.state, "running")
        self.assertEqual(run.done_count, 2)
        run.with_context(invoicera_run_now=True).action_resume()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.invoice_count, 3)
        self.assertEqual(len(run.log_ids), 3)

    def test_resume_replaces_a_failed_chunk_job(self):
        """A chunk job failed for good: Resume bills its clients, and no job waits forever."""
        run = self.new_run(chunk_size=2)
        run.action_start()  # jobs stored in the queue, as in production
        jobs = run._unfinished_jobs()
        chunks = jobs.filtered(lambda job: job.method_name == "_process_chunk").sorted(
            lambda job: min(job.args[0])
        )
        end = jobs - chunks
        self.assertEqual(len(chunks), 2)
        self.assertEqual(end.state, "wait_dependencies")
        with self.assertRaisesRegex(UserError, "still has 2 background jobs waiting or running"):
            run.action_resume()
        # The first chunk is done, the second fails for good.
        Job.load(self.env, chunks[0].uuid).perform()
        chunks[0]._change_job_state("done")
        failed = Job.load(self.env, chunks[1].uuid)
        failed.set_failed(exc_type="OperationalError", exc_info="the server was restarted")
        failed.store()
        self.assertEqual(run.state, "running")
        self.assertEqual(end.state, "wait_dependencies", "waits for the failed chunk")
        run.with_context(invoicera_run_now=True).action_resume()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.invoice_count, 3)
        self.assertEqual(len(run.log_ids), 3)
        self.assertEqual(chunks[1].state, "cancelled", "replaced by Resume")
        self.assertEqual(end.state, "cancelled", "no job left waiting forever")
        self.assertFalse(run._unfinished_jobs())

    def test_running_again_bills_nothing_twice(self):
        self.new_run().action_start()
        with self.assertRaisesRegex(UserError, "nothing to invoice"):
            self.new_run().action_start()
        # A chunk processed twice (a retried job) logs nothing new, bills nothing.
        run = self.new_run()
        run.state = "running"
        run.client_count = 3
        run._process_chunk(self.clients.ids)
        run._process_chunk(self.clients.ids)
        self.assertEqual(len(run.log_ids), 3)
        self.assertEqual(set(run.log_ids.mapped("status")), {"nothing"})
        self.assertEqual(
            self.env["account.move"].search_count([("partner_id", "in", self.clients.ids)]), 3
        )

    def test_send_needs_post(self):
        with self.assertRaisesRegex(Exception, "Only posted invoices can be sent"):
            self.new_run(send=True, post=False)
