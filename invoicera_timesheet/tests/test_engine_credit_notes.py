from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestEngineCreditNotes(InvoiceraTimesheetCase):
    """An invoice credited in full gave its work back to Unbilled Work, where it is
    invoiced again: the invoice stays as it is, with its credit note (neither
    cancelled nor reset to draft), so that the client pays for the work once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line = cls.log_time(cls.alice, 5)

    def credited_in_full_and_invoiced_again(self):
        invoice = self.invoice(self.client, post=True)
        credit_note = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        credit_note.action_post()
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        again = self.invoice(self.client, invoice_date=date(2026, 4, 30), post=True)
        self.assertEqual(again.amount_untaxed, 5 * 90)
        self.assertEqual(self.owed(), again.amount_total)
        return invoice, credit_note, again

    def test_no_second_credit_note_of_an_invoice_credited_in_full(self):
        """Credit Note clicked twice: the first credits the invoice in full, its
        work is invoiced anew; the second is refused (before: posted, the client
        owed nothing for the work)."""
        invoice = self.invoice(self.client, post=True)
        first = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        second = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        first.action_post()
        again = self.invoice(self.client, invoice_date=date(2026, 4, 30), post=True)
        with self.assertRaisesRegex(UserError, "credited in full already"):
            second.action_post()
        self.assertEqual(second.state, "draft")
        self.assertEqual(self.owed(), again.amount_total)

    def test_an_invoice_with_a_credit_note_to_post_is_not_deleted(self):
        """An invoice reset to draft (or cancelled) with a credit note still to
        post cannot be deleted: the credit note, no longer tied to it, would be
        posted as a credit for work billed again."""
        invoice = self.invoice(self.client, post=True)
        credit_note = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        invoice.button_draft()
        with self.assertRaisesRegex(UserError, "credit notes still to post"):
            invoice.unlink()
        invoice.button_cancel()
        with self.assertRaisesRegex(UserError, "credit notes still to post"):
            invoice.unlink()
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        credit_note.unlink()
        invoice.unlink()
        self.assertEqual(self.item_of(self.line).state, "to_bill")

    def test_lines_billing_work_are_not_deleted_with_a_credit_note_to_post(self):
        """Nor are its lines billing work: before, the invoice reset to draft lost
        its billed line (its work back to unbilled, invoiced again), and its
        credit note, no longer guarded, credited the client for that work."""
        invoice = self.invoice(self.client, post=True)
        credit_note = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        invoice.button_draft()
        with self.assertRaisesRegex(UserError, "credit notes still to post"):
            invoice.invoice_line_ids.unlink()
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        credit_note.unlink()
        invoice.invoice_line_ids.unlink()
        self.assertEqual(self.item_of(self.line).state, "to_bill")

    def test_an_invoice_credited_in_part_is_not_cancelled(self):
        """Credited in part (a credit note posted), the invoice is not cancelled
        nor deleted: before, cancelled, its work went back to unbilled and was
        billed again in full, while the client kept the credit. Reset to draft
        (to correct it) it may be; then the message asks to post it again before
        crediting the rest (it sent the user to credit a draft, which Odoo refuses)."""
        invoice = self.invoice(self.client, post=True)
        self.reversal(invoice, date(2026, 4, 2)).refund_moves()
        credit_note = invoice.reversal_move_ids
        credit_note.invoice_line_ids[0].quantity = 1
        credit_note.action_post()
        with self.assertRaisesRegex(UserError, "credited in part by"):
            invoice.button_cancel()
        self.assertEqual((invoice.state, self.item_of(self.line).state), ("posted", "invoiced"))
        invoice.button_draft()
        # a draft cannot be credited: the message does not send the user there
        for withdraw in (invoice.button_cancel, invoice.unlink, invoice.invoice_line_ids.unlink):
            with self.assertRaisesRegex(
                UserError, "credited in part by .*Post it again, then credit the rest of it"
            ):
                withdraw()
        self.assertEqual(self.item_of(self.line).state, "invoiced")

    def test_reset_to_draft_is_not_offered_where_it_is_refused(self):
        """The invoice credited in full and its credit note stay posted, a cancelled
        invoice whose work went back to unbilled stays cancelled: Reset to Draft
        is not shown on them (before: shown, then refused)."""
        invoice, credit_note, again = self.credited_in_full_and_invoiced_again()
        self.assertFalse(invoice.show_reset_to_draft_button)
        self.assertFalse(credit_note.show_reset_to_draft_button)
        self.assertTrue(again.show_reset_to_draft_button, "the invoice billing the work now")
        again.button_cancel()
        self.assertFalse(again.show_reset_to_draft_button)
        for move in (invoice, credit_note, again):
            with self.assertRaises(UserError):
                move.button_draft()

    def test_an_invoice_credited_in_full_is_not_cancelled(self):
        invoice, credit_note, again = self.credited_in_full_and_invoiced_again()
        try:
            invoice.button_cancel()  # Odoo resets it to draft, then cancels it
        except UserError as error:
            self.assertIn(credit_note.name, str(error), "the message names the credit note")
        self.assertEqual(
            self.owed(),
            again.amount_total,
            "the client owes the work once: cancelling the invoice credited in full "
            "left its credit note a credit for nothing",
        )
        self.assertEqual(invoice.state, "posted")

    def test_an_invoice_credited_in_full_is_not_reset_to_draft(self):
        invoice, credit_note, again = self.credited_in_full_and_invoiced_again()
        try:
            invoice.button_draft()
        except UserError as error:
            self.assertIn("credited in full", str(error))
        self.assertEqual(
            (invoice.state, invoice.payment_state),
            ("posted", "reversed"),
            "reset to draft, the invoice credited in full was unreconciled from its "
            "credit note: posted again it bills the work a second time beside the "
            "new invoice, cancelled or deleted it leaves the client a credit for nothing",
        )
        # the credit note stays too, and the work is billed once
        with self.assertRaisesRegex(UserError, "Unbilled Work"):
            credit_note.button_draft()
        self.assertEqual(self.owed(), again.amount_total)
        self.assertEqual(self.item_of(self.line).invoice_id, again)

    def test_a_partly_credited_invoice_is_still_reset_to_draft(self):
        """Partly credited, the invoice still bills its work: it may be corrected."""
        invoice = self.invoice(self.client, post=True)
        credit_note = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        credit_note.invoice_line_ids.quantity = 1
        credit_note.action_post()
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        invoice.button_draft()
        self.assertEqual(invoice.state, "draft")
        invoice.action_post()
        self.assertEqual(self.item_of(self.line).invoice_id, invoice)

    def test_no_credit_note_posted_for_an_invoice_no_longer_posted(self):
        """A credit note made (in draft) before its invoice was reset to draft and
        cancelled: posted, it would credit the client for work invoiced again."""
        invoice = self.invoice(self.client, post=True)
        credit_note = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        self.assertEqual(credit_note.state, "draft")
        refusals = []

        def post_credit_note():
            try:
                credit_note.action_post()
            except UserError as error:
                refusals.append(str(error))

        invoice.button_draft()
        post_credit_note()
        invoice.button_cancel()
        self.assertEqual(self.item_of(self.line).state, "to_bill", "cancelled: to bill again")
        if credit_note.state == "draft":
            post_credit_note()
        again = self.invoice(self.client, invoice_date=date(2026, 4, 30), post=True)
        self.assertEqual(
            self.owed(),
            again.amount_total,
            "the client owes the work once: the credit note of the cancelled invoice "
            "credited the client for nothing",
        )
        self.assertEqual(len(refusals), 2)
        self.assertIn("not posted", refusals[0])
        self.assertIn(invoice.name, refusals[1])
