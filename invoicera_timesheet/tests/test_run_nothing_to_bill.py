from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestRunNothingToBill(InvoiceraTimesheetCase):
    """A client chosen for a run with nothing to bill is told why: in the error
    when the run has nothing at all to invoice, else in the run's log, which
    lists every client chosen. Before, the error said only "nothing to invoice"
    and a run that started left such a client out of its log without a word."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Website asks Acme to approve its work in the portal: both items await it
        cls.project.invoicera_client_approval = True
        cls.log_time(cls.alice, 2)
        cls.log_time(cls.bob, 1, day="2026-03-12")
        # Lumière's work is billable
        cls.log_time(cls.bob, 3, project=cls.project_eur)

    def start_error(self, run):
        with self.assertRaises(UserError) as caught:
            run.action_start()
        return str(caught.exception)

    def test_nothing_to_invoice_says_the_work_awaits_the_client(self):
        run = self.billing_user_run(self.client)
        self.assertEqual(
            self.start_error(run),
            "There is nothing to invoice for Acme Analytics up to the cut-off date "
            "(03/31/2026).\n"
            "Acme Analytics: 2 item(s) await the client's approval.",
        )
        self.assertEqual(run.state, "draft")

    def test_a_run_logs_the_chosen_client_awaiting_its_approval(self):
        run = self.billing_user_run(self.client | self.client_eur)
        run.action_start()
        self.assertEqual(run.state, "done", run.log_ids.mapped("message"))
        logs = {log.partner_id: log for log in run.log_ids}
        self.assertEqual(set(logs), {self.client, self.client_eur}, "every client chosen")
        self.assertEqual(
            (logs[self.client].status, logs[self.client].message),
            ("nothing", "2 item(s) await the client's approval."),
        )
        self.assertEqual(logs[self.client_eur].status, "invoiced")
        self.assertEqual(run.invoice_ids.partner_id, self.client_eur)
        self.assertEqual((run.client_count, run.done_count, run.progress), (2, 2, 100))

    def test_a_run_in_jobs_logs_the_client_once_and_ends_with_its_clients(self):
        """In background jobs, and resumed after a chunk was lost: the client with
        nothing to bill is logged once, at the start; the run ends when the
        clients to invoice are."""
        client_c, project_c = self.third_client()
        self.log_time(self.alice, 1, project=project_c)
        self.env.company.invoicera_run_chunk_size = 1
        run = self.billing_user_run(self.client | self.client_eur | client_c)
        with trap_jobs() as trap:
            run.action_start()
            chunks = [job for job in trap.enqueued_jobs if job.method_name == "_process_chunk"]
            self.assertEqual(len(chunks), 2, "Lumière and Cobalt are invoiced")
            self.assertEqual(run.log_ids.partner_id, self.client)
            self.assertEqual((run.state, run.client_count, run.done_count), ("running", 3, 1))
            chunks[0].perform()
        self.assertEqual(run.state, "running", "a chunk was lost")
        run.with_context(invoicera_run_now=True).action_resume()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(run.log_ids), 3)
        self.assertEqual(
            {log.partner_id: log.status for log in run.log_ids},
            {self.client: "nothing", self.client_eur: "invoiced", client_c: "invoiced"},
        )
        self.assertEqual(run.progress, 100)

    def test_work_dated_after_the_cut_off_date_says_so(self):
        cobalt, project = self.third_client()
        self.log_time(self.alice, 2, day="2026-04-02", project=project)
        run = self.billing_user_run(cobalt, cutoff_date=date(2026, 3, 31))
        self.assertEqual(
            self.start_error(run),
            "There is nothing to invoice for Cobalt Media up to the cut-off date "
            "(03/31/2026).\n"
            "Cobalt Media: 1 item(s) are dated after the cut-off date (03/31/2026).",
        )

    def test_each_item_is_counted_once_for_its_reason(self):
        """Two items awaiting the client (one dated after the cut-off date too),
        one disputed, one deferred, one dated after the cut-off date."""
        awaiting, disputed = self.Item.search([("partner_id", "=", self.client.id)], order="id")
        disputed._client_decide("disputed", self.client, "Not our meeting")
        self.log_time(self.alice, 1, day="2026-04-02")  # awaits the client too
        # Support does not ask the client
        support = self.client_project("Support", self.company)
        deferred = self.item_of(self.log_time(self.bob, 2, day="2026-03-20", project=support))
        deferred.with_user(self.billing_user).action_defer(date(2099, 1, 1))
        self.log_time(self.bob, 4, day="2026-04-03", project=support)
        run = self.billing_user_run(self.client | self.client_eur)
        run.action_start()
        log = run.log_ids.filtered(lambda log: log.partner_id == self.client)
        self.assertEqual(log.status, "nothing")
        self.assertEqual(
            log.message,
            "2 item(s) await the client's approval. "
            "1 item(s) are disputed by the client. "
            "1 item(s) are deferred until after the cut-off date (03/31/2026), the first "
            "until 01/01/2099. "
            "1 item(s) are dated after the cut-off date (03/31/2026).",
        )
        self.assertEqual(awaiting.client_approval, "pending")

    def test_a_chosen_client_without_unbilled_work_says_so(self):
        """Cobalt, chosen through its contact, has no work at all."""
        cobalt, _project = self.third_client()
        contact = self.env["res.partner"].create({"name": "Jane Roe", "parent_id": cobalt.id})
        run = self.billing_user_run(self.client_eur | contact)
        run.action_start()
        logs = {log.partner_id: log for log in run.log_ids}
        self.assertEqual(set(logs), {self.client_eur, cobalt}, "the contact stands for Cobalt")
        self.assertEqual(
            (logs[cobalt].status, logs[cobalt].message),
            ("nothing", "The client has no unbilled work."),
        )
        self.assertEqual(run.state, "done")
        with self.assertRaisesRegex(
            UserError,
            r"nothing to invoice for Cobalt Media, Jane Roe up to .*\n"
            r"Cobalt Media: The client has no unbilled work\.$",
        ):
            self.billing_user_run(contact).action_start()
