from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestTimeDeletedOrderLine(InvoiceraTimesheetCase):
    """Time of a sale order line that is deleted goes back to the engine."""

    def time_on_an_order_line(self):
        """An order line selling hours; 3 h of time on it (the order's to bill)."""
        order_line = self.sold_hours()
        line = self.log_time(self.alice, 3, task=self.task, name="Support call")
        line.so_line = order_line
        self.assertFalse(self.item_of(line), "the order's time")
        return order_line, line

    def test_time_of_a_deleted_order_line_is_billed_here(self):
        """The order is cancelled, set back to quotation and its line deleted: the
        database clears the time's order line (no write). The time of the billable
        project is no longer the order's to bill: it is billed here, not never."""
        order_line, line = self.time_on_an_order_line()
        order = order_line.order_id
        order._action_cancel()
        order.action_draft()
        order_line.unlink()
        self.assertFalse(line.so_line)
        item = self.item_of(line)
        self.assertRecordValues(
            item,
            [
                {
                    "partner_id": self.client.id,
                    "quantity": 3.0,
                    "price_unit": 90.0,
                    "state": "to_bill",
                }
            ],
        )

    def test_time_of_a_deleted_order_is_billed_here(self):
        """The whole order is cancelled and deleted: the database deletes its lines
        (no unlink of theirs), and its time is billed here all the same."""
        order_line, line = self.time_on_an_order_line()
        order = order_line.order_id
        order._action_cancel()
        order.unlink()
        self.assertFalse(line.so_line)
        self.assertRecordValues(
            self.item_of(line), [{"quantity": 3.0, "price_unit": 90.0, "state": "to_bill"}]
        )

    def test_time_the_order_invoiced_is_not_billed_again_once_the_order_is_gone(self):
        """Time invoiced by its order (Odoo's invoice kept, posted), the order
        then cancelled and deleted: before, the next change of its task billed
        it here too. Its invoice cancelled, Odoo counts it unbilled, and so is
        it here."""
        order_line, line = self.time_on_an_order_line()
        order = order_line.order_id
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(line.timesheet_invoice_id, invoice)
        order._action_cancel()
        order.unlink()
        self.task.name = "Support (renamed)"  # re-syncs the task's time
        self.assertFalse(self.item_of(line), "billed by Odoo's invoice already")
        invoice.button_draft()
        invoice.button_cancel()
        self.task.name = "Support"
        self.assertRecordValues(
            self.item_of(line), [{"quantity": 3.0, "price_unit": 90.0, "state": "to_bill"}]
        )
