from datetime import date, timedelta
from unittest.mock import patch

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from odoo.addons.invoicera_billing.models.invoicera_billable_item import InvoiceraBusyError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingRun(InvoiceraTimesheetCase):
    """ "Invoice all": every client in one run, in chunks, each client on its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_c, cls.project_c = cls.third_client()
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
        # found by Odoo's "Not Sent" filter (before: marked as sent, its PDF made)
        self.assertFalse(invoice_c.is_move_sent)
        self.assertIn(invoice_c, self.env["account.move"].search([("is_move_sent", "=", False)]))
        self.assertEqual(
            logs[self.client_c].message,
            "Invoiced, not sent: Cobalt Media has no e-mail address. Add one and "
            "send the invoice from it.",
        )
        self.assertEqual(run.not_sent_count, 1)

    def test_sent_by_email_to_the_clients_who_get_their_invoices_so(self):
        """A client who downloads its invoices (its Invoice sending setting) is
        not e-mailed them, as Odoo's Send & Print would not: its invoice is not
        marked as sent, and the log says why (before: e-mailed, marked as sent,
        nothing said)."""
        self.client_eur.email = "compta@lumiere.example.com"
        self.client_eur.with_company(self.company).invoice_sending_method = "manual"
        run = self.new_run(post=True, send=True)
        run.action_start()
        logs = self.logs(run)
        sent = logs[self.client].invoice_ids
        self.assertTrue(sent.is_move_sent)
        self.assertFalse(logs[self.client].not_sent)
        kept = logs[self.client_eur].invoice_ids
        self.assertEqual(kept.state, "posted")
        self.assertFalse(kept.is_move_sent)
        self.assertFalse(kept.message_ids.filtered(lambda m: m.message_type == "comment"))
        self.assertEqual(
            logs[self.client_eur].message,
            "Invoiced, not sent by e-mail: Lumière SARL gets its invoices otherwise "
            "(Invoice sending: Download). Send the invoice from it.",
        )
        self.assertEqual(run.not_sent_count, 2, "Lumière, and Cobalt without e-mail")

    def test_an_invoice_dated_later_is_not_due_before_its_date(self):
        """A run of invoices dated next month, for a client without payment
        terms: due on their date (before: due the day the run ran, overdue as
        soon as posted); with payment terms, as the terms say; dated earlier,
        due the day they are made, as Odoo's."""
        today = fields.Date.context_today(self.env["res.partner"])
        later = today + timedelta(days=25)
        self.client_eur.property_payment_term_id = self.env.ref(
            "account.account_payment_term_30days"
        )
        run = self.new_run(invoice_date=later, cutoff_date=later, post=True)
        run.action_start()
        logs = self.logs(run)
        self.assertEqual(logs[self.client].invoice_ids.invoice_date_due, later)
        self.assertEqual(
            logs[self.client_eur].invoice_ids.invoice_date_due, later + timedelta(days=30)
        )
        self.log_time(self.alice, 1, day="2026-03-12")
        earlier = self.invoice(self.client, invoice_date=date(2026, 3, 31), post=True)
        self.assertEqual(earlier.invoice_date_due, today)

    def test_the_dialog_warns_of_an_invoice_date_in_a_locked_period(self):
        """Post ticked, the invoice date in a locked period: the dialog says, as
        an invoice's form does, that the invoices will be accounted on a later
        date (before: nothing said, the posted invoices dated later in the
        accounts than on their face)."""
        self.env.company.sale_lock_date = date(2026, 3, 31)
        form = Form(
            self.env["invoicera.billing.run"].with_user(self.billing_user),
            view="invoicera_billing.invoicera_billing_run_view_form_start",
        )
        form.invoice_date = date(2026, 3, 31)
        self.assertFalse(form.lock_date_message, "drafts: Odoo warns when they are posted")
        form.post = True
        self.assertRegex(
            form.lock_date_message,
            r"^The date is being set prior to: .*Sales Lock Date.*\. The Journal Entry "
            r"will be accounted on .* upon posting\.$",
        )
        form.invoice_date = date(2026, 4, 1)
        self.assertFalse(form.lock_date_message)
        # a company without a sales journal: no warning, nor an error opening the
        # dialog (each client's log says Odoo's, as before)
        bare = self.env["res.company"].create({"name": "No Journal Co"})
        self.env.user.company_ids |= bare
        run = (
            self.env["invoicera.billing.run"]
            .with_company(bare)
            .new({"company_id": bare.id, "invoice_date": date(2026, 3, 31), "post": True})
        )
        self.assertFalse(run.lock_date_message)

    def test_unticking_post_unticks_send(self):
        """Post and Send ticked, then Post unticked (Send hides with it): the
        dialog saves a run of drafts, not an error about a hidden option."""
        form = Form(
            self.env["invoicera.billing.run"],
            view="invoicera_billing.invoicera_billing_run_view_form_start",
        )
        form.post = True
        form.send = True
        form.post = False
        run = form.save()
        self.assertFalse(run.send)
        form = Form(run)
        form.post = True
        form.send = True
        self.assertTrue(form.save().send, "ticked again, kept")

    def test_the_cut_off_follows_the_invoice_date(self):
        """Billing March on April 2nd: dating the invoices March 31st bills the
        work up to that day, not April's first days (the cut-off can still be
        set apart)."""
        form = Form(
            self.env["invoicera.billing.run"],
            view="invoicera_billing.invoicera_billing_run_view_form_start",
        )
        form.invoice_date = date(2026, 3, 31)
        self.assertEqual(form.cutoff_date, date(2026, 3, 31))
        form.cutoff_date = date(2026, 3, 15)
        run = form.save()
        self.assertEqual(
            (run.invoice_date, run.cutoff_date), (date(2026, 3, 31), date(2026, 3, 15))
        )

    def test_clients_per_job_are_the_runs_companys(self):
        """Clients per Job is a setting of each company: a run for another
        company than the one the user works in takes that company's."""
        other = self.env["res.company"].create({"name": "Other Co", "invoicera_run_chunk_size": 7})
        self.env.user.company_ids |= other
        self.env.company.invoicera_run_chunk_size = 30
        Run = self.env["invoicera.billing.run"].with_context(
            allowed_company_ids=[self.env.company.id, other.id]
        )
        self.assertEqual(Run.create({"company_id": other.id}).chunk_size, 7)
        self.assertEqual(Run.create({}).chunk_size, 30)

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

    def test_resume_is_refused_for_a_run_not_running(self):
        """Resume of a run not started, or done (another user's Resume finished it
        while this one's form still showed it running): told why, nothing queued
        (before: it silently did nothing)."""
        draft = self.new_run()
        with self.assertRaisesRegex(
            UserError, rf"Only a running billing run can be resumed: {draft.name} \(Draft\)\."
        ):
            draft.action_resume()
        done = self.new_run()
        done.action_start()
        self.assertEqual(done.state, "done")
        with self.assertRaisesRegex(UserError, rf"{done.name} \(Done\)"):
            done.action_resume()
        self.assertEqual(len(done.log_ids), 3, "no client processed again")

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

    # ------------------------------------------------------------------
    # What a Billing User can and cannot do with a run
    # ------------------------------------------------------------------
    def test_resume_bills_the_clients_of_the_run_only(self):
        """A client with work logged after the run started is not the run's:
        Resume bills the run's clients, and the progress stops at 100%."""
        run = self.new_run(chunk_size=2)
        run.partner_ids = False  # every client with work to bill
        with trap_jobs() as trap:
            run.action_start()
            chunks = [job for job in trap.enqueued_jobs if job.method_name == "_process_chunk"]
            min(chunks, key=lambda job: job.args[0]).perform()  # the others are lost
        clients = run.client_count
        self.assertGreaterEqual(clients, 3)
        newcomer = self.env["res.partner"].create({"name": "Newcomer Ltd", "is_company": True})
        project = self.env["project.project"].create(
            {"name": "New work", "partner_id": newcomer.id, "allow_billable": True}
        )
        self.log_time(self.alice, 2, project=project)
        run.with_context(invoicera_run_now=True).action_resume()
        self.assertEqual(run.state, "done")
        self.assertEqual((run.client_count, run.done_count, run.progress), (clients, clients, 100))
        self.assertNotIn(newcomer, run.log_ids.partner_id)
        self.assertEqual(
            set(self.Item.search([("partner_id", "=", newcomer.id)]).mapped("state")),
            {"to_bill"},
            "billed by the next run",
        )

    def test_a_skipped_client_keeps_the_run_running_until_resumed(self):
        """A client skipped (its work was being changed) is not done: the run stays
        running, Resume bills the client and updates its log line."""
        run = self.new_run(chunk_size=2)
        with trap_jobs() as trap:
            run.action_start()
            chunks = [job for job in trap.enqueued_jobs if job.method_name == "_process_chunk"]
            min(chunks, key=lambda job: job.args[0]).perform()
        # the other chunk found its client's items locked (see test_concurrency)
        (skipped,) = self.clients - run.log_ids.partner_id
        log = self.env["invoicera.billing.run.log"].create(
            run._log_values(skipped, "skipped", "busy")
        )
        run._end_run()
        self.assertEqual(run.state, "running")
        self.assertEqual((run.done_count, round(run.progress)), (2, 67))
        run.with_context(invoicera_run_now=True).action_resume()
        self.assertEqual(run.state, "done")
        self.assertEqual(log.status, "invoiced")
        self.assertFalse(log.message)
        self.assertEqual(len(run.log_ids), 3)
        self.assertEqual(run.invoice_ids.partner_id, self.clients)

    def test_a_chunk_job_retries_its_skipped_clients_later(self):
        """In a background job, the clients skipped are retried by a new job a few
        minutes later; the run ends when they are invoiced."""
        run = self.new_run(chunk_size=2)
        with trap_jobs() as trap:
            run.action_start()
            chunks = [job for job in trap.enqueued_jobs if job.method_name == "_process_chunk"]
            trap.enqueued_jobs.clear()

            def busy(items):
                raise InvoiceraBusyError("could not obtain lock")

            with patch.object(type(self.Item), "_lock_for_invoicing", busy):
                for job in chunks:
                    job.perform()
            self.assertEqual(run.state, "running")
            self.assertEqual(set(run.log_ids.mapped("status")), {"skipped"})
            self.assertIn("Retried in a few minutes", run.log_ids[0].message)
            trap.assert_jobs_count(2, only=run._process_chunk)
            trap.assert_jobs_count(2, only=run._end_run)  # one after each retry
            retries = [job for job in trap.enqueued_jobs if job.method_name == "_process_chunk"]
            self.assertTrue(all(job.eta for job in retries))
            self.assertEqual({job.kwargs["attempt"] for job in retries}, {1}, "first retry")
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(set(run.log_ids.mapped("status")), {"invoiced"})
        self.assertEqual(run.invoice_ids.partner_id, self.clients)

    def test_a_started_run_cannot_be_changed_by_its_user(self):
        """Over RPC a Billing User changes neither the run's parameters once started
        nor what the run sets itself (state, counts, who started it)."""
        Run = self.env["invoicera.billing.run"].with_user(self.billing_user)
        run = Run.create({"invoice_date": date(2026, 3, 31), "cutoff_date": date(2026, 3, 31)})
        with self.assertRaisesRegex(UserError, "set by the run itself"):
            run.write({"user_id": self.env.ref("base.user_admin").id})
        with self.assertRaisesRegex(UserError, "set by the run itself"):
            Run.create({"state": "running", "client_count": 1})
        self.assertEqual(Run.with_context(default_state="done").create({}).state, "draft")
        run.write({"partner_ids": [Command.set(self.client.ids)]})  # a draft: yes
        run.action_start()
        self.assertEqual(run.state, "done")
        for vals in (
            {"state": "running"},
            {"client_count": 2},
            {"user_id": self.env.ref("base.user_admin").id},
        ):
            with self.assertRaisesRegex(UserError, "set by the run itself"):
                run.write(vals)
        for vals in (
            {"partner_ids": [Command.set(self.client_eur.ids)]},
            {"cutoff_date": date(2030, 1, 1)},
        ):
            with self.assertRaisesRegex(UserError, "has started"):
                run.write(vals)
        self.assertEqual(
            (run.state, run.user_id, run.partner_ids), ("done", self.billing_user, self.client)
        )

    def test_a_draft_left_by_a_failed_start_can_be_deleted(self):
        Run = self.env["invoicera.billing.run"].with_user(self.billing_user)
        draft = Run.create({"cutoff_date": date(2000, 1, 1)})  # saved by the dialog
        with self.assertRaisesRegex(UserError, "nothing to invoice"):
            draft.action_start()
        draft.unlink()
        self.assertFalse(draft.exists())
        run = Run.create({"invoice_date": date(2026, 3, 31), "cutoff_date": date(2026, 3, 31)})
        run.action_start()
        with self.assertRaisesRegex(UserError, "Only a draft billing run can be deleted"):
            run.unlink()

    def test_cancel_a_running_run(self):
        """Cancel stops the jobs not started yet; what was invoiced stays, the
        rest stays to bill. Refused while a job is invoicing."""
        run = self.new_run(chunk_size=2).with_user(self.billing_user)
        run.action_start()  # jobs stored in the queue, as in production
        jobs = run._unfinished_jobs()
        chunks = jobs.filtered(lambda job: job.method_name == "_process_chunk").sorted(
            lambda job: min(job.args[0])
        )
        Job.load(self.env, chunks[0].uuid).perform()
        chunks[0]._change_job_state("done")
        chunks[1].state = "started"
        with self.assertRaises(UserError) as caught:
            run.action_cancel()
        self.assertIn("invoicing clients right now", str(caught.exception))
        # a job left started by a stopped server never ends by itself: who can help
        self.assertIn(
            "an administrator requeues or cancels it in Queue Jobs", str(caught.exception)
        )
        chunks[1].state = "pending"
        run.action_cancel()
        self.assertEqual(run.state, "cancelled")
        self.assertEqual(set((jobs - chunks[0]).mapped("state")), {"cancelled"})
        self.assertFalse(run._unfinished_jobs())
        self.assertEqual(run.invoice_count, 2)
        (not_billed,) = self.clients - run.invoice_ids.partner_id
        self.assertEqual(
            set(self.Item.search([("partner_id", "=", not_billed.id)]).mapped("state")),
            {"to_bill"},
        )
        # every client of the run has a line in its log, the one not reached
        # too (before: none), and it is not counted as processed
        self.assertEqual(run.log_ids.partner_id, self.clients)
        log = run.log_ids.filtered(lambda log: log.partner_id == not_billed)
        self.assertEqual(log.status, "skipped")
        self.assertEqual(
            log.message,
            "Not invoiced: the run was cancelled before reaching this client. Its work "
            "stays to bill: invoice it in a new run.",
        )
        self.assertEqual((run.done_count, round(run.progress)), (2, 67))

    def test_start_dialog_shows_the_company(self):
        view = self.env.ref("invoicera_billing.invoicera_billing_run_view_form_start")
        self.billing_user.groups_id |= self.env.ref("base.group_multi_company")
        Run = self.env["invoicera.billing.run"].with_user(self.billing_user)
        arch = Run.get_views([(view.id, "form")])["views"]["form"]["arch"]
        (field,) = etree.fromstring(arch).xpath("//field[@name='company_id']")
        self.assertFalse(field.get("invisible"))
