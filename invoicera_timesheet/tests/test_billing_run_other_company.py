import io
from datetime import date

from PyPDF2 import PdfReader

from odoo import Command
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingRunOtherCompany(InvoiceraTimesheetCase):
    """A Billing User working in the dollar company (both companies checked in
    the switcher) starts a run for the European company: its clients are
    invoiced by the European company, in its journal, whether the run invoices
    at once or in background jobs (which keep the user's companies)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.europe = cls.euro_company(chart=True)
        cls.billing_user.company_ids |= cls.europe
        cls.paris = cls.client_project("Paris office", cls.europe)
        cls.lyon = cls.client_project("Lyon office", cls.europe, cls.client_eur)
        cls.claire = cls.env["hr.employee"].create(
            {"name": "Claire", "company_id": cls.europe.id, "invoicera_billing_rate": 50}
        )
        for project in (cls.paris, cls.lyon):
            cls.env["account.analytic.line"].with_company(cls.europe).create(
                {
                    "project_id": project.id,
                    "employee_id": cls.claire.id,
                    "unit_amount": 2,
                    "date": "2026-03-10",
                    "name": "Europe work",
                }
            )
        # and work of the dollar company, not of this run
        cls.log_time(cls.alice, 1)

    def new_run(self, **vals):
        user_env = self.env(
            user=self.billing_user,
            context=dict(self.env.context, allowed_company_ids=[self.company.id, self.europe.id]),
        )
        self.assertEqual(user_env.company, self.company, "the user works in the dollar company")
        return user_env["invoicera.billing.run"].create(
            {
                "company_id": self.europe.id,
                "invoice_date": date(2026, 3, 31),
                "partner_ids": [Command.set((self.client | self.client_eur).ids)],
                **vals,
            }
        )

    def assertInvoicedByEurope(self, run):
        self.assertEqual(run.state, "done", run.log_ids.mapped("message"))
        self.assertEqual(set(run.log_ids.mapped("status")), {"invoiced"})
        invoices = run.invoice_ids
        self.assertEqual(invoices.partner_id, self.client | self.client_eur)
        self.assertEqual(invoices.company_id, self.europe)
        self.assertEqual(invoices.journal_id.company_id, self.europe)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertEqual(sorted(invoices.mapped("amount_untaxed")), [100, 100])
        self.assertEqual(invoices.currency_id, self.eur)
        dollar_items = self.Item.search([("company_id", "=", self.company.id)])
        self.assertEqual(set(dollar_items.mapped("state")), {"to_bill"})

    def test_run_for_another_company_at_once(self):
        run = self.new_run(post=True)
        run.action_start()
        self.assertInvoicedByEurope(run)

    def test_run_for_another_company_in_background_jobs(self):
        self.europe.invoicera_run_chunk_size = 1  # one client per job
        run = self.new_run(post=True)
        with trap_jobs() as trap:
            run.action_start()
            trap.assert_jobs_count(2, only=run._process_chunk)
            for job in trap.enqueued_jobs:
                self.assertEqual(
                    job.recordset.env.context.get("allowed_company_ids"),
                    [self.company.id, self.europe.id],
                    "the job runs with the user's companies",
                )
            trap.perform_enqueued_jobs()
        run.invalidate_recordset()
        self.assertInvoicedByEurope(run)

    def test_annex_on_the_paper_of_the_invoicing_company(self):
        """Sent by a user working in the dollar company (Letter paper), the
        European company's invoice and its annex are on A4, the European
        company's paper."""
        self.company.paperformat_id = self.env.ref("base.paperformat_us")
        self.europe.paperformat_id = self.env.ref("base.paperformat_euro")
        run = self.new_run(post=True)
        run.action_start()
        self.assertInvoicedByEurope(run)
        invoice = run.invoice_ids.filtered(lambda move: move.partner_id == self.client)
        annex = invoice.with_env(
            self.env(
                user=self.billing_user,
                context=dict(
                    self.env.context,
                    allowed_company_ids=[self.company.id, self.europe.id],
                    force_report_rendering=True,
                ),
            )
        )._invoicera_annex_attachment()
        page = PdfReader(io.BytesIO(annex.raw)).pages[0]
        width, height = (round(float(side) / 72 * 25.4) for side in page.mediabox[2:])
        self.assertEqual((width, height), (210, 297), "A4, in millimetres")
