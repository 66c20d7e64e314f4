from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestTimeItems(InvoiceraTimesheetCase):
    """Timesheet lines become billable items: rates, rounding, what is billable."""

    def test_time_on_billable_project_becomes_an_item(self):
        line = self.log_time(self.alice, 2.5, name="Homepage mock-up")
        item = self.item_of(line)
        self.assertRecordValues(
            item,
            [
                {
                    "source": "time",
                    "partner_id": self.client.id,
                    "project_id": self.project.id,
                    "employee_id": self.alice.id,
                    "name": "Homepage mock-up",
                    "worked_quantity": 2.5,
                    "quantity": 2.5,
                    "price_unit": 90.0,
                    "amount": 225.0,
                    "state": "to_bill",
                    "product_id": self.service.id,
                }
            ],
        )

    def test_time_of_a_sale_order_line_stays_with_odoo(self):
        """Time sold through a sale order is billed by Odoo's flow, never by ours."""
        order_line = self.sold_hours()
        line = self.log_time(self.alice, 3)
        self.assertTrue(self.item_of(line))
        line.so_line = order_line
        self.assertFalse(self.item_of(line), "time moved to a sale order leaves the engine")
        self.assertEqual(order_line.qty_delivered, 3)

    def test_task_sold_on_a_sale_order_line_takes_its_unbilled_time(self):
        """Odoo gives the task's timesheets the order line (computed, not written):
        the order bills that time, the engine no longer does."""
        order_line = self.sold_hours()
        line = self.log_time(self.alice, 3, task=self.task)
        self.assertTrue(self.item_of(line))
        self.task.sale_line_id = order_line
        self.assertEqual(line.so_line, order_line)
        self.assertFalse(self.item_of(line), "billed by the order, not twice")
        self.assertEqual(order_line.qty_delivered, 3)

    def test_parent_task_sold_on_an_order_line_takes_its_subtasks_time(self):
        order_line = self.sold_hours()
        subtask = self.env["project.task"].create(
            {"name": "Icons", "project_id": self.project.id, "parent_id": self.task.id}
        )
        line = self.log_time(self.alice, 2, task=subtask)
        self.assertTrue(self.item_of(line))
        self.task.sale_line_id = order_line
        self.assertEqual(line.so_line, order_line, "Odoo gives the subtask the line")
        self.assertFalse(self.item_of(line), "billed by the order, not twice")

    def test_milestone_sold_on_an_order_line_takes_its_tasks_time(self):
        order_line = self.sold_hours()
        milestone = self.env["project.milestone"].create(
            {"name": "Beta", "project_id": self.project.id}
        )
        self.task.milestone_id = milestone
        line = self.log_time(self.alice, 2, task=self.task)
        self.assertTrue(self.item_of(line))
        milestone.sale_line_id = order_line
        self.assertEqual(line.so_line, order_line, "Odoo gives the milestone's task the line")
        self.assertFalse(self.item_of(line), "billed by the order, not twice")

    def test_task_moved_to_another_client_project_moves_its_time(self):
        other = self.env["res.partner"].create({"name": "Other Client", "is_company": True})
        project = self.env["project.project"].create(
            {"name": "Other", "partner_id": other.id, "allow_billable": True}
        )
        line = self.log_time(self.alice, 2, task=self.task)
        self.task.project_id = project
        self.assertEqual(line.project_id, project)
        self.assertEqual(self.item_of(line).project_id, project)
        # The task keeps its customer (Odoo's choice), so does its time.
        self.assertEqual(self.item_of(line).partner_id, self.task.partner_id)
        self.task.partner_id = other
        self.assertEqual(self.item_of(line).partner_id, other)

    def test_not_billable(self):
        internal = self.env["project.project"].create(
            {"name": "Internal", "allow_billable": False, "allow_timesheets": True}
        )
        line = self.log_time(self.alice, 4, project=internal)
        self.assertFalse(self.item_of(line))
        internal.write({"allow_billable": True, "partner_id": self.client.id})
        self.assertTrue(self.item_of(line), "making the project billable makes its time billable")

    def test_time_taken_off_its_project_is_not_billed(self):
        """Time whose project is cleared (an import, a script) is no timesheet any
        more: its item is taken off the bill, not invoiced to the old client."""
        line = self.log_time(self.alice, 2)
        item = self.item_of(line)
        self.assertTrue(item.active)
        line.project_id = False
        self.assertFalse(item.active)
        self.assertFalse(self.invoice(self.client))

    def test_rate_resolution_order(self):
        """Task/employee override, project employee rate, project rate, employee
        default, then the service's price in the client's pricelist."""
        line = self.log_time(self.alice, 1, task=self.task)
        item = self.item_of(line)
        self.assertEqual(item.price_unit, 90, "employee default")
        self.project.invoicera_hourly_rate = 120
        self.assertEqual(item.price_unit, 120, "project rate")
        self.env["invoicera.billing.rate"].create(
            {"project_id": self.project.id, "employee_id": self.alice.id, "price_unit": 130}
        )
        self.assertEqual(item.price_unit, 130, "employee rate on the project")
        self.env["invoicera.billing.rate"].create(
            {
                "project_id": self.project.id,
                "task_id": self.task.id,
                "employee_id": self.alice.id,
                "price_unit": 150,
            }
        )
        self.assertEqual(item.price_unit, 150, "employee rate on the task")
        # No rate anywhere: the service product's price in the client's pricelist,
        # on the day of the work (100 dollars at March's 0.5 euro per dollar)
        nobody = self.env["hr.employee"].create({"name": "Carl Temp"})
        eur_line = self.log_time(nobody, 2, project=self.project_eur)
        eur_item = self.item_of(eur_line)
        self.assertEqual(eur_item.currency_id, self.eur)
        self.assertAlmostEqual(
            eur_item.price_unit,
            self.eur_pricelist._get_product_price(
                self.service, 1.0, uom=self.hour, date=eur_line.date
            ),
        )
        self.assertAlmostEqual(eur_item.price_unit, 50.0)

    def test_duplicate_rate_is_refused(self):
        vals = {"project_id": self.project.id, "employee_id": self.bob.id, "price_unit": 70}
        self.env["invoicera.billing.rate"].create(vals)
        with self.assertRaisesRegex(ValidationError, "Bob Design already has a rate on"):
            self.env["invoicera.billing.rate"].create(dict(vals, price_unit=75))

    def test_rounding_and_minimum(self):
        self.project.write({"invoicera_rounding": 0.25, "invoicera_rounding_method": "up"})
        line = self.log_time(self.bob, 1.1)
        item = self.item_of(line)
        self.assertEqual((item.worked_quantity, item.quantity), (1.1, 1.25))
        self.project.invoicera_rounding_method = "down"
        self.assertEqual(item.quantity, 1.0)
        self.project.invoicera_rounding_method = "nearest"
        self.assertEqual(item.quantity, 1.0)
        self.project.invoicera_minimum_time = 2.0
        self.assertEqual(item.quantity, 2.0, "minimum per entry")

    def test_changes_follow_the_timesheet_unless_edited(self):
        line = self.log_time(self.alice, 2)
        item = self.item_of(line)
        line.unit_amount = 3
        self.assertEqual(item.quantity, 3)
        # A write-down on the item, with its reason, does not touch the timesheet...
        with self.assertRaisesRegex(ValidationError, "Give a reason"):
            item.quantity = 2
        item.write({"quantity": 2, "adjustment_reason": "Learning curve"})
        self.assertEqual(line.unit_amount, 3)
        self.assertEqual((item.worked_quantity, item.quantity), (3, 2))
        # ...and survives later changes of the timesheet.
        line.unit_amount = 4
        self.assertEqual((item.worked_quantity, item.quantity), (4, 2))
        self.assertEqual(item.standard_amount, 360, "value at standard rate keeps the worked time")

    def test_a_value_sent_again_is_no_edit(self):
        """The list sends a field edited then restored (3 h, 2 h, back to 3 h)
        with the description fixed, and an import sends every column: a value
        the item has is no edit (the save asked for a reason, and the item no
        longer followed its timesheet)."""
        line = self.log_time(self.alice, 3)
        item = self.item_of(line)
        item.write({"quantity": 3, "price_unit": 90, "name": "Typo fixed"})
        self.assertFalse(item.quantity_manual or item.price_manual)
        self.assertTrue(item.name_manual)
        line.unit_amount = 4
        self.assertEqual(item.quantity, 4, "it follows its timesheet")
        # one of two items changed: only that one is edited
        other = self.item_of(self.log_time(self.alice, 2))
        (item | other).write({"quantity": 4, "adjustment_reason": "Agreed"})
        self.assertEqual((item.quantity_manual, other.quantity_manual), (False, True))

    @freeze_time("2026-03-31")  # the work is recent: nothing else to flag
    def test_a_write_down_confirmed_as_it_is(self):
        """3 h written down to 2 h, then the time corrected to 4 h: the clerk
        sets 2 h again (an import, the API): the write-down is confirmed, no
        longer flagged (it was a value sent again, the flag left for good)."""
        line = self.log_time(self.alice, 3)
        item = self.item_of(line)
        item.write({"quantity": 2, "adjustment_reason": "Learning curve"})
        line.unit_amount = 4
        self.assertTrue(item.quantity_outdated and item.audit_flagged)
        item.write({"quantity": 2})
        self.assertFalse(item.quantity_outdated or item.audit_flagged)
        self.assertEqual(item.quantity, 2)

    def test_a_blank_reason_is_no_reason(self):
        item = self.item_of(self.log_time(self.alice, 3))
        with self.assertRaisesRegex(ValidationError, "Give a reason"):
            item.write({"quantity": 1, "adjustment_reason": "   "})

    @freeze_time("2026-03-31")  # the work is recent: nothing else to flag
    def test_a_write_down_decided_on_other_work_is_flagged(self):
        """A write-down of 3 h to 2 h, then the time corrected to 1 h: billing 2 h
        for 1 h worked was never decided. The audit flags it, naming both,
        until its billable quantity is set again."""
        line = self.log_time(self.alice, 3)
        item = self.item_of(line)
        item.write({"quantity": 2, "adjustment_reason": "Learning curve"})
        self.assertFalse(self.Item._audit(item), item.audit_warning)
        line.unit_amount = 1
        self.assertEqual((item.worked_quantity, item.quantity), (1, 2), "still the write-down")
        self.assertEqual(self.Item._audit(item), item)
        self.assertIn(
            "Its work changed after its billable quantity was set by hand: 1.00 Hours worked,"
            " 2.00 Hours billed.",
            item.audit_warning,
        )
        line.name = "Support call, documented"  # the same work: still flagged
        self.assertTrue(item.quantity_outdated)
        item.quantity = 1
        self.assertFalse(self.Item._audit(item))
        self.assertFalse(item.audit_warning)

    def test_deleting_time_drops_its_item(self):
        line = self.log_time(self.alice, 1)
        item = self.item_of(line)
        line.unlink()
        self.assertFalse(item.exists())

    @freeze_time("2026-03-31")  # deferred to a date to come
    def test_decisions(self):
        items = self.item_of(self.log_time(self.alice, 1)) | self.item_of(
            self.log_time(self.bob, 1)
        )
        items.action_exclude()
        self.assertEqual(set(items.mapped("state")), {"excluded"})
        with self.assertRaisesRegex(UserError, "reason"):
            items.action_write_off("  ")
        items[0].action_write_off("Goodwill")
        items[1].action_defer("2026-05-01")
        self.assertEqual((items[0].state, items[0].write_off_reason), ("written_off", "Goodwill"))
        self.assertEqual((items[1].state, items[1].deferred_until), ("deferred", date(2026, 5, 1)))
        items.action_include()
        self.assertEqual(set(items.mapped("state")), {"to_bill"})

    def test_items_are_made_by_the_engine_only(self):
        """Before: a billing manager created, over RPC, a second item for time
        that had one, approved by the client who never saw it (the time annex
        printed that approval), and it was billed twice. Items are the
        engine's: creating one is refused, to billing managers and to code
        that does not go through the engine alike."""
        line = self.log_time(self.alice, 2)
        item = self.item_of(line)
        manager = new_test_user(
            self.env,
            login="items_by_hand",
            groups="base.group_user,invoicera_billing.group_billing_manager",
        )
        vals = {
            "source": "time",
            "source_model": line._name,
            "source_id": line.id,
            "partner_id": self.client.id,
            "project_id": self.project.id,
            "name": "Twice",
            "quantity": 2,
            "price_unit": 90,
            "currency_id": item.currency_id.id,
            "product_id": self.service.id,
            "uom_id": item.uom_id.id,
            "client_approval": "approved",
            "client_decided_by_id": self.client.id,
        }
        Item = self.env["invoicera.billable.item"]
        self.assertFalse(Item.with_user(manager).has_access("create"))
        for who in (Item.with_user(manager), Item.sudo()):
            with self.assertRaisesRegex(UserError, "made by the billing engine"):
                who.create(vals)
        self.assertEqual(Item.search_count([("source_id", "=", line.id)]), 1)
        self.assertEqual(self.invoice(self.client).amount_untaxed, 180)

    @freeze_time("2026-03-31")  # the work is recent: nothing else to flag
    def test_edits_undone_follow_the_work_again(self):
        """A write-down and a rate set by hand, undone: the item bills its work
        as it stands (hours changed since included), without a reason."""
        line = self.log_time(self.alice, 3)
        item = self.item_of(line)
        item.write({"quantity": 2, "price_unit": 50, "adjustment_reason": "Learning curve"})
        line.unit_amount = 4
        self.assertEqual((item.quantity, item.price_unit), (2, 50))
        item.with_user(self.billing_user).action_undo_edits()
        self.assertRecordValues(
            item,
            [
                {
                    "quantity": 4,
                    "price_unit": 90,
                    "quantity_manual": False,
                    "price_manual": False,
                    "adjustment_reason": False,
                    "audit_flagged": False,
                }
            ],
        )
        line.unit_amount = 5
        self.assertEqual(item.quantity, 5)
