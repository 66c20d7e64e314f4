from odoo.tests import tagged

from . import test_time_items
from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestTimeWrittenOffOrders(InvoiceraTimesheetCase):
    """Time written off here (never to bill) stays off the sale order its task or
    project is sold on since, as a written-off milestone's fee does: the order
    takes the unbilled time, and would bill the written-off hours."""

    sold_hours = test_time_items.TestTimeItems.sold_hours

    def test_written_off_time_stays_off_the_order_line_of_its_task(self):
        written_off = self.log_time(self.alice, 3, task=self.task, name="Onboarding")
        to_bill = self.log_time(self.bob, 2, task=self.task, name="Mock-ups")
        self.item_of(written_off).action_write_off("Onboarding, on us")
        order_line = self.sold_hours()
        self.task.sale_line_id = order_line
        self.assertEqual(to_bill.so_line, order_line, "the order bills the unbilled time")
        self.assertFalse(self.item_of(to_bill), "billed by the order, not twice")
        self.assertFalse(written_off.so_line, "written off here: not on the order")
        self.assertEqual(order_line.qty_delivered, 2, "the order bills 2 hours, not 5")
        self.assertRecordValues(
            self.item_of(written_off), [{"state": "written_off", "active": True}]
        )

    def test_written_down_time_stays_off_the_order_line_of_its_task(self):
        """Hours written down here (3 h billed as 2): the order would bill the 3."""
        written_down = self.log_time(self.alice, 3, task=self.task, name="Onboarding")
        to_bill = self.log_time(self.bob, 2, task=self.task, name="Mock-ups")
        self.item_of(written_down).write({"quantity": 2, "adjustment_reason": "1 h on us"})
        order_line = self.sold_hours()
        self.task.sale_line_id = order_line
        self.assertEqual(to_bill.so_line, order_line, "the order bills the unbilled time")
        self.assertFalse(written_down.so_line, "written down here: not on the order")
        self.assertEqual(order_line.qty_delivered, 2, "the order bills 2 hours, not 5")
        self.assertRecordValues(
            self.item_of(written_down), [{"quantity": 2.0, "state": "to_bill", "active": True}]
        )

    def test_time_at_a_rate_set_here_stays_off_the_order_line_of_its_employee(self):
        priced = self.log_time(self.alice, 3, name="Onboarding")
        self.item_of(priced).write({"price_unit": 60, "adjustment_reason": "Junior rate"})
        order_line = self.sold_hours()
        self.env["project.sale.line.employee.map"].create(
            {
                "project_id": self.project.id,
                "employee_id": self.alice.id,
                "sale_line_id": order_line.id,
            }
        )
        self.assertFalse(priced.so_line, "its rate set here: not on the order")
        self.assertEqual(self.item_of(priced).price_unit, 60.0)

    def test_written_off_time_stays_off_the_order_line_of_its_project(self):
        written_off = self.log_time(self.alice, 3, name="Onboarding")
        to_bill = self.log_time(self.bob, 2, name="Mock-ups")
        self.item_of(written_off).action_write_off("Onboarding, on us")
        order_line = self.sold_hours()
        self.project.sale_line_id = order_line
        self.assertEqual(to_bill.so_line, order_line, "the order bills the unbilled time")
        self.assertFalse(written_off.so_line, "written off here: not on the order")
        self.assertEqual(order_line.qty_delivered, 2, "the order bills 2 hours, not 5")
        self.assertEqual(self.item_of(written_off).state, "written_off")

    def test_written_off_time_stays_off_the_order_line_of_its_employee(self):
        written_off = self.log_time(self.alice, 3, name="Onboarding")
        to_bill = self.log_time(self.alice, 2, name="Mock-ups")
        self.item_of(written_off).action_write_off("Onboarding, on us")
        order_line = self.sold_hours()
        # Sales Order Items per employee (the project's employee mapping)
        self.env["project.sale.line.employee.map"].create(
            {
                "project_id": self.project.id,
                "employee_id": self.alice.id,
                "sale_line_id": order_line.id,
            }
        )
        self.assertEqual(to_bill.so_line, order_line, "the order bills the unbilled time")
        self.assertFalse(written_off.so_line, "written off here: not on the order")
        self.assertEqual(order_line.qty_delivered, 2, "the order bills 2 hours, not 5")
