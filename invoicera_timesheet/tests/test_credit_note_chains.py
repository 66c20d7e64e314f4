import re
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import html2plaintext

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestCreditNoteChains(InvoiceraTimesheetCase):
    """Credit notes count net of their reversals, and those of their reversals,
    and so on (a reversal credited in its turn withdraws nothing): an invoice
    is credited in full, in part or not at all as the client sees it. Once its
    work went back to unbilled (credited in full, or cancelled), the credit
    notes and reversals of the invoice stay posted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line = cls.log_time(cls.alice, 5)

    def reverse(self, move, day, post=True):
        """The reversal of ``move`` from Actions ▸ Reverse (a credit note of an
        invoice, an invoice of a credit note), posted unless ``post`` is False."""
        action = self.reversal(move, day).refund_moves()
        reversal = self.env["account.move"].browse(action["res_id"])
        if post:
            reversal.action_post()
        return reversal

    def credit(self, invoice, amount, day):
        """A posted credit note of ``amount`` (untaxed, on its first line) of ``invoice``."""
        credit_note = self.reverse(invoice, day, post=False)
        credit_note.invoice_line_ids.price_unit = 0
        credit_note.invoice_line_ids[0].write({"quantity": 1, "price_unit": amount})
        credit_note.action_post()
        return credit_note

    def time_at(self, name, rate, hours):
        """The client's only time: ``hours`` of a new employee billed at ``rate``."""
        employee = self.env["hr.employee"].create({"name": name, "invoicera_billing_rate": rate})
        self.line.unlink()
        return self.log_time(employee, hours)

    def credit_hours(self, invoice, hours, day):
        """A posted credit note of ``hours`` of the one line of ``invoice``."""
        credit_note = self.reverse(invoice, day, post=False)
        credit_note.invoice_line_ids.quantity = hours
        credit_note.action_post()
        return credit_note

    def vat(self):
        """A 21% sales tax, on the time billed from now on."""
        vat = self.env["account.tax"].create(
            {"name": "VAT 21%", "amount": 21, "amount_type": "percent", "type_tax_use": "sale"}
        )
        self.service.taxes_id = [Command.set(vat.ids)]
        return vat

    def test_a_cancelled_invoice_keeps_its_credit_notes_and_their_reversals(self):
        """Credited in part, then the credit note reversed: the invoice may be
        cancelled, its work goes back to unbilled. The reversal then stays posted
        (before: reset to draft and cancelled, the credit note stood again, the
        client kept 100 of credit for work billed again in full), and so does the
        credit note."""
        invoice = self.invoice(self.client, post=True)
        first = self.credit(invoice, 100, date(2026, 4, 2))
        with self.assertRaisesRegex(UserError, "credited in part by"):
            invoice.button_cancel()
        undo = self.reverse(first, date(2026, 4, 3))
        self.assertEqual(undo.move_type, "out_invoice")
        invoice.button_cancel()
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        for withdraw in (undo.button_draft, undo.button_cancel, first.button_draft):
            with self.assertRaisesRegex(UserError, f"{invoice.name} was cancelled") as refusal:
                withdraw()
            self.assertIn(undo.name, str(refusal.exception))
            self.assertNotIn("credited in full", str(refusal.exception))
        with self.assertRaisesRegex(UserError, "Keep them posted"):
            self.reversal(undo, date(2026, 4, 4)).refund_moves()
        self.assertEqual((first.state, undo.state), ("posted", "posted"))
        self.assertFalse(undo.show_reset_to_draft_button)
        self.assertFalse(first.show_reset_to_draft_button)
        again = self.invoice(self.client, date(2026, 4, 30), post=True)
        self.assertEqual(again.amount_untaxed, 5 * 90)
        self.assertEqual(self.owed(), again.amount_total, "the work is billed once, no credit")

    def test_a_reversal_credited_in_its_turn_withdraws_nothing(self):
        """The credit note's reversal reversed in its turn (a credit note of it,
        posted): the credit note stands again, the invoice is credited in part
        and is not cancelled (before: cancelled, its work billed again in full
        while the client kept the credit)."""
        invoice = self.invoice(self.client, post=True)
        first = self.credit(invoice, 100, date(2026, 4, 2))
        undo = self.reverse(first, date(2026, 4, 3))
        self.reverse(undo, date(2026, 4, 4))
        with self.assertRaisesRegex(UserError, f"credited in part by {first.name}"):
            invoice.button_cancel()
        self.assertEqual((invoice.state, self.item_of(self.line).state), ("posted", "invoiced"))

    def test_the_refusal_says_how_much_is_credited(self):
        """Credited in part, the invoice is not cancelled nor deleted, posted or
        reset to draft: the refusal says of each invoice how much its standing
        credit notes credit out of its total, in its currency (a credit note
        withdrawn by its reversal counts for nothing): the clerk sees what is
        left to credit (before: it named the invoices and credit notes only)."""
        line = self.time_at("Carol", 90, 10)
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(invoice.amount_total, 900)
        credit_note = self.credit(invoice, 270, date(2026, 4, 2))
        withdrawn = self.credit(invoice, 100, date(2026, 4, 2))
        self.reverse(withdrawn, date(2026, 4, 3))
        credited = (
            # (a draft is "Draft Invoice INV/...")
            rf"{invoice.name} \(credited \$\s270\.00 of \$\s900\.00\) was credited in "
            rf"part by {re.escape(credit_note.display_name)}: "
        )
        with self.assertRaisesRegex(UserError, credited + ".* Credit the rest of the invoice"):
            invoice.button_cancel()
        # several invoices named, each with its own amounts, in its own currency
        self.log_time(self.bob, 5, project=self.project_eur)  # 300 $ at 0.5: 150 €
        invoice_eur = self.invoice(self.client_eur, post=True)
        credit_note_eur = self.credit(invoice_eur, 100, date(2026, 4, 2))
        with self.assertRaises(UserError) as refusal:
            (invoice | invoice_eur).button_cancel()
        self.assertIn(
            f"{invoice_eur.name} (credited 100.00\xa0€ of 150.00\xa0€)",
            str(refusal.exception),
        )
        self.assertRegex(str(refusal.exception), rf"^{invoice.name} \(credited \$\s270\.00 ")
        self.assertIn(
            f"by {credit_note.display_name}, {credit_note_eur.display_name}: ",
            str(refusal.exception),
        )
        invoice.button_draft()
        for withdraw in (invoice.button_cancel, invoice.unlink):
            with self.assertRaisesRegex(UserError, credited + ".* Post it again"):
                withdraw()
        self.assertEqual(
            (invoice.state, invoice_eur.state, self.item_of(line).state),
            ("draft", "posted", "invoiced"),
        )

    def test_no_credit_note_of_the_reversal_posted_once_the_invoice_is_cancelled(self):
        """A credit note of the reversal left a draft while the invoice was
        cancelled: posted, it would make the client's credit note stand again
        for work billed again in full."""
        invoice = self.invoice(self.client, post=True)
        first = self.credit(invoice, 100, date(2026, 4, 2))
        undo = self.reverse(first, date(2026, 4, 3))
        redo = self.reverse(undo, date(2026, 4, 4), post=False)
        self.assertEqual((redo.move_type, redo.state), ("out_refund", "draft"))
        invoice.button_cancel()
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        with self.assertRaisesRegex(UserError, f"{invoice.name} was cancelled"):
            redo.action_post()
        self.assertEqual(redo.state, "draft")

    def test_credit_notes_count_net_of_reversals_credited_in_their_turn(self):
        """Credited 100, that credit note reversed, the reversal credited in its
        turn: 100 is credited. Crediting the rest credits the invoice in full,
        its work goes back to unbilled (before: counted the rest only, the work
        stayed invoiced for good). The whole chain then stays posted."""
        invoice = self.invoice(self.client, post=True)
        total = invoice.amount_untaxed
        first = self.credit(invoice, 100, date(2026, 4, 2))
        undo = self.reverse(first, date(2026, 4, 3))
        redo = self.reverse(undo, date(2026, 4, 4))
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        rest = self.credit(invoice, total - 100, date(2026, 4, 5))
        self.assertEqual(self.item_of(self.line).state, "to_bill", "credited 100 + the rest")
        for move in (first, undo, redo, rest):
            with self.assertRaisesRegex(UserError, f"{invoice.name}.* in full"):
                move.button_draft()
        self.assertEqual(invoice.state, "posted")

    def test_credit_notes_whose_taxes_round_apart_credit_in_full(self):
        """14.5 h at 115 with 21% tax (2,017.68) credited in two credit notes of
        4.35 h (605.30) and 10.15 h (1,412.37): each rounds its tax, together
        2,017.67. Their untaxed amounts credit the whole invoice: its work goes
        back to unbilled (before: credited in part for good)."""
        self.vat()
        line = self.time_at("Carol", 115, 14.5)
        invoice = self.invoice(self.client, post=True)
        self.assertEqual((invoice.amount_untaxed, invoice.amount_total), (1667.5, 2017.68))
        credit_notes = [
            self.credit_hours(invoice, hours, day).amount_total
            for hours, day in ((4.35, date(2026, 4, 2)), (10.15, date(2026, 4, 3)))
        ]
        self.assertEqual(credit_notes, [605.30, 1412.37])
        self.assertEqual(self.item_of(line).state, "to_bill")

    def test_hours_credited_in_parts_credit_in_full(self):
        """2.5 h at 33.33 (83.33, 100.83 with 21% tax) credited as 1.25 h twice:
        each credit note prices its half apart (41.66), together a cent short
        of the invoice, untaxed and total. Every hour credited, the work goes
        back to unbilled (before: credited in part for good)."""
        self.vat()
        line = self.time_at("Dora", 33.33, 2.5)
        invoice = self.invoice(self.client, post=True)
        self.assertEqual((invoice.amount_untaxed, invoice.amount_total), (83.33, 100.83))
        untaxed = sum(
            self.credit_hours(invoice, 1.25, day).amount_untaxed
            for day in (date(2026, 4, 2), date(2026, 4, 3))
        )
        self.assertAlmostEqual(untaxed, 83.32)
        self.assertEqual(self.item_of(line).state, "to_bill")

    def test_a_line_left_out_of_a_credit_note_of_many_lines_credits_in_part(self):
        """An invoice of 20 entries of 0.5 h at 90 and one of 0.1 h at 1 (900.10),
        a line each; the credit note leaves out the 0.10 line: it credits in part,
        whatever its number of lines (before: a cent per line of rounding let
        0.20 slip, the work went back to unbilled while 0.10 stayed owed). Its
        lines copied as they are round as the invoice's."""
        self.client.invoicera_invoice_detail = "item"
        self.line.unlink()
        for day in range(1, 21):
            self.log_time(self.alice, 0.5, day=f"2026-03-{day:02d}")
        erin = self.env["hr.employee"].create({"name": "Erin", "invoicera_billing_rate": 1})
        small = self.log_time(erin, 0.1, day="2026-03-21")
        invoice = self.invoice(self.client, post=True)
        self.assertEqual((len(invoice.invoice_line_ids), invoice.amount_total), (21, 900.10))
        credit_note = self.reverse(invoice, date(2026, 4, 2), post=False)
        credit_note.invoice_line_ids = [
            Command.unlink(
                credit_note.invoice_line_ids.filtered(lambda line: line.price_subtotal == 0.1).id
            )
        ]
        credit_note.action_post()
        self.assertEqual(credit_note.amount_total, 900)
        self.assertEqual(self.item_of(small).state, "invoiced")
        self.assertEqual(self.owed(), 0.10)

    def test_credited_in_full_once_a_reversal_is_withdrawn_with_the_invoice_reset(self):
        """The reversal of a credit note reset to draft, then the invoice reset
        too, the reversal cancelled and the invoice posted again: its credit notes
        credit it in full, its work goes back to unbilled (before: it stayed
        invoiced for good, the invoice not posted when the reversal went)."""
        invoice = self.invoice(self.client, post=True)
        first = self.credit(invoice, 300, date(2026, 4, 2))
        undo = self.reverse(first, date(2026, 4, 3))
        self.credit(invoice, 150, date(2026, 4, 4))
        undo.button_draft()
        started = self.reverse(invoice, date(2026, 4, 5), post=False)
        # credited in full, a reversal left a draft: said so (it said "credited in
        # part" and asked to credit the rest, which would credit the client twice),
        # naming that reversal, not another credit note started
        with self.assertRaisesRegex(
            UserError, rf"{invoice.name} is credited in full by .* while a reversal"
        ) as caught:
            invoice.button_cancel()
        self.assertIn(undo.display_name, str(caught.exception))
        self.assertNotIn(started.display_name, str(caught.exception))
        started.unlink()
        invoice.button_draft()
        undo.button_cancel()
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        invoice.action_post()
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        self.assertEqual(self.owed(), 0)

    def test_a_draft_reversal_down_the_chain_is_named(self):
        """Invoice 450 credited 300 (CN1), CN1 reversed (R1), R1 credited (CN2),
        CN2 reversed (R2), then credited 150 (CN3); R2 reset to draft: CN1 stands
        again, credited in full. Cancelling the invoice says so and names R2
        (before: "credited in part... credit the rest", which would credit the
        client twice)."""
        invoice = self.invoice(self.client, post=True)
        cn1 = self.credit(invoice, 300, date(2026, 4, 2))
        r1 = self.reverse(cn1, date(2026, 4, 3))
        cn2 = self.reverse(r1, date(2026, 4, 4))
        r2 = self.reverse(cn2, date(2026, 4, 5))
        self.credit(invoice, 150, date(2026, 4, 6))
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        r2.button_draft()
        with self.assertRaisesRegex(
            UserError, rf"{invoice.name} is credited in full by .* while a reversal"
        ) as caught:
            invoice.button_cancel()
        self.assertIn(r2.display_name, str(caught.exception))

    def test_hours_credited_in_parts_like_another_line_credit_in_full(self):
        """0.5 h and 0.25 h at 97.41, a line each (48.71 + 24.35 = 73.06);
        credited 0.25 h of the first line, then the rest (0.25 h of it and the
        other line): 24.35 + 48.70, a cent short. Every hour credited, the work
        goes back to unbilled, although each part looks like the invoice's
        0.25 h line (before: those parts were taken for copied lines, allowed
        no rounding, and the invoice stayed credited in part)."""
        self.client.invoicera_invoice_detail = "item"
        frank = self.env["hr.employee"].create({"name": "Frank", "invoicera_billing_rate": 97.41})
        self.line.unlink()
        half = self.log_time(frank, 0.5)
        self.log_time(frank, 0.25, day="2026-03-11")
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(invoice.amount_total, 73.06)
        first = self.reverse(invoice, date(2026, 4, 2), post=False)
        lines = first.invoice_line_ids.sorted("quantity")
        first.invoice_line_ids = [Command.unlink(lines[0].id)]
        lines[1].quantity = 0.25
        first.action_post()
        rest = self.reverse(invoice, date(2026, 4, 3), post=False)
        rest.invoice_line_ids.sorted("quantity")[1].quantity = 0.25
        rest.action_post()
        self.assertEqual((first.amount_total, rest.amount_total), (24.35, 48.70))
        self.assertEqual(self.item_of(half).state, "to_bill")

    def test_credit_notes_rounded_in_cash_credit_in_full(self):
        """An invoice rounded to 0.05 in cash, credited line by line in two credit
        notes, each rounded on its own: together 0.05 short of its total, every
        line credited. The work goes back to unbilled (before: credited in
        part, 0.05 owed for good)."""
        self.vat()
        rounding = self.env["account.cash.rounding"].create(
            {
                "name": "0.05",
                "rounding": 0.05,
                "strategy": "biggest_tax",
                "rounding_method": "HALF-UP",
            }
        )
        self.line.unlink()
        self.client.invoicera_invoice_detail = "item"
        first = self.log_time(self.alice, 0.13)  # 11.70 + 2.457 tax
        second = self.log_time(self.alice, 0.12, day="2026-03-11")  # 10.80 + 2.268 tax
        invoice = self.invoice(self.client)
        invoice.invoice_cash_rounding_id = rounding
        invoice.action_post()
        self.assertEqual(len(invoice.invoice_line_ids), 2, "a line per entry")
        totals = []
        for kept, day in ((0, date(2026, 4, 2)), (1, date(2026, 4, 3))):
            credit_note = self.reverse(invoice, day, post=False)
            credit_note.invoice_line_ids = [
                Command.unlink(credit_note.invoice_line_ids.sorted("sequence")[1 - kept].id)
            ]
            credit_note.action_post()
            totals.append(credit_note.amount_total)
        self.assertLess(sum(totals), invoice.amount_total, "short of its total")
        self.assertEqual({self.item_of(first).state, self.item_of(second).state}, {"to_bill"})

    def test_a_credit_note_without_the_taxes_credits_in_part(self):
        """5 h at 90 with 21% tax (544.50) credited by a credit note whose line
        lost its tax (450.00): the client still owes 94.50, the work stays
        invoiced (before: its untaxed amount credited in full, the work went
        back to unbilled, and resetting the credit note, a second one or its
        reversal were refused). Reset to draft, given its tax back and posted
        again, the credit note credits the invoice in full."""
        vat = self.vat()
        invoice = self.invoice(self.client, post=True)
        self.assertEqual((invoice.amount_untaxed, invoice.amount_total), (450, 544.5))
        credit_note = self.reverse(invoice, date(2026, 4, 2), post=False)
        credit_note.invoice_line_ids.tax_ids = False
        credit_note.action_post()
        self.assertEqual((credit_note.amount_untaxed, credit_note.amount_total), (450, 450))
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        self.assertEqual(self.owed(), 94.5)
        with self.assertRaisesRegex(UserError, "credited in part by"):
            invoice.button_cancel()
        self.assertTrue(credit_note.show_reset_to_draft_button)
        credit_note.button_draft()
        credit_note.invoice_line_ids.tax_ids = vat
        credit_note.action_post()
        self.assertEqual(credit_note.amount_total, 544.5)
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        self.assertEqual(self.owed(), 0)

    def test_a_credit_note_reversal_withdrawn_may_credit_in_full(self):
        """Invoice 450 credited 300, that credit note reversed, then credited
        150: credited 150, the work stays invoiced. The reversal reset to draft
        (then cancelled), the 300 stands again: credited in full, the client
        owes nothing and the work goes back to unbilled (before: it stayed
        invoiced, and the invoice could not be cancelled, "credited in part").
        The invoice then stays posted with its credit notes, as any invoice
        credited in full."""
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(invoice.amount_total, 450)
        first = self.credit(invoice, 300, date(2026, 4, 2))
        undo = self.reverse(first, date(2026, 4, 3))
        second = self.credit(invoice, 150, date(2026, 4, 4))
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        # reset to draft (to correct its date...), the reversal may be posted
        # again: nothing changes until it is cancelled
        undo.button_draft()
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        undo.action_post()
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        self.assertEqual(self.owed(), 450 - 300 + 300 - 150)
        undo.button_draft()
        undo.button_cancel()
        self.assertEqual(undo.state, "cancel")
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        self.assertEqual(self.owed(), 0)
        for withdraw in (
            invoice.button_cancel,
            invoice.button_draft,
            first.button_draft,
            second.button_draft,
        ):
            with self.assertRaisesRegex(UserError, f"{invoice.name}.* in full"):
                withdraw()
        self.assertEqual((invoice.state, first.state, second.state), ("posted",) * 3)
        self.assertFalse(invoice.show_reset_to_draft_button)
        again = self.invoice(self.client, date(2026, 4, 30), post=True)
        self.assertEqual(again.amount_untaxed, 5 * 90)
        self.assertEqual(self.owed(), again.amount_total, "the work is billed once")

    def test_a_cancelled_draft_is_named_in_messages(self):
        """A draft never posted has no number; cancelled, Odoo 18 names it
        nothing: the messages about it name it "Invoice (* id)" (before: "The work
        billed by  went back...")."""
        self.invoice(self.client, post=True)  # numbered: the next draft of the period is not
        self.log_time(self.alice, 2, day="2026-03-20")
        draft = self.invoice(self.client)
        draft.button_cancel()
        self.assertEqual((draft.name, draft.display_name), ("/", ""))
        name = re.escape(f"Invoice (* {draft.id})")
        with self.assertRaisesRegex(UserError, rf"^The work billed by {name} went back"):
            draft.button_draft()
        with self.assertRaisesRegex(UserError, rf"^{name} bills work from"):
            draft.copy()

    def invoiced_globally(self):
        """An invoice of lines of 67.97, 612.86 and 27.27 (one per employee),
        708.11 untaxed and 856.81 with 21% where taxes are rounded globally
        (Odoo adds up the lines' unrounded amounts, then rounds); its time."""
        self.company.tax_calculation_rounding_method = "round_globally"
        self.vat()
        self.client.invoicera_invoice_detail = "employee"
        self.line.unlink()
        lines = self.env["account.analytic.line"]
        for name, rate, hours in (("Ann", 90.63, 0.75), ("Ben", 46.08, 13.3), ("Cy", 109.08, 0.25)):
            employee = self.env["hr.employee"].create(
                {"name": name, "invoicera_billing_rate": rate}
            )
            lines |= self.log_time(employee, hours)
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(
            sorted(invoice.invoice_line_ids.mapped("price_subtotal")), [27.27, 67.97, 612.86]
        )
        self.assertEqual((invoice.amount_untaxed, invoice.amount_total), (708.11, 856.81))
        return invoice, lines

    def credit_lines(self, invoice, kept, day=date(2026, 4, 2)):
        """A posted credit note of the lines of ``invoice`` of subtotals ``kept``."""
        credit_note = self.reverse(invoice, day, post=False)
        credit_note.invoice_line_ids.filtered(lambda line: line.price_subtotal not in kept).unlink()
        credit_note.action_post()
        return credit_note

    def test_credited_line_by_line_when_taxes_are_rounded_globally(self):
        """Rounding taxes globally, two credit notes taking the invoice's lines
        as they are (1 and 3, then 2) credit 708.10 of 708.11: the work goes back
        to unbilled (it stayed invoiced for good, and cancelling the invoice
        asked to credit the rest)."""
        invoice, lines = self.invoiced_globally()
        self.credit_lines(invoice, (67.97, 27.27))
        self.assertEqual(set(self.item_of(lines).mapped("state")), {"invoiced"})
        self.credit_lines(invoice, (612.86,))
        self.assertEqual(set(self.item_of(lines).mapped("state")), {"to_bill"})

    def test_a_line_left_out_is_no_rounding(self):
        """The allowance for global rounding is not a line: one credit note of
        all the lines but the 27.27 one credits in part."""
        invoice, lines = self.invoiced_globally()
        self.credit_lines(invoice, (67.97, 612.86))
        self.assertEqual(set(self.item_of(lines).mapped("state")), {"invoiced"})
        with self.assertRaisesRegex(UserError, "credited in part by"):
            invoice.button_cancel()

    def test_one_credit_note_rounds_as_its_invoice(self):
        """One credit note of all the lines rounds as the invoice does: two
        cents less is credited in part (the allowance for global rounding is
        for several documents)."""
        invoice, lines = self.invoiced_globally()
        credit_note = self.reverse(invoice, date(2026, 4, 2), post=False)
        line = credit_note.invoice_line_ids.filtered(lambda line: line.price_subtotal == 67.97)
        line.price_unit = 90.61  # of 90.63, for 0.75 h
        credit_note.action_post()
        self.assertEqual(credit_note.amount_untaxed, 708.09)
        self.assertEqual(set(self.item_of(lines).mapped("state")), {"invoiced"})

    def test_credited_line_by_line_with_two_taxes_rounded_globally(self):
        """Rounding taxes globally, Odoo rounds each tax's base on its own: an
        invoice of time at 21% (67.9725 + 7.9725) and at 6% (15.4725 +
        22.9725, another project billing another service) is 75.95 + 38.45
        untaxed. Two credit notes of two of its lines each, as they are, credit
        114.38 of 114.40: the work goes back to unbilled."""
        self.company.tax_calculation_rounding_method = "round_globally"
        self.vat()
        reduced = self.env["account.tax"].create(
            {"name": "VAT 6%", "amount": 6, "amount_type": "percent", "type_tax_use": "sale"}
        )
        books = self.client_project("Books", self.company)
        books.invoicera_service_product_id = self.service.copy(
            {"name": "Editing", "taxes_id": [Command.set(reduced.ids)]}
        )
        self.client.invoicera_invoice_detail = "employee"
        self.line.unlink()
        lines = self.env["account.analytic.line"]
        for name, rate, project in (
            ("Ann", 90.63, self.project),
            ("Dan", 10.63, self.project),
            ("Ben", 20.63, books),
            ("Eve", 30.63, books),
        ):
            employee = self.env["hr.employee"].create(
                {"name": name, "invoicera_billing_rate": rate}
            )
            lines |= self.log_time(employee, 0.75, project=project)
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(
            sorted(invoice.invoice_line_ids.mapped("price_subtotal")),
            [7.97, 15.47, 22.97, 67.97],
        )
        self.assertEqual(invoice.amount_untaxed, 114.40)
        self.credit_lines(invoice, (67.97, 15.47))
        self.assertEqual(set(self.item_of(lines).mapped("state")), {"invoiced"})
        self.credit_lines(invoice, (7.97, 22.97))
        self.assertEqual(set(self.item_of(lines).mapped("state")), {"to_bill"})

    def test_credit_notes_of_one_invoice_posted_together(self):
        """Two full credit notes of one invoice posted together (Post Entries on
        both drafts) are refused as posted one after the other: before, both
        posted, the client credited twice and the work billed again. Two halves
        posted together credit it in full."""
        invoice = self.invoice(self.client, post=True)
        twice = self.reverse(invoice, date(2026, 4, 2), post=False)
        twice |= self.reverse(invoice, date(2026, 4, 2), post=False)
        post_together = self.env["validate.account.move"].with_context(
            active_model="account.move", active_ids=twice.ids
        )
        # (assertRaises undoes what the failed request did, as Odoo would)
        with self.assertRaises(UserError) as refusal:
            post_together.create({}).validate_move()
        self.assertIn("credited in full already", str(refusal.exception))
        self.assertEqual(twice.mapped("state"), ["draft", "draft"])
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        twice.invoice_line_ids.quantity = 2.5
        post_together.create({}).validate_move()
        self.assertEqual(twice.mapped("state"), ["posted", "posted"])
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        self.assertEqual(self.owed(), 0.0, "credited once")

    def test_the_invoice_says_what_became_of_its_work(self):
        """Posting a credit note says on its invoice whether the work went back
        to Unbilled Work, or stays invoiced and how much is credited: nothing
        said it (a credit note that lost its taxes left the work invoiced in
        silence)."""
        self.vat()
        invoice = self.invoice(self.client, post=True)  # 5 h at 90, 21%: 544.50

        def last_note():
            return html2plaintext(invoice.message_ids[:1].body)

        tax_lost = self.reverse(invoice, date(2026, 4, 2), post=False)
        tax_lost.invoice_line_ids.tax_ids = [Command.clear()]
        tax_lost.action_post()
        self.assertEqual(self.item_of(self.line).state, "invoiced")
        self.assertRegex(
            last_note(),
            rf"^Credited in part by {tax_lost.name} \(\$\s450\.00 of \$\s544\.50 credited "
            r"in all\): the work it bills stays invoiced\. Credit the rest of the invoice "
            r"to give it back to Billing ▸ Unbilled Work\.$",
        )
        rest = self.reverse(invoice, date(2026, 4, 3), post=False)
        rest.invoice_line_ids.write(
            {"quantity": 1, "price_unit": 94.5, "tax_ids": [Command.clear()]}
        )
        rest.action_post()
        self.assertEqual(self.item_of(self.line).state, "to_bill")
        self.assertEqual(
            last_note(),
            f"Credited in full by {rest.name}: the work it billed is back in Billing ▸ "
            "Unbilled Work, to invoice again.",
        )
