import io

import lxml.html
from PyPDF2 import PdfReader

from odoo import Command
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestTimeAnnex(InvoiceraTimesheetCase):
    """The annex PDF lists the billed work at the client's detail level."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.log_time(cls.alice, 2, day="2026-03-02", task=cls.task, name="Wireframes")
        cls.log_time(cls.bob, 3, day="2026-03-03", name="Logo variants")

    def annex(self, invoice):
        """The annex as wkhtmltopdf gets it (HTML), after checking the PDF it makes.

        wkhtmltopdf draws text as outlines, so the PDF's text cannot be read
        back: the content is checked on the HTML the PDF is rendered from.
        """
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        pdf, report_type = Report._render_qweb_pdf(
            "invoicera_billing.action_report_time_annex", invoice.ids
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), "rendered by wkhtmltopdf")
        self.assertEqual(len(PdfReader(io.BytesIO(pdf)).pages), 1)
        html, _type = Report._render_qweb_html(
            "invoicera_billing.action_report_time_annex", invoice.ids
        )
        return " ".join(lxml.html.fromstring(html).text_content().split())

    def test_every_entry(self):
        self.client.invoicera_annex_detail = "entry"
        invoice = self.invoice(self.client, post=True)
        text = self.annex(invoice)
        self.assertIn(f"Annex to {invoice.name}", text)
        self.assertIn("Alice Dev · Wireframes", text)
        self.assertIn("Bob Design · Logo variants", text)
        self.assertIn("03/02/2026", text)
        self.assertIn("180.00", text, "2 h at 90")
        self.assertIn("360.00", text, "the project total: 180 + 180")

    def test_summary_per_project(self):
        invoice = self.invoice(self.client, post=True)
        text = self.annex(invoice)
        self.assertIn("Website", text)
        self.assertIn("Professional Services", text)
        self.assertIn("5.00", text, "5 hours in all")
        self.assertNotIn("Wireframes", text)

    def test_sent_with_the_invoice(self):
        invoice = self.invoice(self.client, post=True)
        self.env["account.move.send"]._generate_and_send_invoices(
            invoice, sending_methods=["email"], allow_fallback_pdf=True
        )
        message = invoice.message_ids.filtered(lambda m: m.attachment_ids)[:1]
        names = message.attachment_ids.mapped("name")
        self.assertTrue(any(name.startswith("Annex") for name in names), names)
        self.assertEqual(invoice.invoicera_annex_id.mimetype, "application/pdf")

    def test_annex_made_again_when_the_invoice_changes(self):
        """Reset to draft, corrected and posted again: the next sending has a new
        annex of what the invoice now bills; the one sent before stays as it was."""
        invoice = self.invoice(self.client, post=True)
        first = invoice._invoicera_annex_attachment()
        self.assertTrue(first)
        invoice.button_draft()
        bob_line = invoice.invoice_line_ids.filtered(lambda line: line.price_unit == 60)
        invoice.write({"invoice_line_ids": [(2, bob_line.id)]})
        invoice.action_post()
        second = invoice._invoicera_annex_attachment()
        self.assertNotEqual(second, first)
        self.assertTrue(first.exists(), "the annex already sent is kept")
        self.assertEqual(invoice.invoicera_annex_id, second)

    def test_print_menu_offers_the_annex_of_billed_work_only(self):
        """Print offers the annex on invoices of billed work, not on every
        journal entry, vendor bill or credit note (where it is an empty page)."""
        report = self.env.ref("invoicera_billing.action_report_time_annex")
        invoice = self.invoice(self.client)

        def offered(move):
            return report.id in report.get_valid_action_reports("account.move", move.ids)

        self.assertTrue(offered(invoice))
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.client.id,
                "invoice_date": "2026-03-31",
                "invoice_line_ids": [Command.create({"name": "Paper", "price_unit": 10})],
            }
        )
        self.assertFalse(offered(bill))
        invoice.action_post()
        self.assertFalse(offered(invoice._reverse_moves()))

    def test_no_annex_when_the_client_wants_none(self):
        self.client.invoicera_annex_detail = "none"
        invoice = self.invoice(self.client, post=True)
        self.assertFalse(invoice._invoicera_annex_attachment())

    def test_discounted_lines(self):
        """The annex bills what the invoice bills: after the line's discount."""
        self.client.invoicera_annex_detail = "entry"
        invoice = self.invoice(self.client)
        invoice.invoice_line_ids.discount = 20
        invoice.action_post()
        self.assertEqual(invoice.amount_untaxed, 288)
        sections = invoice._invoicera_annex_sections()
        self.assertEqual([row["amount"] for row in sections[0]["rows"]], [144, 144])
        self.assertEqual(sections[0]["amount"], 288)
        text = self.annex(invoice)
        self.assertIn("288.00", text, "the project total: 360 less 20 %")
        self.assertNotIn("360.00", text)
