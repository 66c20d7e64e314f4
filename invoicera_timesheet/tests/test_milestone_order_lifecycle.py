from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestMilestoneOrderLifecycle(InvoiceraTimesheetCase):
    """A fixed fee is billed by exactly one of the two flows, its order's or
    Invoicera's, whatever becomes of the order and of its invoices: cancelled,
    confirmed again, invoiced, credited."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Milestone = cls.env["project.milestone"]
        cls.setup, cls.phases = cls.project_products()

    def order_making_a_project(self):
        """A confirmed order whose line made the client's project: (order, project)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "order_line": [Command.create({"product_id": self.setup.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        return order, order.order_line.project_id

    def add_phases(self, order):
        """A line billed on milestones added to ``order``: it takes the project's
        milestones without a line (Odoo's rule)."""
        order.order_line = [Command.create({"product_id": self.phases.id, "product_uom_qty": 1})]
        return order.order_line.filtered(lambda line: line.product_id == self.phases)

    def cancel(self, order):
        order.with_context(disable_cancel_warning=True).action_cancel()

    def sold_milestones(self, *names):
        """Reached milestones with a fee of 5,000, sharing a line billed on
        milestones of a confirmed order: (order, milestones)."""
        order, project = self.order_making_a_project()
        milestones = self.Milestone.create(
            [{"name": name, "project_id": project.id, "invoicera_amount": 5000} for name in names]
        )
        line = self.add_phases(order)
        self.assertEqual(milestones.sale_line_id, line)
        for day, milestone in enumerate(milestones, start=20):
            with freeze_time(f"2026-03-{day}"):
                milestone.is_reached = True
                milestone.flush_recordset()  # reached that day (no item reads it yet)
        return order, milestones

    def sold_milestone(self):
        """A reached milestone "Go-live" with a fee of 5,000, on a line billed on
        milestones of a confirmed order: (order, milestone)."""
        return self.sold_milestones("Go-live")

    # ------------------------------------------------------------------
    # a fee on the line of a cancelled order

    def test_fee_taken_by_a_cancelled_order_is_billed_here(self):
        """A reached fee to bill here, taken by a line billed on milestones added
        to the project's order (Odoo's rule), is billed here again once that order
        is cancelled: 5,000 on the client's next invoice.
        Before: it stayed on the cancelled order's line, billed by no one."""
        order, project = self.order_making_a_project()
        milestone = self.reached(project)
        self.assertEqual(self.item_of(milestone).state, "to_bill")
        line = self.add_phases(order)
        self.assertEqual(milestone.sale_line_id, line)
        self.assertFalse(self.item_of(milestone), "on the order: Odoo's to bill")
        self.cancel(order)
        self.assertEqual(milestone.sale_line_id, line, "Odoo leaves it on the cancelled line")
        self.assertRecordValues(
            self.item_of(milestone), [{"state": "to_bill", "price_unit": 5000, "active": True}]
        )
        self.assertEqual(self.invoice(self.client).amount_untaxed, 5000)

    def test_fee_a_cancelled_order_invoiced_is_billed_here_once_credited(self):
        """The order invoiced the fee, then was cancelled (its posted invoice
        stays): the fee is the order's invoice's, not billed here again; once
        that invoice is credited in full, it is billed here.
        Before: it stayed off once the order was cancelled, credited or not."""
        order, milestone = self.sold_milestone()
        invoice = order._create_invoices()
        invoice.action_post()
        self.cancel(order)
        self.assertFalse(self.item_of(milestone), "billed by the order's invoice")
        self.reversal(invoice, "2026-04-02").refund_moves()
        self.assertRecordValues(
            self.item_of(milestone), [{"state": "to_bill", "price_unit": 5000, "active": True}]
        )

    def test_order_confirmed_again_takes_back_a_fee_not_invoiced_here(self):
        """A cancelled order set back to quotation and confirmed again bills its
        milestone again: the fee, to bill here while the order was cancelled,
        is off the Unbilled Work screen (billed once, by the order).
        Before: it was not to bill here while the order was cancelled."""
        order, milestone = self.sold_milestone()
        self.cancel(order)
        self.assertEqual(self.item_of(milestone).state, "to_bill")
        order.action_draft()
        order.action_confirm()
        self.assertFalse(self.item_of(milestone), "the order's again")
        self.assertEqual(milestone.sale_line_id.qty_to_invoice, 1.0)

    def test_order_confirmed_again_after_its_fee_was_invoiced_here_is_refused(self):
        """The fee of a cancelled order's milestone is invoiced here: confirming
        the order again is refused (it would bill the fee a second time), naming
        the milestone and the invoice. Once that invoice is cancelled, the order
        is confirmed and bills the fee alone.
        Before: the fee was billed by no one while the order was cancelled;
        billed here without this refusal, the order confirmed again proposed it
        a second time (to invoice: 1)."""
        order, milestone = self.sold_milestone()
        self.cancel(order)
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.amount_untaxed, 5000)
        self.assertEqual(self.item_of(milestone).invoice_id, invoice)
        order.action_draft()
        with self.assertRaises(UserError) as refused:
            order.action_confirm()
        message = str(refused.exception)
        self.assertIn(order.name, message)
        self.assertIn("Go-live", message)
        self.assertIn(invoice.display_name, message)
        self.assertEqual(order.state, "draft")
        invoice.button_cancel()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertFalse(self.item_of(milestone), "the order's again")
        self.assertEqual(milestone.sale_line_id.qty_to_invoice, 1.0)

    # ------------------------------------------------------------------
    # a fee taken off the order line that invoiced it

    def test_fee_taken_off_its_order_is_billed_here_once_the_order_credits_it(self):
        """A fee its order invoiced, then taken off the order line: not billed
        here (the order's invoice bills it). Once that invoice is credited in
        full, the fee is billed by no invoice: it is billed here.
        Before: "Invoiced on Its Order" stayed set and kept it off for good."""
        order, milestone = self.sold_milestone()
        invoice = order._create_invoices()
        invoice.action_post()
        milestone.sale_line_id = False
        self.assertTrue(milestone.invoicera_order_invoiced)
        self.assertFalse(self.item_of(milestone), "billed by the order's invoice")
        self.reversal(invoice, "2026-04-02").refund_moves()
        self.assertFalse(milestone.invoicera_order_invoiced)
        self.assertRecordValues(
            self.item_of(milestone), [{"state": "to_bill", "price_unit": 5000, "active": True}]
        )

    def test_fee_taken_off_its_order_is_billed_here_once_the_draft_is_deleted(self):
        """The order's invoice of the fee is a draft when the milestone is taken
        off its line (the order counts it invoiced): the draft deleted, the fee
        is billed here.
        Before: it was billed by no one."""
        order, milestone = self.sold_milestone()
        draft = order._create_invoices()
        milestone.sale_line_id = False
        self.assertFalse(self.item_of(milestone), "on the order's draft invoice")
        draft.unlink()
        self.assertRecordValues(
            self.item_of(milestone), [{"state": "to_bill", "price_unit": 5000, "active": True}]
        )

    def test_fee_taken_off_its_order_is_billed_here_once_the_invoice_is_cancelled(self):
        """The order's posted invoice of a fee taken off its line is reset to draft
        and cancelled: the fee is billed here.
        Before: it was billed by no one."""
        order, milestone = self.sold_milestone()
        invoice = order._create_invoices()
        invoice.action_post()
        milestone.sale_line_id = False
        self.assertFalse(self.item_of(milestone), "billed by the order's invoice")
        invoice.button_draft()
        self.assertFalse(self.item_of(milestone), "a draft: the order still counts it invoiced")
        invoice.button_cancel()
        # the request ends: Odoo computes what the order line invoiced, and the
        # fee follows (Unbilled Work shows it on the next page)
        self.env.flush_all()
        self.assertRecordValues(
            self.item_of(milestone), [{"state": "to_bill", "price_unit": 5000, "active": True}]
        )

    def test_fee_taken_off_a_line_whose_order_credits_its_share_is_billed_here(self):
        """Both milestones of a line are invoiced by the order; one is taken off
        the line, and the order proposes to credit its share (delivered 0.5,
        invoiced 1): once credited, that fee is billed here; the other one, still
        on the line, stays the order's.
        Before: the fee taken off stayed "Invoiced on Its Order", billed by no one."""
        order, (design, golive) = self.sold_milestones("Design", "Go-live")
        line = design.sale_line_id
        order._create_invoices().action_post()
        design.sale_line_id = False
        self.assertTrue(design.invoicera_order_invoiced, "the order's invoice bills it")
        self.assertFalse(self.item_of(design))
        self.assertEqual(line.qty_to_invoice, -0.5, "the order proposes to credit its share")
        credit_note = order._create_invoices(final=True)
        self.assertEqual(credit_note.move_type, "out_refund")
        credit_note.action_post()
        self.assertEqual(line.qty_invoiced, 0.5)
        self.assertFalse(design.invoicera_order_invoiced)
        self.assertRecordValues(
            self.item_of(design), [{"state": "to_bill", "price_unit": 5000, "active": True}]
        )
        self.assertFalse(self.item_of(golive), "on the line: the order's, invoiced")
        self.assertEqual(self.invoice(self.client).amount_untaxed, 5000)

    def test_fee_taken_off_its_line_is_billed_here_once_the_line_delivers_another(self):
        """Design reached and invoiced by the order, then taken off the line: the
        order's invoice bills it. Go-live, still on the line, is then reached:
        the line delivers it, and its invoice now bills Go-live (nothing more to
        invoice), not Design: Design is billed here.
        Before: Design stayed "Invoiced on Its Order", billed by no one."""
        order, project = self.order_making_a_project()
        design, golive = self.Milestone.create(
            [
                {"name": name, "project_id": project.id, "invoicera_amount": 5000}
                for name in ("Design", "Go-live")
            ]
        )
        line = self.add_phases(order)
        with freeze_time("2026-03-20"):
            design.is_reached = True
            design.flush_recordset()
        order._create_invoices().action_post()
        design.sale_line_id = False
        self.assertTrue(design.invoicera_order_invoiced)
        self.assertFalse(self.item_of(design), "billed by the order's invoice")
        with freeze_time("2026-03-25"):
            golive.is_reached = True
            golive.flush_recordset()
        self.assertEqual(
            (line.qty_delivered, line.qty_invoiced, line.qty_to_invoice), (0.5, 0.5, 0)
        )
        self.assertFalse(design.invoicera_order_invoiced)
        self.assertRecordValues(
            self.item_of(design), [{"state": "to_bill", "price_unit": 5000, "active": True}]
        )
        self.assertFalse(self.item_of(golive), "on the line: the order's, invoiced")

    def test_credit_note_of_a_fee_invoiced_here_since_cannot_be_cancelled(self):
        """A fee taken off its order line, its order's invoice credited in full:
        billed here, and invoiced. The credit note cancelled, the order's
        invoice would bill the fee again: refused, naming the credit note, the
        milestone and the invoice (before: cancelled, the fee billed twice).
        Reset to draft, the credit note still credits it: allowed."""
        order, milestone = self.sold_milestone()
        invoice = order._create_invoices()
        invoice.action_post()
        milestone.sale_line_id = False
        self.reversal(invoice, "2026-04-02").refund_moves()
        refund = invoice.reversal_move_ids
        refund.action_post()
        ours = self.invoice(self.client, post=True)
        self.assertEqual(self.item_of(milestone).state, "invoiced")
        refund.button_draft()
        with self.assertRaisesRegex(UserError, "cannot be cancelled or deleted") as caught:
            refund.button_cancel()
        self.assertIn("Go-live", str(caught.exception))
        self.assertIn(ours.name, str(caught.exception))
        with self.assertRaisesRegex(UserError, "cannot be cancelled or deleted"):
            refund.unlink()
        self.assertEqual(milestone.sale_line_id, self.env["sale.order.line"])
        self.assertFalse(milestone.invoicera_order_invoiced)
        # its fee invoiced here credited in full: the order's credit note may go
        self.reversal(ours, "2026-04-05").refund_moves()
        ours.reversal_move_ids.action_post()
        self.assertEqual(self.item_of(milestone).state, "to_bill")
        refund.button_cancel()
        self.assertEqual(refund.state, "cancel")
        # the order's invoice bills it again: not billed here too
        self.env.flush_all()
        self.assertTrue(milestone.invoicera_order_invoiced)
        self.assertFalse(self.item_of(milestone).filtered("active"))
