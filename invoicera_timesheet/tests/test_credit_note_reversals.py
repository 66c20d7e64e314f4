from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestCreditNoteReversals(InvoiceraTimesheetCase):
    """An invoice's items go back to unbilled when its credit notes credit it in
    full: a credit note itself reversed (a credit note of the credit note, from
    Actions ▸ Reverse) credits nothing any more."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line = cls.log_time(cls.alice, 5)

    def credit(self, invoice, amount, day):
        """A posted credit note of ``amount`` (untaxed, on its first line) of ``invoice``."""
        credit_note = self.reversal(invoice, day).refund_moves()
        credit_note = self.env["account.move"].browse(credit_note["res_id"])
        credit_note.invoice_line_ids.price_unit = 0
        credit_note.invoice_line_ids[0].write({"quantity": 1, "price_unit": amount})
        credit_note.action_post()
        return credit_note

    def test_a_reversed_credit_note_does_not_count(self):
        invoice = self.invoice(self.client, post=True)
        total = invoice.amount_untaxed
        first = self.credit(invoice, 100, date(2026, 4, 2))
        # the first credit note is withdrawn by its own reversal, posted
        undo = self.env["account.move"].browse(
            self.reversal(first, date(2026, 4, 3)).refund_moves()["res_id"]
        )
        self.assertEqual(undo.move_type, "out_invoice")
        undo.action_post()
        self.credit(invoice, total - 100, date(2026, 4, 4))
        self.assertEqual(
            self.item_of(self.line).state,
            "invoiced",
            "credited 100 - 100 + the rest: not in full, the work stays billed",
        )
        # the last 100 credited: in full, the work goes back to unbilled
        self.credit(invoice, 100, date(2026, 4, 5))
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        # the reversal stays: withdrawn (before: allowed), the first credit note
        # would count again, and the client be credited 100 more for work
        # billed again
        self.assertFalse(undo.show_reset_to_draft_button)
        for withdraw in (undo.button_cancel, undo.button_draft):
            with self.assertRaisesRegex(UserError, "withdrew credit notes of .*credited twice"):
                withdraw()
        with self.assertRaisesRegex(UserError, "withdrew credit notes"):
            self.reversal(undo, date(2026, 4, 6)).refund_moves()
        self.assertEqual(undo.state, "posted")

    def test_a_draft_reversal_is_not_posted_once_the_work_went_back(self):
        """A credit note's reversal left a draft, then the invoice credited in full
        (its work back to unbilled, invoiced again): posting the reversal would
        bill the client again for work its new invoice bills. Refused, as
        resetting or reversing that credit note is."""
        invoice = self.invoice(self.client, post=True)
        total = invoice.amount_untaxed
        first = self.credit(invoice, 100, date(2026, 4, 2))
        undo = self.env["account.move"].browse(
            self.reversal(first, date(2026, 4, 3)).refund_moves()["res_id"]
        )
        self.assertEqual((undo.move_type, undo.state), ("out_invoice", "draft"))
        self.credit(invoice, total - 100, date(2026, 4, 4))
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        again = self.invoice(self.client, date(2026, 4, 30), post=True)
        self.assertEqual(again.amount_untaxed, total)
        with self.assertRaisesRegex(UserError, "Keep the credit note"):
            undo.action_post()
        self.assertEqual(undo.state, "draft")

    def test_a_credit_note_reversed_into_a_new_draft_does_not_count(self):
        """Correcting a partial credit note (Reverse ▸ Reverse and create a new
        draft) reverses it: it credits nothing any more."""
        invoice = self.invoice(self.client, post=True)
        total = invoice.amount_untaxed
        first = self.credit(invoice, total - 100, date(2026, 4, 2))
        action = self.reversal(first, date(2026, 4, 3)).modify_moves()
        corrected = self.env["account.move"].browse(action["res_id"])
        self.assertEqual((corrected.move_type, corrected.state), ("out_refund", "draft"))
        corrected.invoice_line_ids[0].price_unit = total - 150
        corrected.action_post()
        self.credit(invoice, 100, date(2026, 4, 4))
        self.assertEqual(
            self.item_of(self.line).state,
            "invoiced",
            "credited all but 150, then 100: not in full, the work stays billed",
        )

    def test_a_credit_note_corrected_to_the_whole_invoice_credits_it_in_full(self):
        """The corrected credit note (Reverse and create a new draft), set to the
        whole invoice and posted, credits it in full: its work goes back to
        unbilled. Before: Odoo's copy had no link to the invoice, the work
        stayed invoiced and locked for good."""
        invoice = self.invoice(self.client, post=True)
        total = invoice.amount_untaxed
        first = self.credit(invoice, total - 100, date(2026, 4, 2))
        action = self.reversal(first, date(2026, 4, 3)).modify_moves()
        corrected = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(corrected.reversed_entry_id, invoice)
        corrected.invoice_line_ids[0].price_unit = total
        corrected.action_post()
        self.assertEqual(self.item_of(self.line).state, "to_bill")
