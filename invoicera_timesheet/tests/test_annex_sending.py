import base64
import io
from unittest.mock import patch

from PyPDF2 import PdfReader

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.translate import code_translations

from odoo.addons.mail.tools.discuss import Store

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestAnnexSending(InvoiceraTimesheetCase):
    """The time annex is rendered when its invoice is sent or printed, as Odoo
    renders the invoice's PDF: not when the invoice is opened or read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.log_time(cls.alice, 2, day="2026-03-02", name="Wireframes")

    def annexes(self, invoice):
        return self.env["ir.attachment"].search(
            [
                ("res_model", "=", "account.move"),
                ("res_id", "=", invoice.id),
                ("name", "=like", "Annex%"),
            ]
        )

    def send_wizard(self, invoice):
        return (
            self.env["account.move.send.wizard"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({})
        )

    def test_opening_the_invoice_renders_no_annex(self):
        invoice = self.invoice(self.client, post=True)
        invoice.invalidate_recordset()
        # the form: its fields, then its chatter (Odoo's /mail/thread/data)
        invoice.web_read(
            {name: {} for name in invoice._fields if name != "invoice_pdf_report_file"}
        )
        Store(
            invoice,
            as_thread=True,
            request_list=["activities", "attachments", "followers", "suggestedRecipients"],
        ).get_result()
        self.assertFalse(
            self.annexes(invoice), "opening a posted invoice never sent made its time annex"
        )
        self.assertFalse(invoice.invoicera_annex_id)

    def test_send_wizard_shows_the_annex_to_come(self):
        """The wizard lists the annex as it lists the invoice's PDF: a placeholder,
        made when the invoice is sent."""
        invoice = self.invoice(self.client, post=True)
        wizard = self.send_wizard(invoice)
        names = [a["name"] for a in wizard.mail_attachments_widget]
        self.assertIn(f"Annex {invoice.name.replace('/', '_')}.pdf", names)
        self.assertFalse(self.annexes(invoice), "opening Send & Print renders nothing yet")
        wizard.sending_methods = ["email"]
        wizard.action_send_and_print()
        self.assertTrue(invoice.invoicera_annex_id)
        message = invoice.message_ids.filtered(lambda m: m.attachment_ids)[:1]
        self.assertIn(invoice.invoicera_annex_id.name, message.attachment_ids.mapped("name"))

    def test_annex_left_out_of_the_email(self):
        """Removed from the wizard's attachments, the annex is not e-mailed."""
        invoice = self.invoice(self.client, post=True)
        wizard = self.send_wizard(invoice)
        wizard.sending_methods = ["email"]
        wizard.mail_attachments_widget = [
            dict(a, skip=True) if a["name"].startswith("Annex") else a
            for a in wizard.mail_attachments_widget
        ]
        wizard.action_send_and_print()
        message = invoice.message_ids.filtered(lambda m: m.attachment_ids)[:1]
        self.assertTrue(message)
        self.assertFalse(
            [n for n in message.attachment_ids.mapped("name") if n.startswith("Annex")]
        )

    def test_printed_with_its_annex(self):
        """Print (download) gives the invoice and its annex."""
        invoice = self.invoice(self.client, post=True)
        attachments = self.env["account.move.send"]._generate_and_send_invoices(
            invoice, sending_methods=["manual"]
        )
        self.assertEqual(len(attachments), 2, attachments.mapped("name"))
        self.assertIn(invoice.invoicera_annex_id, attachments)

    def test_sent_by_post_with_its_annex(self):
        """Sent by post (Odoo's snailmail): the letter is the invoice's PDF, then
        its annex's pages."""
        self.client.write(
            {
                "street": "1 Main Street",
                "city": "Springfield",
                "zip": "62701",
                "country_id": self.env.ref("base.us").id,
            }
        )
        invoice = self.invoice(self.client, post=True)
        rendering = {"force_report_rendering": True}  # PDFs, not their HTML
        Send = self.env["account.move.send"].with_context(**rendering)
        Letter = self.env["snailmail.letter"]
        with patch.object(type(Letter), "_snailmail_print", autospec=True):  # nothing posted
            Send._generate_and_send_invoices(
                invoice.with_context(**rendering), sending_methods=["snailmail"]
            )
        letter = Letter.search([("model", "=", "account.move"), ("res_id", "=", invoice.id)])
        self.assertEqual(len(letter), 1)
        pdf = base64.b64decode(letter.with_context(**rendering)._fetch_attachment().datas)
        invoice_pdf, _type = (
            self.env["ir.actions.report"]
            .with_context(**rendering)
            ._render_qweb_pdf("account.account_invoices", invoice.ids)
        )
        annex = invoice.invoicera_annex_id.raw
        self.assertEqual(
            letter._count_pages_pdf(pdf),
            letter._count_pages_pdf(invoice_pdf) + letter._count_pages_pdf(annex),
        )
        last_page = PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
        self.assertEqual(last_page.split()[:3], ["Annex", "to", invoice.name], "the annex last")
        again = letter.with_context(**rendering)._fetch_attachment()
        self.assertEqual(
            letter._count_pages_pdf(base64.b64decode(again.datas)),
            letter._count_pages_pdf(pdf),
            "the annex added once",
        )

    def test_no_placeholder_without_annex(self):
        self.client.invoicera_annex_detail = "none"
        invoice = self.invoice(self.client, post=True)
        names = [a["name"] for a in self.send_wizard(invoice).mail_attachments_widget]
        self.assertFalse([n for n in names if n.startswith("Annex")], names)

    def test_downloaded_with_the_annex_of_what_it_bills_now(self):
        """Sent, reset to draft and posted again: its download (the portal's
        Download) has the annex of what it now bills, made then."""
        invoice = self.invoice(self.client, post=True)
        self.env["account.move.send"]._generate_and_send_invoices(
            invoice, sending_methods=["email"]
        )
        first = invoice.invoicera_annex_id
        invoice.button_draft()
        invoice.action_post()
        self.assertFalse(invoice.invoicera_annex_id)
        documents = invoice._get_invoice_legal_documents_all()
        self.assertTrue(invoice.invoicera_annex_id)
        self.assertNotEqual(invoice.invoicera_annex_id, first)
        self.assertIn(invoice.invoicera_annex_id.name, [d["filename"] for d in documents])

    def send(self, invoice):
        self.env["account.move.send"]._generate_and_send_invoices(
            invoice, sending_methods=["email"]
        )
        self.assertTrue(invoice.invoicera_annex_id)
        return invoice.invoicera_annex_id

    def assertKeepsItsAnnex(self, invoice, annex):
        """The annex sent stays with the invoice: sent again, downloaded from the
        portal, printed from the invoice."""
        self.assertIn(annex, self.env["account.move.send"]._get_invoice_extra_attachments(invoice))
        documents = invoice.sudo()._get_invoice_legal_documents_all()
        self.assertIn(annex.name, [d["filename"] for d in documents])
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("invoicera_billing.action_report_time_annex", invoice.ids)
        )
        self.assertEqual(pdf, annex.raw, "printed: the annex sent, not an empty one")

    def test_annex_sent_stays_once_the_invoice_is_credited(self):
        """Credited in full, the invoice stays posted and its work is unbilled
        again: the annex sent with it is still one of its documents."""
        invoice = self.invoice(self.client, post=True)
        annex = self.send(invoice)
        invoice._reverse_moves([{"invoice_date": invoice.invoice_date}]).action_post()
        self.assertTrue(invoice.invoicera_items_released)
        self.assertKeepsItsAnnex(invoice, annex)

    def test_annex_sent_stays_when_the_client_wants_none_any_more(self):
        invoice = self.invoice(self.client, post=True)
        annex = self.send(invoice)
        self.client.invoicera_annex_detail = "none"
        self.assertKeepsItsAnnex(invoice, annex)

    def test_an_annex_sent_is_printed_for_who_may_read_its_invoice_only(self):
        """Odoo's report route serves any logged-in user: another client's portal
        user asking for this invoice's annex gets no PDF (the annex kept was
        served as superuser)."""
        invoice = self.invoice(self.client, post=True)
        self.send(invoice)
        stranger = new_test_user(self.env, login="annex_stranger", groups="base.group_portal")
        Report = (
            self.env["ir.actions.report"]
            .with_user(stranger)
            .with_context(force_report_rendering=True)
        )
        with self.assertRaises(AccessError):
            Report._render_qweb_pdf("invoicera_billing.action_report_time_annex", invoice.ids)

    def test_the_annex_file_is_named_in_the_clients_language(self):
        """Sent by an English-speaking accountant to a French client, the
        annex's file is named in French, as the e-mail it goes with is."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.client.lang = "fr_FR"
        french = {"Annex %(invoice)s.pdf": "Annexe %(invoice)s.pdf"}
        with patch.dict(
            code_translations.python_translations, {("invoicera_billing", "fr_FR"): french}
        ):
            invoice = self.invoice(self.client, post=True)
            placeholders = self.env["account.move.send"]._get_placeholder_mail_attachments_data(
                invoice
            )
            self.assertIn(
                f"Annexe {invoice.name.replace('/', '_')}.pdf",
                [placeholder["name"] for placeholder in placeholders],
            )
            self.assertTrue(invoice._invoicera_annex_attachment().name.startswith("Annexe "))
