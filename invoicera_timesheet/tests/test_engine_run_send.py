from datetime import date
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestEngineRunSend(InvoiceraTimesheetCase):
    """A run that posts and e-mails its invoices: an e-mail that cannot be made
    for one client leaves that client's invoice posted and not sent (said in the
    run's log), the other clients' sent, and the run done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_eur.email = "compta@lumiere.example.com"
        cls.log_time(cls.alice, 2)
        cls.log_time(cls.bob, 3, project=cls.project_eur)

    def test_an_email_failing_for_one_client_stops_neither_the_run_nor_the_others(self):
        Send = type(self.env["account.move.send"])
        send_mail = Send._send_mail

        def failing_for_lumiere(send, move, mail_template, **kwargs):
            if move.partner_id == self.client_eur:
                raise UserError(
                    self.env._("Failed to render the e-mail template: unknown placeholder")
                )
            return send_mail(send, move, mail_template, **kwargs)

        run = self.env["invoicera.billing.run"].create(
            {
                "invoice_date": date(2026, 3, 31),
                "partner_ids": [(6, 0, (self.client | self.client_eur).ids)],
                "post": True,
                "send": True,
            }
        )
        with patch.object(Send, "_send_mail", failing_for_lumiere):
            run.action_start()
        self.assertEqual(run.state, "done")
        logs = {log.partner_id: log for log in run.log_ids}
        self.assertEqual(set(run.log_ids.mapped("status")), {"invoiced"})
        # the client whose e-mail worked: sent, as before
        sent = logs[self.client].invoice_ids
        self.assertEqual(sent.state, "posted")
        self.assertTrue(sent.is_move_sent)
        self.assertTrue(sent.message_ids.filtered(lambda m: m.message_type == "comment"))
        self.assertFalse(logs[self.client].not_sent)
        # the other: posted, not sent nor marked as sent, the log says why
        failed = logs[self.client_eur].invoice_ids
        self.assertEqual(failed.state, "posted")
        self.assertFalse(failed.is_move_sent, "marked as sent, no e-mail went")
        self.assertFalse(failed.message_ids.filtered(lambda m: m.message_type == "comment"))
        self.assertTrue(logs[self.client_eur].not_sent)
        self.assertEqual(
            logs[self.client_eur].message,
            "Invoiced, not sent: Failed to render the e-mail template: unknown placeholder. "
            "Send the invoice from its form once corrected.",
        )
        self.assertEqual(run.not_sent_count, 1)

    def test_an_electronic_invoice_failing_for_one_client_is_said_in_the_log(self):
        """The client's e-invoice (UBL...) cannot be made, as when its VAT number
        is missing: as Odoo's Send & Print, nothing is sent to that client, and
        the run's log says why (before: the client was e-mailed a proforma
        instead of its invoice, and the log said nothing)."""
        Send = type(self.env["account.move.send"])
        before_pdf = Send._hook_invoice_document_before_pdf_report_render

        def edi_failing_for_lumiere(send, invoice, invoice_data):
            before_pdf(send, invoice, invoice_data)
            if invoice.partner_id == self.client_eur:
                # as account_edi_ubl_cii reports a document it cannot make
                invoice_data["error"] = {
                    "error_title": "Errors occurred while creating the EDI document",
                    "errors": ["The customer's VAT number is missing."],
                }
                invoice_data["error_but_continue"] = True

        run = self.env["invoicera.billing.run"].create(
            {
                "invoice_date": date(2026, 3, 31),
                "partner_ids": [(6, 0, (self.client | self.client_eur).ids)],
                "post": True,
                "send": True,
            }
        )
        with patch.object(
            Send, "_hook_invoice_document_before_pdf_report_render", edi_failing_for_lumiere
        ):
            run.action_start()
        self.assertEqual(run.state, "done")
        logs = {log.partner_id: log for log in run.log_ids}
        sent = logs[self.client].invoice_ids
        self.assertTrue(sent.is_move_sent)
        self.assertTrue(sent.message_ids.filtered(lambda m: m.message_type == "comment"))
        failed = logs[self.client_eur].invoice_ids
        self.assertEqual(failed.state, "posted")
        self.assertFalse(failed.message_ids.filtered(lambda m: m.message_type == "comment"))
        self.assertFalse(failed.is_move_sent, "marked as sent, no e-mail went")
        self.assertTrue(logs[self.client_eur].not_sent, "the log does not say it was not sent")
        self.assertEqual(
            logs[self.client_eur].message,
            "Invoiced, not sent: Errors occurred while creating the EDI document\n"
            "- The customer's VAT number is missing. "
            "Send the invoice from its form once corrected.",
        )
