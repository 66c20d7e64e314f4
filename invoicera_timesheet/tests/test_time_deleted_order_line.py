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

    def prepaid_hours(self):
        """A prepaid pack of 10 hours sold for the task and invoiced; 3 h of
        time on it: (order line, time, invoice)."""
        order_line = self.sold_hours(name="Support pack", invoice_policy="order")
        self.assertEqual(order_line.product_id.service_policy, "ordered_prepaid")
        order = order_line.order_id
        self.task.sale_line_id = order_line
        line = self.log_time(self.alice, 3, task=self.task, name="Support call")
        self.assertEqual(line.so_line, order_line)
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertFalse(line.timesheet_invoice_id, "Odoo links prepaid time to no invoice")
        self.assertFalse(self.item_of(line), "the order's time")
        return order_line, line, invoice

    def test_time_of_a_prepaid_pack_stays_paid_once_its_order_is_gone(self):
        """The pack invoiced (the client paid its 10 h), its order then cancelled
        and deleted: the time it paid for is not billed again by the hour."""
        order_line, line, invoice = self.prepaid_hours()
        order = order_line.order_id
        order._action_cancel()
        order.unlink()
        self.task.name = "Support (renamed)"  # re-syncs the task's time
        self.assertFalse(self.item_of(line), "paid by the pack's invoice")
        self.assertEqual(line.timesheet_invoice_id, invoice)
        self.project.invoicera_hourly_rate = 120  # re-syncs the project's time
        self.assertFalse(self.item_of(line), "paid by the pack's invoice")

    def test_time_of_a_prepaid_pack_stays_on_it_when_its_task_leaves_it(self):
        """The pack used up, the task is taken off it to bill its next hours by
        the hour: the time the pack paid for stays on it, not billed here."""
        order_line, line, _invoice = self.prepaid_hours()
        self.task.sale_line_id = False
        self.assertEqual(line.so_line, order_line, "paid by the pack's invoice")
        self.assertFalse(self.item_of(line))
        later = self.log_time(self.alice, 2, day="2026-03-20", task=self.task)
        self.assertFalse(later.so_line)
        self.assertRecordValues(self.item_of(later), [{"quantity": 2.0, "state": "to_bill"}])

    def test_time_of_a_cancelled_order_s_cancelled_invoice_is_billed_here(self):
        """The order invoiced in a draft, then cancelled (Odoo cancels the draft
        and takes the project off the order line): its time is no order's and
        no invoice's any more; billed here, at the project's rate."""
        order_line = self.sold_hours()
        self.project.sale_line_id = order_line
        line = self.log_time(self.alice, 3)
        self.assertEqual(line.so_line, order_line)
        invoice = order_line.order_id._create_invoices()
        self.assertEqual(line.timesheet_invoice_id, invoice)
        later = self.log_time(self.bob, 1, day="2026-03-12")
        order_line.order_id._action_cancel()
        self.assertEqual(invoice.state, "cancel")
        self.assertFalse(line.so_line)
        self.assertTrue(self.item_of(later))
        self.assertRecordValues(self.item_of(line), [{"quantity": 3.0, "state": "to_bill"}])
        self.project.invoicera_hourly_rate = 120
        self.assertEqual(self.item_of(line).price_unit, 120.0, "re-priced with the project")

    def test_time_moved_to_another_client_s_task_leaves_the_prepaid_pack(self):
        """Time logged on the wrong task (another client's): it follows its task,
        as in Odoo; the pack paid for its client's time only."""
        order_line, line, _invoice = self.prepaid_hours()
        other_task = self.env["project.task"].create(
            {"name": "Rollout", "project_id": self.project_eur.id}
        )
        line.task_id = other_task
        self.assertFalse(line.so_line, "no longer the pack's client's work")
        self.assertFalse(order_line.analytic_line_ids)
        self.assertRecordValues(
            self.item_of(line), [{"partner_id": self.client_eur.id, "quantity": 3.0}]
        )

    def test_time_of_a_prepaid_pack_stays_on_it_when_its_employee_is_mapped(self):
        """Sales Order Items per employee added since (the project's employee
        mapping): the time the pack paid for stays on the pack."""
        order_line, line, _invoice = self.prepaid_hours()
        hourly = self.sold_hours()
        self.env["project.sale.line.employee.map"].create(
            {"project_id": self.project.id, "employee_id": self.alice.id, "sale_line_id": hourly.id}
        )
        self.assertEqual(line.so_line, order_line, "paid by the pack's invoice")
        self.assertEqual(hourly.qty_delivered, 0, "not billed again by the hour")

    def test_time_kept_on_a_pack_credited_since_is_billed_once_cleared(self):
        """Time kept on a pack (the order cancelled), the pack's invoice then
        credited in full: it stays on the pack (its invoice might be posted
        again); its Sales Order Item cleared on the timesheet, it is billed here."""
        order_line = self.sold_hours(name="Support pack", invoice_policy="order")
        self.project.sale_line_id = order_line
        line = self.log_time(self.alice, 3)
        invoice = order_line.order_id._create_invoices()
        invoice.action_post()
        order_line.order_id._action_cancel()
        invoice._reverse_moves([{"invoice_date": invoice.invoice_date}]).action_post()
        self.assertEqual(line.so_line, order_line)
        self.assertFalse(self.item_of(line))
        line.so_line = False
        self.assertRecordValues(self.item_of(line), [{"quantity": 3.0, "state": "to_bill"}])
