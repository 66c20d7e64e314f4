from unittest.mock import patch

import lxml.etree
from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.translate import code_translations

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestSourceAccess(CostSourcesCase):
    """Unbilled Work ▸ "Open the source": the record an item bills opens in its
    form for who may read it; who may not is told why, never shown it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a Billing User who also approves timesheets and expenses, works on
        # projects and in the warehouse
        cls.billing_all_apps = new_test_user(
            cls.env,
            login="billing_all_apps",
            groups="base.group_user,invoicera_billing.group_billing_user,"
            "hr_timesheet.group_hr_timesheet_approver,hr_expense.group_hr_expense_user,"
            "project.group_project_user,stock.group_stock_user",
        )

    def open_source(self, item, user):
        """What the user sees: the source's form, as the web client loads it."""
        action = item.with_user(user).action_open_source()
        self.assertEqual(action["type"], "ir.actions.act_window")
        self.assertEqual(action["view_mode"], "form")
        record = self.env[action["res_model"]].with_user(user).browse(action["res_id"])
        view_id = action["views"][0][0] if action.get("views") else None
        return action, Form(record, view=view_id)

    def assert_refused(self, item, user, message):
        with self.assertRaises(UserError) as caught:
            item.with_user(user).action_open_source()
        self.assertNotIsInstance(caught.exception, AccessError)
        self.assertRegex(str(caught.exception), message)
        self.assertIn("its details are on the item", str(caught.exception))

    # ------------------------------------------------------------------
    def test_time_entry_without_timesheets_rights(self):
        item = self.item_of(self.log_time(self.alice, 2))
        self.assert_refused(
            item, self.billing_user, r"You cannot open this time entry: it needs Timesheets access"
        )

    def test_time_entry_opens_for_timesheet_approvers(self):
        item = self.item_of(self.log_time(self.alice, 2, name="Wireframes"))
        action, form = self.open_source(item, self.billing_all_apps)
        self.assertEqual(action["res_model"], "account.analytic.line")
        self.assertEqual(form.unit_amount, 2)

    def test_time_entry_opens_in_the_timesheet_form(self):
        """The timesheet form of Timesheets ▸ All Timesheets (with the employee)."""
        item = self.item_of(self.log_time(self.alice, 2))
        action, form = self.open_source(item, self.billing_all_apps)
        self.assertEqual(
            action["views"], [(self.env.ref("hr_timesheet.timesheet_view_form_user").id, "form")]
        )
        self.assertEqual(form.employee_id, self.alice)
        self.assert_refused(
            item, self.billing_user, r"You cannot open this time entry: it needs Timesheets access"
        )

    def test_expense_without_expenses_rights(self):
        item = self.item_of(self.approved_expense(200))
        self.assert_refused(
            item, self.billing_user, r"You cannot open this expense: it needs Expenses access"
        )

    def test_a_source_without_its_own_words_is_named_in_the_users_language(self):
        """A source that names neither itself nor the rights it needs (the
        default of a new source) is refused with its model's name in the user's
        language, as Odoo's access errors name it (it was always English)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.billing_user.lang = "fr_FR"
        self.env["ir.model"]._get("hr.expense").update_field_translations(
            "name", {"fr_FR": "Note de frais"}
        )
        expense = self.approved_expense(200)
        item = self.item_of(expense).with_user(self.billing_user)
        with self.assertRaisesRegex(UserError, "Note de frais"):
            item.with_context(lang="fr_FR")._source_action(expense.with_user(self.billing_user))

    def test_refusals_are_translated_whole(self):
        """Each source says why it cannot open in one sentence, translated whole:
        a French billing clerk reads "Vous ne pouvez pas ouvrir cette note de
        frais..." (the sentence was glued from "expense" and "Expenses access",
        translated apart and kept in the English order)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.billing_user.lang = "fr_FR"
        french = {
            "You cannot open this expense: it needs Expenses access; its details are on "
            "the item.": "Vous ne pouvez pas ouvrir cette note de frais sans le droit "
            "Notes de frais ; ses détails sont sur l'élément.",
        }
        item = self.item_of(self.approved_expense(200))
        with patch.dict(
            code_translations.python_translations, {("invoicera_timesheet", "fr_FR"): french}
        ):
            with self.assertRaises(UserError) as caught:
                item.with_user(self.billing_user).with_context(lang="fr_FR").action_open_source()
        self.assertEqual(str(caught.exception), french[next(iter(french))])

    def test_billing_staff_undo_the_edits_of_an_expense(self):
        """A Billing User, who may not read the expense, undoes a rate set by
        hand on its item: it bills the expense as it stands (an access error)."""
        expense = self.approved_expense(200)
        item = self.item_of(expense)
        billed = item.price_unit
        item.with_user(self.billing_user).write({"price_unit": 100, "adjustment_reason": "Deal"})
        item.with_user(self.billing_user).action_undo_edits()
        self.assertEqual((item.price_unit, item.price_manual), (billed, False))

    def test_expense_opens_for_expense_approvers(self):
        """A Billing User who is no HR officer reads employees as public
        profiles: the expense's form shows its employee all the same."""
        item = self.item_of(self.approved_expense(200))
        action, form = self.open_source(item, self.billing_all_apps)
        self.assertEqual(action["res_model"], "hr.expense")
        self.assertEqual(form.total_amount_currency, 200)

    def test_vendor_cost_opens_its_bill(self):
        """The bill, not a journal item: what the user knows the cost by. A
        Billing User may read vendor bills (Invoicing rights)."""
        bill = self.vendor_bill(100)
        item = self.item_of(bill.invoice_line_ids)
        action, form = self.open_source(item, self.billing_user)
        self.assertEqual((action["res_model"], action["res_id"]), ("account.move", bill.id))
        self.assertEqual(form.partner_id, self.vendor)

    def test_milestone_opens_for_employees(self):
        milestone = self.env["project.milestone"].create(
            {"name": "Go-live", "project_id": self.project.id, "invoicera_amount": 5000}
        )
        with freeze_time("2026-03-20"):
            milestone.is_reached = True
        for user in (self.billing_user, self.billing_all_apps):
            action, form = self.open_source(self.item_of(milestone), user)
            self.assertEqual(action["res_model"], "project.milestone")
            self.assertEqual(form.name, "Go-live")

    def test_material_opens_its_delivery(self):
        moves = self.deliver_to_project(3).move_ids
        for user in (self.billing_user, self.billing_all_apps):
            action, form = self.open_source(self.item_of(moves), user)
            self.assertEqual(
                (action["res_model"], action["res_id"]), ("stock.picking", moves.picking_id.id)
            )
            self.assertEqual(form.partner_id, self.client)

    def test_item_form_opens_the_source_through_its_button(self):
        """On the item's form, the source is opened by the button (which says why
        when it cannot be), not by the link of its name (an access error)."""
        arch = self.Item.with_user(self.billing_user).get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        root = lxml.etree.fromstring(arch)
        [field] = root.xpath("//field[@name='source_ref']")
        self.assertIn("no_open", field.get("options", ""))
        self.assertTrue(root.xpath("//button[@name='action_open_source']"))
