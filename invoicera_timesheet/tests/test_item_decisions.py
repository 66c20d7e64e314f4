from datetime import date
from unittest.mock import patch

import lxml.etree
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.base.controllers.rpc import dumps

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestItemDecisions(InvoiceraTimesheetCase):
    """What billing staff decide on an item is what the engine does with it."""

    def test_deferred_work_is_not_invoiced_before_its_date_through_the_api(self):
        """Deferred to May, the work is left out of March's run; invoiced
        directly (the integrators' ``_invoice``), it is refused by name, not
        billed in March."""
        item = self.item_of(self.log_time(self.alice, 2, name="Sprint review"))
        item.action_defer(date(2026, 5, 1))
        with self.assertRaisesRegex(
            UserError, r"deferred to after the invoice date:\n- .*Sprint review"
        ):
            item._invoice(self.company, date(2026, 3, 31))
        self.assertEqual(item.state, "deferred")
        self.assertEqual(item._invoice(self.company, date(2026, 5, 1)).amount_untaxed, 180)

    def test_deferring_needs_a_date_to_come(self):
        item = self.item_of(self.log_time(self.alice, 2)).with_user(self.billing_user)
        for until in ("2020-01-01", date(2026, 3, 31)):
            with self.assertRaises(UserError) as refused:
                item.action_defer(until)
            self.assertIn(
                f"{until:%m/%d/%Y}" if isinstance(until, date) else "01/01/2020",
                str(refused.exception),
                "the message names the date refused",
            )
        self.assertEqual((item.state, item.deferred_until), ("to_bill", False))
        Wizard = (
            self.env["invoicera.item.decision.wizard"]
            .with_user(self.billing_user)
            .with_context(active_ids=item.ids)
        )
        with self.assertRaisesRegex(ValidationError, "01/01/2020"):
            Wizard.create({"decision": "defer", "deferred_until": "2020-01-01"})
        wizard = Wizard.create({"decision": "defer", "deferred_until": date(2026, 4, 1)})
        # its date picker offers no day before today
        arch = lxml.etree.fromstring(
            self.env.ref("invoicera_billing.invoicera_item_decision_wizard_view_form").arch
        )
        picker = arch.find(".//field[@name='deferred_until']")
        self.assertIn("'min_date': 'today'", picker.get("options", ""))
        wizard.action_apply()
        self.assertEqual((item.state, item.deferred_until), ("deferred", date(2026, 4, 1)))
        self.assertFalse(self.invoice(self.client), "deferred: not billed today")

    def test_a_decision_called_with_a_wrong_value_says_what_it_needs(self):
        """Called from outside (RPC), a defer without a date or a write-off without
        a reason in words is refused with a message, not a traceback."""
        item = self.item_of(self.log_time(self.alice, 2)).with_user(self.billing_user)
        for until in ("not a date", 5):
            with self.assertRaisesRegex(UserError, f"{until} is not a date"):
                item.action_defer(until)
        for reason in (5, "  ", None):
            with self.assertRaisesRegex(UserError, "Give the reason"):
                item.action_write_off(reason)
        self.assertEqual(item.state, "to_bill")

    def test_a_decision_clears_what_the_previous_one_left(self):
        item = self.item_of(self.log_time(self.alice, 2)).with_user(self.billing_user)
        item.action_write_off("Goodwill: onboarding took longer than planned")
        item.action_defer(date(2026, 4, 1))
        self.assertEqual(
            (item.state, item.deferred_until, item.write_off_reason),
            ("deferred", date(2026, 4, 1), False),
        )
        item.action_exclude()
        self.assertEqual(
            (item.state, item.deferred_until, item.write_off_reason), ("excluded", False, False)
        )
        item.action_defer(date(2026, 4, 1))
        item.action_write_off("Warranty")
        self.assertEqual(
            (item.state, item.deferred_until, item.write_off_reason),
            ("written_off", False, "Warranty"),
        )
        item.action_exclude()
        self.assertEqual((item.state, item.write_off_reason), ("excluded", False))
        # The Realization report shows no write-off reason for invoiced work.
        item.action_write_off("Goodwill: onboarding took longer than planned")
        item.action_defer(date(2026, 4, 1))
        self.invoice(self.client, invoice_date=date(2026, 4, 2))
        self.assertEqual(item.state, "invoiced")
        rows = self.env["invoicera.realization.report"].search(
            [("partner_id", "=", self.client.id)]
        )
        self.assertEqual(rows.mapped("reason"), [False])

    def test_decisions_answer_an_external_api_call(self):
        # XML-RPC cannot send None back: the decision would be made (and
        # committed) while the integrator's call failed.
        item = self.item_of(self.log_time(self.alice, 2))
        for decide in (
            lambda: item.action_exclude(),
            lambda: item.action_defer(date(2099, 1, 1)),
            lambda: item.action_write_off("Goodwill"),
            lambda: item.action_include(),
            lambda: item.action_ask_client_again(),
        ):
            self.assertIn("<boolean>1</boolean>", dumps((decide(),)))
        self.assertEqual(item.state, "to_bill")

    def test_items_are_not_deleted_by_hand(self):
        manager = new_test_user(
            self.env,
            login="billing_boss",
            groups="base.group_user,invoicera_billing.group_billing_manager",
        )
        line = self.log_time(self.alice, 2)
        item = self.item_of(line)
        with self.assertRaisesRegex(UserError, "exclude or write off"):
            item.with_user(manager).unlink()
        with self.assertRaisesRegex(UserError, "exclude or write off"):
            item.with_context(invoicera_sync=True, invoicera_engine=True).unlink()
        self.assertTrue(item.exists())
        self.assertEqual(self.invoice(self.client).invoice_line_ids.quantity, 2, "still billed")
        # The item goes with its source, through the engine.
        other = self.log_time(self.bob, 1)
        other_item = self.item_of(other)
        other.unlink()
        self.assertFalse(other_item.exists())
        for xmlid in (
            "invoicera_billing.invoicera_billable_item_view_list",
            "invoicera_billing.invoicera_billable_item_view_form",
        ):
            arch = lxml.etree.fromstring(self.env.ref(xmlid).arch)
            self.assertEqual(arch.get("delete"), "0", xmlid)

    def test_a_date_edited_by_hand_is_kept(self):
        self.project.invoicera_client_approval = True
        line = self.log_time(self.alice, 2, day="2026-03-10")
        item = self.item_of(line)
        item.with_user(self.billing_user).write({"date": date(2026, 3, 16)})
        item._client_decide("approved", self.client)
        line.date = date(2026, 3, 12)
        self.assertEqual((item.date, item.client_approval), (date(2026, 3, 16), "approved"))
        self.assertTrue(item.date_manual)
        # a date not edited follows its source
        other = self.log_time(self.bob, 1, day="2026-03-10")
        other.date = date(2026, 3, 12)
        self.assertEqual(self.item_of(other).date, date(2026, 3, 12))

    def test_a_client_approval_outlives_a_sync_that_changes_nothing(self):
        """20 minutes are 0.3333 h at the source, 0.33 h on the item: a rate added
        for someone else re-syncs the project's items, which is no change to this
        one; the client's approval stays (before: back to awaiting the client)."""
        self.project.invoicera_client_approval = True
        item = self.item_of(self.log_time(self.alice, 1 / 3))
        item._client_decide("approved", self.client)
        self.env["invoicera.billing.rate"].create(
            {"project_id": self.project.id, "employee_id": self.bob.id, "price_unit": 70}
        )
        self.assertEqual(item.client_approval, "approved")
        self.assertEqual(item.quantity, 0.33)

    def test_an_audit_writes_only_the_items_it_changes(self):
        nameless = self.item_of(self.log_time(self.alice, 1, name="/"))
        fine = self.item_of(self.log_time(self.alice, 2, name="Checkout page"))
        items = nameless | fine
        self.assertEqual(self.Item._audit(items), nameless)
        self.env.flush_all()
        Item = type(self.Item)
        original = Item.write
        written = []

        def spy(records, vals):
            written.append((set(records.ids), dict(vals)))
            return original(records, vals)

        with patch.object(Item, "write", spy):
            self.assertEqual(self.Item._audit(items), nameless)
            self.assertEqual(written, [], "nothing new: no item written, none locked")
            # an edit audits its item at once: its flag is right after it
            fine.write({"name": "/"})
            nameless.write({"name": "Login page"})
            self.assertEqual((fine.audit_flagged, nameless.audit_flagged), (True, False))
            written.clear()
            self.assertEqual(self.Item._audit(items), fine)
        self.assertEqual(written, [], "flags already right: no item written, none locked")
        self.assertRecordValues(
            items,
            [
                {"audit_flagged": False, "audit_warning": False},
                {"audit_flagged": True, "audit_warning": "No description of the work."},
            ],
        )

    def test_invoicing_drops_a_write_off_reason_left_on_work_to_bill(self):
        """Items deferred or excluded after a write-off by an earlier version kept
        its reason: invoiced, they are not shown written off for it."""
        item = self.item_of(self.log_time(self.alice, 2))
        self.env.cr.execute(
            "UPDATE invoicera_billable_item SET write_off_reason = 'Goodwill' WHERE id = %s",
            [item.id],
        )
        item.invalidate_recordset(["write_off_reason"])
        self.invoice(self.client)
        self.assertEqual((item.state, item.write_off_reason), ("invoiced", False))
