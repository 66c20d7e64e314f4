from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestInvoiceCopy(InvoiceraTimesheetCase):
    """Duplicating an invoice of billed work would bill that work a second time:
    its lines are those of the work, which is locked by the invoice or, once the
    invoice is cancelled or credited in full, back in Unbilled Work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line_a = cls.log_time(cls.alice, 2, day="2026-03-02", name="Mock-ups")

    def assert_not_duplicated(self, invoice):
        count = self.env["account.move"].search_count([("move_type", "=", "out_invoice")])
        with self.assertRaisesRegex(UserError, f"{invoice.name}.*Unbilled Work"):
            invoice.action_duplicate()
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_invoice")]), count
        )

    def test_invoice_of_billed_work_not_duplicated(self):
        invoice = self.invoice(self.client, post=True)
        self.assert_not_duplicated(invoice)
        self.assert_not_duplicated(invoice.with_user(self.billing_user))

    def test_cancelled_invoice_not_duplicated(self):
        """Cancelled, its work is back in Unbilled Work: a copy would bill it beside
        the next invoice of that work."""
        invoice = self.invoice(self.client, post=True)
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(self.item_of(self.line_a).state, "to_bill")
        self.assert_not_duplicated(invoice)
        # the work is billed once, from Unbilled Work
        self.assertEqual(self.invoice(self.client).amount_untaxed, 180)

    def test_invoice_credited_in_full_not_duplicated(self):
        invoice = self.invoice(self.client, post=True)
        self.reversal(invoice, date(2026, 4, 2)).refund_moves()
        invoice.reversal_move_ids.action_post()
        self.assertEqual(self.item_of(self.line_a).state, "to_bill")
        self.assert_not_duplicated(invoice)

    def test_credit_notes_and_other_invoices_still_copied(self):
        """A credit note is made as a copy: still possible, as duplicating an
        invoice without billed work."""
        invoice = self.invoice(self.client, post=True)
        self.reversal(invoice, date(2026, 4, 2)).refund_moves()
        self.assertEqual(len(invoice.reversal_move_ids), 1)
        other = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_line_ids": [Command.create({"name": "Advice", "price_unit": 100})],
            }
        )
        self.assertEqual(other.copy().amount_untaxed, 100)

    def test_recurring_invoice_of_billed_work_refused(self):
        """A recurring invoice is copied every period: of billed work, the copy
        would bill the same work again."""
        invoice = self.invoice(self.client)
        with self.assertRaisesRegex(UserError, "Draft Invoice.*Unbilled Work: it cannot recur"):
            invoice.auto_post = "monthly"
        invoice.action_post()
        self.assertEqual(
            self.env["account.move"].search_count(
                [("move_type", "=", "out_invoice"), ("partner_id", "=", self.client.id)]
            ),
            1,
        )
