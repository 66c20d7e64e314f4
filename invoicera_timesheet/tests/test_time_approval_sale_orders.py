from datetime import date

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestTimeApprovalSaleOrders(InvoiceraTimesheetCase):
    """On a project that approves time, only approved time is billable, through
    Odoo's sale flow too: time on an order line delivered by timesheets is
    delivered once approved, and Odoo's "Create Invoices" bills only that.
    Before, time never submitted was delivered and invoiced by the order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="pm_website", groups="base.group_user,project.group_project_manager"
        )
        cls.project.write({"user_id": cls.manager.id, "invoicera_time_approval": True})

    def sold_time(self, order_line, hours, name="Support call"):
        line = self.log_time(self.alice, hours, task=self.task, name=name)
        line.so_line = order_line
        self.assertFalse(self.item_of(line), "the order's time")
        return line

    def approve(self, line):
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        self.assertEqual(line.invoicera_approval_state, "approved")

    def invoiced_before_approval(self):
        """``(order line, time, invoice)``: 3 h on an order line, invoiced and
        posted while the project approved no time; then it does."""
        self.project.invoicera_time_approval = False
        order_line = self.sold_hours()
        time = self.sold_time(order_line, 3)
        invoice = order_line.order_id._create_invoices()
        invoice.action_post()
        self.project.invoicera_time_approval = True
        return order_line, time, invoice

    def test_only_approved_time_is_delivered_and_invoiced_by_the_order(self):
        order_line = self.sold_hours()
        order = order_line.order_id
        approved = self.sold_time(order_line, 3, name="Checkout page")
        waiting = self.sold_time(order_line, 2, name="Cart")
        self.assertEqual(order_line.qty_delivered, 0, "nothing approved: nothing delivered")
        with self.assertRaises(UserError, msg="nothing to invoice"):
            order._create_invoices()
        self.approve(approved)
        self.assertEqual(order_line.qty_delivered, 3, "approving delivers it")
        waiting.action_invoicera_submit()
        self.assertEqual(order_line.qty_delivered, 3, "submitted: not delivered yet")
        invoice = order._create_invoices()
        self.assertEqual(invoice.invoice_line_ids.quantity, 3)
        self.assertEqual(approved.timesheet_invoice_id, invoice)
        self.assertFalse(waiting.timesheet_invoice_id, "not approved: not invoiced")
        self.assertEqual(order_line.qty_to_invoice, 0)
        waiting.with_user(self.manager).action_invoicera_approve()
        self.assertEqual(order_line.qty_delivered, 5)
        self.assertEqual(order_line.qty_to_invoice, 2)
        second = order._create_invoices()
        self.assertEqual(second.invoice_line_ids.quantity, 2)
        self.assertEqual(waiting.timesheet_invoice_id, second)
        self.assertEqual(approved.timesheet_invoice_id, invoice, "invoiced once")
        self.assertFalse(self.item_of(approved | waiting), "never billed here too")

    def test_time_invoiced_before_approval_stays_delivered(self):
        """Approval switched on once the order invoiced some time: that time stays
        delivered (invoiced, the order does not credit it back); the time
        logged since is delivered once approved."""
        order_line, invoiced, invoice = self.invoiced_before_approval()
        order = order_line.order_id
        self.assertEqual(invoiced.timesheet_invoice_id, invoice)
        self.assertEqual(order_line.qty_delivered, 3)
        self.assertEqual(order_line.qty_to_invoice, 0, "no credit note proposed")
        later = self.sold_time(order_line, 2, name="Follow-up")
        self.assertEqual(order_line.qty_delivered, 3, "not approved: not delivered")
        self.assertEqual(order_line.qty_to_invoice, 0)
        self.approve(later)
        self.assertEqual(order_line.qty_delivered, 5)
        second = order._create_invoices()
        self.assertEqual(second.invoice_line_ids.quantity, 2)
        self.assertEqual(later.timesheet_invoice_id, second)
        # approval switched off: the time awaiting approval is delivered at once
        pending = self.sold_time(order_line, 1, name="Call")
        self.assertEqual(order_line.qty_delivered, 5)
        self.project.invoicera_time_approval = False
        self.assertEqual(order_line.qty_delivered, 6)
        self.assertEqual(pending.invoicera_approval_state, "draft")

    def test_time_credited_after_approval_switched_on_waits_for_approval(self):
        """Time invoiced by the order before its project approved time, then
        credited in full: neither invoiced nor approved, it is no longer
        delivered, and the order has nothing to invoice until it is approved
        (it proposed the hours again, invoiced without their time)."""
        order_line, time, invoice = self.invoiced_before_approval()
        order = order_line.order_id
        self.assertEqual(order_line.qty_delivered, 3, "invoiced: still delivered")
        self.reversal(invoice, date(2026, 4, 2)).refund_moves()
        invoice.reversal_move_ids.action_post()
        self.assertEqual(invoice.payment_state, "reversed")
        self.assertEqual((order_line.qty_delivered, order_line.qty_to_invoice), (0, 0))
        with self.assertRaises(UserError, msg="nothing to invoice"):
            order._create_invoices()
        self.approve(time)
        self.assertEqual(order_line.qty_to_invoice, 3)
        self.assertEqual(order._create_invoices().timesheet_ids, time)
