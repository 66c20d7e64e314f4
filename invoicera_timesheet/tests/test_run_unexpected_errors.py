from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraTimesheetCase

RUN_LOGGER = "odoo.addons.invoicera_billing.models.invoicera_billing_run"


@tagged("post_install", "-at_install")
class TestRunUnexpectedErrors(InvoiceraTimesheetCase):
    """What no one foresaw (a PDF that cannot be made, a bug) neither undoes
    a run's invoicing nor leaves the run running with no word in its log."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_eur.email = "compta@lumiere.example.com"
        cls.client_c, project_c = cls.third_client()
        cls.client_c.email = "billing@cobalt.example.com"
        cls.clients = cls.client | cls.client_eur | cls.client_c
        cls.log_time(cls.alice, 2)
        cls.log_time(cls.bob, 3, project=cls.project_eur)
        cls.log_time(cls.alice, 4, project=project_c)

    def new_run(self, rendered=True, **vals):
        """A run posting and sending the invoices of the three clients;
        ``rendered``: their PDFs made by wkhtmltopdf, as outside tests (else
        their HTML, as in tests)."""
        return (
            self.env["invoicera.billing.run"]
            .with_context(force_report_rendering=rendered)
            .create(
                {
                    "invoice_date": date(2026, 3, 31),
                    "partner_ids": [Command.set(self.clients.ids)],
                    "post": True,
                    "send": True,
                    **vals,
                }
            )
        )

    def wkhtmltopdf_of_this_machine(self, unrenderable=None):
        """wkhtmltopdf as Debian builds it (0.12.6 without its patched Qt): it
        cannot make one PDF of several documents (exits 1, an empty file: Odoo
        gets b""), so that Odoo's rendering of several invoices at once fails;
        one document it renders. A body naming ``unrenderable`` it cannot
        render at all."""
        Report = type(self.env["ir.actions.report"])
        run_wkhtmltopdf = Report._run_wkhtmltopdf

        def fake(report, bodies, *args, **kwargs):
            if len(bodies) > 1 or (unrenderable and any(unrenderable in b for b in bodies)):
                return b""
            return run_wkhtmltopdf(report, bodies, *args, **kwargs)

        return patch.object(Report, "_run_wkhtmltopdf", fake)

    def emails(self, invoice):
        """The e-mails of ``invoice`` with its PDF attached."""
        pdf = invoice.invoice_pdf_report_id
        return invoice.message_ids.filtered(
            lambda message: message.message_type == "comment"
            and pdf.name in message.attachment_ids.mapped("name")
        )

    def assertSent(self, run, client, rendered=True):
        """``client`` invoiced and e-mailed its invoice's PDF (``rendered``: a
        real PDF, not its HTML)."""
        log = run.log_ids.filtered(lambda line: line.partner_id == client)
        self.assertEqual(log.status, "invoiced", log.message)
        self.assertFalse(log.not_sent, log.message)
        invoice = log.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(invoice.is_move_sent)
        emails = self.emails(invoice)
        self.assertEqual(len(emails), 1, "e-mailed with its PDF")
        if rendered:
            self.assertTrue(invoice.invoice_pdf_report_id.raw.startswith(b"%PDF"), "a real PDF")

    def test_invoices_rendered_one_by_one_when_all_at_once_fails(self):
        """Odoo renders the invoices' PDFs in one call, which this wkhtmltopdf
        cannot do: they are sent one by one. Before, the error undid the whole
        chunk: nobody invoiced."""
        run = self.new_run()
        with self.wkhtmltopdf_of_this_machine():
            run.action_start()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.log_ids.partner_id, self.clients)
        for client in self.clients:
            self.assertSent(run, client)
        self.assertEqual((run.invoice_count, run.not_sent_count), (3, 0))

    def test_an_invoice_whose_pdf_cannot_be_made_is_invoiced_not_sent(self):
        run = self.new_run()
        with self.wkhtmltopdf_of_this_machine(unrenderable=self.client_eur.name):
            run.action_start()
        self.assertEqual(run.state, "done")
        self.assertSent(run, self.client)
        self.assertSent(run, self.client_c)
        log = run.log_ids.filtered(lambda line: line.partner_id == self.client_eur)
        self.assertEqual(log.status, "invoiced")
        self.assertTrue(log.not_sent)
        # the error, named as Python does: what Odoo makes of an empty PDF
        # (today a TypeError attaching it to the e-mail)
        self.assertRegex(
            log.message,
            r"^Invoiced, not sent: The invoice's PDF or e-mail could not be made "
            r"\(\w+Error: .+\)\. Send the invoice from its form once corrected\.$",
        )
        invoice = log.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(invoice.is_move_sent, "marked as sent, no e-mail went")
        self.assertFalse(invoice.invoice_pdf_report_id, "an empty PDF kept as the invoice's")
        self.assertFalse(invoice.message_ids.filtered(lambda m: m.message_type == "comment"))
        self.assertEqual(run.not_sent_count, 1)

    def boom_for_lumiere(self):
        """An error no one foresaw, from the data of one client (Lumière's), once
        its invoices are made: ``RuntimeError("boom")``."""
        Run = type(self.env["invoicera.billing.run"])
        not_sent_values = Run._not_sent_values
        client = self.client_eur

        def boom(run, invoices, error=None):
            if invoices.partner_id == client:
                raise RuntimeError("boom")
            return not_sent_values(run, invoices, error)

        return patch.object(Run, "_not_sent_values", boom)

    def assertFailedOnBoom(self, run, clients):
        message = (
            "Not invoiced: an unexpected error stopped its invoicing (RuntimeError: boom). "
            "Its work stays to bill: invoice it in a new run."
        )
        for client in clients:
            log = run.log_ids.filtered(lambda line, c=client: line.partner_id == c)
            self.assertEqual((log.status, log.message), ("failed", message))
            self.assertFalse(log.invoice_ids)
        invoices = self.env["account.move"].search([("partner_id", "in", clients.ids)])
        self.assertFalse(invoices, "invoices of the failed part left")
        items = self.Item.search([("partner_id", "in", clients.ids)])
        self.assertEqual(set(items.mapped("state")), {"to_bill"})

    def test_a_chunk_failing_on_an_unexpected_error_ends_in_the_log(self):
        """An error no one foresaw, once the clients are invoiced and sent: the
        chunk is undone, its clients failed with the error in the log, and the
        run ends (before: it stayed running, the error in Queue Jobs only)."""
        Run = type(self.env["invoicera.billing.run"])
        run = self.new_run(rendered=False)

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        with (
            patch.object(Run, "_not_sent_values", boom),
            self.assertLogs(RUN_LOGGER, "ERROR") as logs,
        ):
            run.action_start()
        self.assertIn("RuntimeError: boom", logs.output[0], "the traceback logged")
        self.assertEqual(run.state, "done")
        self.assertEqual(run.failed_count, 3)
        self.assertEqual(run.log_ids.partner_id, self.clients)
        self.assertFailedOnBoom(run, self.clients)
        self.assertFalse(run.invoice_ids)

    def test_one_client_failing_on_an_unexpected_error_fails_alone(self):
        """The error comes from one client's data: the chunk is undone, then its
        clients invoiced one by one; that client alone failed with the error, the
        others invoiced and sent (before: the whole chunk failed with it)."""
        run = self.new_run(rendered=False)
        with self.boom_for_lumiere(), self.assertLogs(RUN_LOGGER, "ERROR") as logs:
            run.action_start()
        self.assertEqual(len([line for line in logs.output if "ERROR" in line]), 1)
        self.assertEqual(run.state, "done")
        self.assertSent(run, self.client, rendered=False)
        self.assertSent(run, self.client_c, rendered=False)
        self.assertFailedOnBoom(run, self.client_eur)
        self.assertEqual((run.failed_count, run.invoice_count), (1, 2))

    def test_a_failing_background_job_leaves_the_other_chunks_and_ends_the_run(self):
        run = self.new_run(rendered=False, chunk_size=1)
        with self.boom_for_lumiere(), trap_jobs() as trap:
            run.action_start()
            trap.assert_jobs_count(3, only=run._process_chunk)
            with self.assertLogs(RUN_LOGGER, "ERROR"):
                trap.perform_enqueued_jobs()
        run.invalidate_recordset()
        self.assertEqual(run.state, "done")
        self.assertSent(run, self.client, rendered=False)
        self.assertSent(run, self.client_c, rendered=False)
        self.assertFailedOnBoom(run, self.client_eur)
        self.assertEqual((run.failed_count, run.invoice_count), (1, 2))
