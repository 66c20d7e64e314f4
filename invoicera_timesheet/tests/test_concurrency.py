"""Two billing runs at once never bill an item twice: the database refuses.

These tests need committed data seen by two transactions, so they create it
in their own cursor, commit it, and delete it at the end.
"""

from datetime import date, datetime, timedelta

import psycopg2

from odoo.tests import BaseCase, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import dumps
from odoo.addons.invoicera_billing.models.invoicera_billable_item import InvoiceraBusyError
from odoo.addons.invoicera_billing.tests.common import committed_env

INVOICE_DATE = date(2026, 3, 31)


@tagged("post_install", "-at_install")
class TestConcurrentRuns(BaseCase):
    def setUp(self):
        super().setUp()
        with committed_env() as env:
            employee = env["hr.employee"].create(
                {"name": "Dana Race", "invoicera_billing_rate": 100}
            )
            self.employee_id = employee.id
            self.client_id, self.project_id = self.create_client(env, "Twice Inc.", employee)
            self.other_id, self.other_project_id = self.create_client(env, "Once Ltd.", employee)
        self.addCleanup(self.cleanup)

    @staticmethod
    def create_client(env, name, employee):
        """A client with a billable project and three entries of time; their ids."""
        client = env["res.partner"].create({"name": name, "is_company": True})
        project = env["project.project"].create(
            {"name": f"Concurrency {name}", "partner_id": client.id, "allow_billable": True}
        )
        env["account.analytic.line"].create(
            [
                {
                    "project_id": project.id,
                    "employee_id": employee.id,
                    "unit_amount": 1 + n,
                    "date": date(2026, 3, 2 + n),
                    "name": f"Entry {n}",
                }
                for n in range(3)
            ]
        )
        return client.id, project.id

    def cleanup(self):
        client_ids = [self.client_id, self.other_id]
        with committed_env() as env:
            moves = env["account.move"].search([("partner_id", "in", client_ids)])
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.unlink()
            env["invoicera.billing.run"].search([("partner_ids", "in", client_ids)]).unlink()
            projects = [self.project_id, self.other_project_id]
            env["account.analytic.line"].search([("project_id", "in", projects)]).unlink()
            env["project.project"].browse(projects).unlink()
            env["hr.employee"].browse(self.employee_id).unlink()
            env["res.partner"].browse(client_ids).unlink()

    def items(self, env):
        Item = env["invoicera.billable.item"]
        partner = env["res.partner"].browse(self.client_id)
        return Item.search(Item._billable_domain(env.company, INVOICE_DATE, partner))

    def new_run(self, env):
        return env["invoicera.billing.run"].create(
            {
                "invoice_date": INVOICE_DATE,
                "cutoff_date": INVOICE_DATE,
                "partner_ids": [(6, 0, [self.client_id])],
                "state": "running",
                "client_count": 1,
            }
        )

    def invoice_count(self):
        with committed_env() as env:
            return env["account.move"].search_count([("partner_id", "=", self.client_id)])

    def test_second_run_waits_for_nothing_and_skips(self):
        """Run B starts while run A holds the client's items: B skips the client."""
        with committed_env() as env_a, committed_env() as env_b:
            run_a, run_b = self.new_run(env_a), self.new_run(env_b)
            run_a._process_chunk([self.client_id])  # A has invoiced, not committed yet
            run_b._process_chunk([self.client_id])  # B at the same moment
            self.assertEqual(run_a.log_ids.status, "invoiced")
            self.assertEqual(run_b.log_ids.status, "skipped")
            self.assertIn("someone else", run_b.log_ids.message)
        self.assertEqual(self.invoice_count(), 1)
        with committed_env() as env:
            self.assertEqual(
                set(
                    env["invoicera.billable.item"]
                    .search([("partner_id", "=", self.client_id)])
                    .mapped("state")
                ),
                {"invoiced"},
            )

    def test_run_started_before_the_other_committed(self):
        """B read the items as unbilled, then A committed: B's lock is refused."""
        with committed_env() as env_b:
            items_b = self.items(env_b)  # B's snapshot: 3 items to bill
            self.assertEqual(len(items_b), 3)
            with committed_env() as env_a:
                self.items(env_a)._invoice(env_a.company, INVOICE_DATE)
            # A committed. B still sees the items as to bill, but cannot lock them.
            with self.assertRaises(InvoiceraBusyError):
                items_b._invoice(env_b.company, INVOICE_DATE)
        self.assertEqual(self.invoice_count(), 1)

    def test_both_directly_on_the_items(self):
        with committed_env() as env_a, committed_env() as env_b:
            moves = self.items(env_a)._invoice(env_a.company, INVOICE_DATE)
            self.assertEqual(len(moves), 1)
            with self.assertRaises(InvoiceraBusyError):
                self.items(env_b)._invoice(env_b.company, INVOICE_DATE)
            env_b.cr.rollback()
        self.assertEqual(self.invoice_count(), 1)

    def test_last_two_chunks_ending_together_end_the_run(self):
        """Two job workers finish the last two chunks of a run at the same time.

        Neither sees the client the other has just invoiced, so neither can
        tell that the run is over; the end-of-run job, run after both, does.
        """
        with committed_env() as env:
            run = env["invoicera.billing.run"].create(
                {
                    "invoice_date": INVOICE_DATE,
                    "cutoff_date": INVOICE_DATE,
                    "partner_ids": [(6, 0, [self.client_id, self.other_id])],
                    "state": "running",
                    "client_count": 2,
                }
            )
            run_id = run.id
        with committed_env() as env_a, committed_env() as env_b:
            run_a = env_a["invoicera.billing.run"].browse(run_id)
            run_b = env_b["invoicera.billing.run"].browse(run_id)
            # Both transactions have started before either commits.
            self.assertEqual((run_a.state, run_b.state), ("running", "running"))
            run_a._process_chunk([self.client_id])
            run_b._process_chunk([self.other_id])
        with committed_env() as env:
            run = env["invoicera.billing.run"].browse(run_id)
            self.assertEqual(run.done_count, 2)
            self.assertEqual(run.invoice_count, 2)
            self.assertEqual(run.state, "running", "each chunk saw only its own client")
            run._end_run()
            self.assertEqual(run.state, "done")

    def test_client_whose_work_is_being_changed_is_retried(self):
        """The audit or a user holds the client's items when the run reaches it:
        the client is skipped, not done; the run stays running and Resume bills
        it, once."""
        with committed_env() as env_a, committed_env() as env_b:
            # A: the daily audit (or a user editing a timesheet), not committed yet
            env_a.cr.execute(
                "SELECT id FROM invoicera_billable_item WHERE partner_id = %s FOR UPDATE",
                [self.client_id],
            )
            run = env_b["invoicera.billing.run"].create(
                {
                    "invoice_date": INVOICE_DATE,
                    "cutoff_date": INVOICE_DATE,
                    "partner_ids": [(6, 0, [self.client_id])],
                }
            )
            run.action_start()
            self.assertEqual(run.state, "running")
            self.assertEqual((run.done_count, run.progress), (0, 0))
            self.assertEqual(run.log_ids.status, "skipped")
            self.assertIn("Resume the run to retry", run.log_ids.message)
            run_id = run.id
        with committed_env() as env:
            run = env["invoicera.billing.run"].browse(run_id)
            # answered to an external API call (XML-RPC sends no None back)
            self.assertIn("<boolean>1</boolean>", dumps((run.action_resume(),)))
            self.assertEqual(run.state, "done")
            self.assertEqual(run.log_ids.status, "invoiced")
            self.assertEqual(run.progress, 100)
        self.assertEqual(self.invoice_count(), 1)

    def test_two_resumes_at_once_queue_the_clients_once(self):
        """Two users click Resume on a run at the same moment: the second one's
        transaction fails to serialize (Odoo retries the request, which then
        says the run's jobs are queued), not a second set of jobs for its
        clients (before: both queued the two chunks)."""
        with committed_env() as env:
            run = env["invoicera.billing.run"].create(
                {
                    "invoice_date": INVOICE_DATE,
                    "cutoff_date": INVOICE_DATE,
                    "partner_ids": [(6, 0, [self.client_id, self.other_id])],
                    "client_ids": [(6, 0, [self.client_id, self.other_id])],
                    "state": "running",
                    "client_count": 2,
                    "chunk_size": 1,
                }
            )
            run_id = run.id
        self.addCleanup(self.delete_jobs, run_id)
        with committed_env() as env_a, committed_env() as env_b:
            run_b = env_b["invoicera.billing.run"].browse(run_id)
            self.assertEqual(run_b.state, "running")  # B's transaction has begun
            run_a = env_a["invoicera.billing.run"].browse(run_id)
            run_a.action_resume()
            # held back a day: the test server's job runner leaves them alone
            later = datetime.now() + timedelta(days=1)
            run_a._unfinished_jobs().write({"eta": later})
            env_a.cr.commit()
            with (
                self.assertRaises(psycopg2.errors.SerializationFailure),
                mute_logger("odoo.sql_db"),
            ):
                run_b.action_resume()
            env_b.cr.rollback()
        with committed_env() as env:
            jobs = env["invoicera.billing.run"].browse(run_id)._unfinished_jobs()
            self.assertEqual(len(jobs), 3, "one job per client, and the end of the run")

    @staticmethod
    def delete_jobs(run_id):
        with committed_env() as env:
            env["invoicera.billing.run"].browse(run_id)._unfinished_jobs().unlink()
