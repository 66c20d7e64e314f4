from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestTimeApproval(InvoiceraTimesheetCase):
    """On projects that approve time, only time the project manager approved is billed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="pm_website", groups="base.group_user,project.group_project_manager"
        )
        cls.other_manager = new_test_user(
            cls.env, login="pm_other", groups="base.group_user,project.group_project_manager"
        )
        cls.worker = new_test_user(
            cls.env,
            login="alice_user",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_user",
        )
        cls.alice.user_id = cls.worker
        cls.project.write({"user_id": cls.manager.id, "invoicera_time_approval": True})

    def test_only_approved_time_is_billed(self):
        line = self.log_time(self.alice, 3)
        self.assertFalse(self.item_of(line), "not approved: not billable")
        line.with_user(self.worker).action_invoicera_submit()
        self.assertEqual(line.invoicera_approval_state, "submitted")
        self.assertFalse(self.item_of(line))
        line.with_user(self.manager).action_invoicera_approve()
        self.assertEqual(line.invoicera_approval_state, "approved")
        self.assertEqual(line.invoicera_approved_by_id, self.manager)
        self.assertEqual(self.item_of(line).quantity, 3)

    def test_only_the_project_manager_approves(self):
        line = self.log_time(self.alice, 3)
        line.action_invoicera_submit()
        with self.assertRaisesRegex(
            AccessError,
            r"Only the manager of the project approves its time: Website\.\n- "
            r"03/10/2026 · Website · Work$",
        ):
            line.with_user(self.other_manager).action_invoicera_approve()
        with self.assertRaises(AccessError):
            line.with_user(self.worker).action_invoicera_approve()
        self.assertEqual(line.invoicera_approval_state, "submitted")

    def test_managers_do_not_approve_their_own_time(self):
        """The project manager's own time is approved by a timesheet administrator
        or a billing manager, who may approve theirs."""
        self.bob.user_id = self.manager
        own = self.log_time(self.bob, 3, name="Weekly report")
        other = self.log_time(self.alice, 2, name="Checkout page")
        (own | other).action_invoicera_submit()
        with self.assertRaises(AccessError) as caught:
            (own | other).with_user(self.manager).action_invoicera_approve()
        self.assertIn("You cannot approve or send back your own time", str(caught.exception))
        self.assertIn("Website · Weekly report", str(caught.exception))
        self.assertNotIn("Checkout page", str(caught.exception))
        with self.assertRaisesRegex(AccessError, "You cannot approve or send back your own time"):
            own.with_user(self.manager).write({"invoicera_approval_state": "approved"})
        self.assertEqual(own.invoicera_approval_state, "submitted")
        self.assertFalse(self.item_of(own), "not approved: not billable")
        other.with_user(self.manager).action_invoicera_approve()
        self.assertEqual(other.invoicera_approval_state, "approved")
        admin = new_test_user(
            self.env,
            login="timesheet_admin",
            groups="base.group_user,hr_timesheet.group_timesheet_manager",
        )
        own.with_user(admin).action_invoicera_approve()
        self.assertEqual(self.item_of(own).quantity, 3)
        with self.assertRaisesRegex(
            UserError,
            "This time of yours is approved: a timesheet administrator or a billing "
            "manager sends it back",
        ):
            own.with_user(self.manager).write({"unit_amount": 5})
        with self.assertRaisesRegex(AccessError, "You cannot approve or send back your own"):
            own.with_user(self.manager).action_invoicera_reset()
        # billing managers approve their own time
        self.bob.user_id = new_test_user(
            self.env,
            login="billing_boss",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_user,"
            "invoicera_billing.group_billing_manager",
        )
        theirs = self.log_time(self.bob, 1, name="Billing review")
        theirs.action_invoicera_submit()
        theirs.with_user(self.bob.user_id).action_invoicera_approve()
        self.assertEqual(theirs.invoicera_approved_by_id, self.bob.user_id)

    def test_managers_cannot_make_approved_time_their_own(self):
        """A project manager who approved Alice's time cannot give it to himself:
        it would be his own time, approved by him (a timesheet administrator or a
        billing manager approves it). He may give it to another employee."""
        self.bob.user_id = self.manager
        line = self.log_time(self.alice, 3, name="Checkout page")
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        with self.assertRaises(UserError) as caught:  # rolled back, as the request is
            line.with_user(self.manager).write({"employee_id": self.bob.id})
        self.assertIn("it would be approved by you for your own time", str(caught.exception))
        self.assertEqual(line.employee_id, self.alice)
        self.assertEqual(self.item_of(line).employee_id, self.alice)
        carol = self.env["hr.employee"].create({"name": "Carol Dev"})
        line.with_user(self.manager).write({"employee_id": carol.id})
        self.assertEqual(self.item_of(line).employee_id, carol)

    def time_to_approve(self, user):
        """What ``user`` sees in Time to Approve: the action with its default filter."""
        action = self.env.ref("invoicera_timesheet.action_invoicera_time_to_approve")
        context = safe_eval(action.context)
        Line = self.env["account.analytic.line"].with_user(user)
        arch = Line.get_views([(False, "search")])["views"]["search"]["arch"]
        domain = safe_eval(action.domain)
        for node in etree.fromstring(arch).iter("filter"):
            if context.get(f"search_default_{node.get('name')}"):
                domain += safe_eval(node.get("domain"))
        return Line.search(domain)

    def test_time_to_approve_lists_what_the_user_approves(self):
        """A project manager's list holds their projects' time, not their own (a
        timesheet administrator approves it), nor other managers' projects'."""
        self.bob.user_id = self.manager
        own = self.log_time(self.bob, 3, name="Weekly report")
        theirs = self.log_time(self.alice, 2, name="Checkout page")
        elsewhere = self.log_time(
            self.alice,
            1,
            project=self.project.copy({"name": "Intranet", "user_id": self.other_manager.id}),
        )
        (own | theirs | elsewhere).action_invoicera_submit()
        self.assertEqual(self.time_to_approve(self.manager), theirs)
        self.assertEqual(self.time_to_approve(self.other_manager), elsewhere)
        admin = new_test_user(
            self.env,
            login="timesheet_admin",
            groups="base.group_user,hr_timesheet.group_timesheet_manager",
        )
        self.assertEqual(self.time_to_approve(admin), own | theirs | elsewhere)
        self.assertFalse(self.time_to_approve(self.worker), "approves nothing, lists nothing")

    def test_a_project_manager_with_own_timesheets_rights_approves(self):
        """The manager of a project approves its time even when Timesheets only
        lets them see their own: they see their project's time to approve, and no
        one else's time."""
        lead = new_test_user(
            self.env,
            login="lead_own_rights",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_user",
        )
        self.project.user_id = lead
        line = self.log_time(self.alice, 3, name="Checkout page")
        other = self.log_time(
            self.alice, 1, project=self.project.copy({"name": "Intranet", "user_id": False})
        )
        (line | other).action_invoicera_submit()
        self.assertEqual(self.time_to_approve(lead), line)
        # the list does not let them type what saving refuses
        self.assertTrue(line.with_user(lead).readonly_timesheet)
        line.with_user(lead).action_invoicera_approve()
        self.assertEqual(line.invoicera_approval_state, "approved")
        self.assertEqual(self.item_of(line).quantity, 3)
        self.assertTrue(line.with_user(lead).readonly_timesheet)
        with self.assertRaises(AccessError, msg="reads it, does not change it"):
            line.with_user(lead).write({"unit_amount": 5})
        with self.assertRaises(AccessError):
            other.with_user(lead).read(["unit_amount"])
        # nor submits time in its employee's place (to approve it at once)
        draft = self.log_time(self.alice, 2, name="Not finished")
        with self.assertRaises(AccessError):
            draft.with_user(lead).action_invoicera_submit()
        self.assertEqual(draft.invoicera_approval_state, "draft")
        # Filters on what one does not approve list the rest
        Line = self.env["account.analytic.line"].with_user(lead)
        self.assertEqual(
            Line.search([("id", "in", (line | draft).ids), ("invoicera_can_approve", "=", False)]),
            Line.browse(),
        )
        self.assertEqual(
            Line.search([("id", "in", (line | draft).ids), ("invoicera_can_approve", "!=", True)]),
            Line.browse(),
        )
        own = self.log_time(self.bob, 1)
        self.bob.user_id = lead
        self.assertEqual(
            Line.search([("id", "in", (line | own).ids), ("invoicera_can_approve", "=", False)]),
            own,
            "their own time, on their project",
        )
        menu = self.env.ref("invoicera_timesheet.menu_timesheet_time_to_approve")
        self.assertIn(menu.id, self.env["ir.ui.menu"].with_user(lead)._visible_menu_ids())
        # nor the time (and its cost) of a project of theirs that approves no
        # time: they have nothing to approve there. Before, they read it.
        free = self.project.copy({"name": "Support", "user_id": lead.id})
        free.invoicera_time_approval = False
        unapproved = self.log_time(self.alice, 2, project=free)
        self.assertEqual(free.user_id, lead)
        with self.assertRaises(AccessError):
            unapproved.with_user(lead).read(["amount"])
        self.assertFalse(Line.search([("project_id", "=", free.id)]))

    def test_employees_cannot_approve_their_own_time_by_writing_it(self):
        """Through RPC or an import as through the buttons: approving is the manager's."""
        line = self.log_time(self.alice, 3)
        line.with_user(self.worker).write({"invoicera_approval_state": "submitted"})
        for vals in (
            {"invoicera_approval_state": "approved"},
            {"invoicera_approved_by_id": self.manager.id},
        ):
            with self.assertRaisesRegex(AccessError, "Only the manager of the project approves"):
                line.with_user(self.worker).write(vals)
        self.assertEqual(line.invoicera_approval_state, "submitted")
        self.assertFalse(self.item_of(line), "not approved: not billable")
        with self.assertRaisesRegex(AccessError, "Only the manager of the project approves"):
            self.env["account.analytic.line"].with_user(self.worker).create(
                {
                    "name": "Self-approved",
                    "project_id": self.project.id,
                    "employee_id": self.alice.id,
                    "unit_amount": 2,
                    "invoicera_approval_state": "approved",
                }
            )
        line.with_user(self.manager).write({"invoicera_approval_state": "approved"})
        self.assertEqual(self.item_of(line).quantity, 3)
        self.assertEqual(line.invoicera_approved_by_id, self.manager, "recorded as the button does")
        self.assertTrue(line.invoicera_approved_on)

    def test_employees_cannot_create_time_approved_by_a_default(self):
        """A default in the context (which a request may send), a duplicate: what
        create gives the line is checked, not only what it was given."""
        Line = self.env["account.analytic.line"].with_user(self.worker)
        vals = {
            "name": "Self-approved",
            "project_id": self.project.id,
            "employee_id": self.alice.id,
            "unit_amount": 2,
        }
        for context in (
            {"default_invoicera_approval_state": "approved"},
            {
                "default_invoicera_approval_state": "approved",
                "default_invoicera_approved_by_id": self.manager.id,
            },
            {"default_invoicera_approved_by_id": self.manager.id},
        ):
            with self.assertRaises(AccessError) as caught:
                Line.with_context(**context).create(vals)
            self.assertIn("Only the manager of the project approves", str(caught.exception))
        self.assertFalse(self.project.timesheet_ids)
        # an empty default (a list grouped by approver, its "None" group) approves nothing
        Line.with_context(default_invoicera_approved_by_id=False).create(vals)
        self.assertFalse(self.item_of(self.project.timesheet_ids), "not approved")
        # the manager's default approves, as his button does
        line = (
            self.env["account.analytic.line"]
            .with_user(self.manager)
            .with_context(default_invoicera_approval_state="approved")
            .create(vals)
        )
        self.assertEqual(line.invoicera_approved_by_id, self.manager)
        self.assertEqual(self.item_of(line).quantity, 2)

    def test_time_created_approved_says_who_approved_it(self):
        """Time imported approved by its approver says who approved it and when,
        as the button and a write do (it was left blank)."""
        admin = new_test_user(
            self.env,
            login="timesheet_admin",
            groups="base.group_user,hr_timesheet.group_timesheet_manager",
        )
        with freeze_time("2026-03-11 09:00:00"):
            line = (
                self.env["account.analytic.line"]
                .with_user(admin)
                .create(
                    {
                        "name": "Imported",
                        "project_id": self.project.id,
                        "employee_id": self.alice.id,
                        "unit_amount": 2,
                        "date": "2026-03-10",
                        "invoicera_approval_state": "approved",
                    }
                )
            )
        self.assertRecordValues(
            line,
            [
                {
                    "invoicera_approval_state": "approved",
                    "invoicera_approved_by_id": admin.id,
                    "invoicera_approved_on": fields.Datetime.to_datetime("2026-03-11 09:00:00"),
                }
            ],
        )
        self.assertEqual(self.item_of(line).quantity, 2)

    def test_approved_time_imported_again_keeps_who_approved_it(self):
        """Approved time exported and imported again, unchanged: who approved it
        and when stay the manager's; its employee's import is no approval."""
        with freeze_time("2026-03-11 09:00:00"):
            line = self.approved()
        admin = new_test_user(
            self.env,
            login="timesheet_admin_2",
            groups="base.group_user,hr_timesheet.group_timesheet_manager",
        )
        line.with_user(admin).write({"invoicera_approval_state": "approved"})
        line.with_user(self.worker).write({"invoicera_approval_state": "approved"})
        self.assertRecordValues(
            line,
            [
                {
                    "invoicera_approval_state": "approved",
                    "invoicera_approved_by_id": self.manager.id,
                    "invoicera_approved_on": fields.Datetime.to_datetime("2026-03-11 09:00:00"),
                }
            ],
        )

    def test_approved_time_is_locked_for_its_employee(self):
        line = self.log_time(self.alice, 3)
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        with self.assertRaisesRegex(
            UserError,
            r"This time is approved: ask the manager of Website to send it back before "
            r"changing it\.\n- 03/10/2026 · Website · Work$",
        ):
            line.with_user(self.worker).write({"unit_amount": 5})
        with self.assertRaisesRegex(UserError, "This time is approved"):
            line.with_user(self.worker).with_context(invoicera_sync=True).write({"unit_amount": 5})
        self.assertEqual(self.item_of(line).quantity, 3)
        line.with_user(self.manager).action_invoicera_reset()
        self.assertEqual(line.invoicera_approval_state, "draft")
        self.assertFalse(self.item_of(line), "sent back: no longer billable")
        line.with_user(self.worker).write({"unit_amount": 5})
        self.assertEqual(line.unit_amount, 5)

    def test_approved_time_is_not_deleted_by_its_employee(self):
        """Approved time is billable work: its employee deletes it no more than they
        change it (the client would never be billed it, unknown to the manager)."""
        line = self.log_time(self.alice, 3)
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        with self.assertRaisesRegex(
            UserError, "This time is approved: ask the manager of Website to send it back"
        ):
            line.with_user(self.worker).unlink()
        self.assertTrue(line.exists())
        self.assertEqual(self.item_of(line).quantity, 3, "still billed")
        line.with_user(self.manager).action_invoicera_reset()
        line.with_user(self.worker).unlink()
        self.assertFalse(line.exists())
        other = self.log_time(self.alice, 2)
        other.action_invoicera_submit()
        other.with_user(self.manager).action_invoicera_approve()
        item = self.item_of(other)
        other.with_user(self.manager).unlink()
        self.assertFalse(item.exists(), "its approver deletes it, and its item")

    def test_invoiced_time_cannot_be_sent_back(self):
        line = self.log_time(self.alice, 3)
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        self.invoice(self.client)
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            line.with_user(self.manager).action_invoicera_reset()

    @freeze_time("2026-03-31")  # deferred to a date to come
    def test_decisions_on_time_outlive_sending_it_back(self):
        """Time written off, excluded, deferred or adjusted, sent back and approved
        again, comes back as it was left: it is not billed as fresh work."""
        written_off, excluded, deferred, undecided = (
            self.log_time(self.alice, hours) for hours in (1, 2, 3, 4)
        )
        lines = written_off | excluded | deferred | undecided
        lines.action_invoicera_submit()
        lines.with_user(self.manager).action_invoicera_approve()
        self.item_of(written_off).action_write_off("Training")
        self.item_of(excluded).action_exclude()
        self.item_of(deferred).action_defer(date(2026, 6, 1))
        undecided_item = self.item_of(undecided)
        undecided_item.write({"quantity": 3.5, "adjustment_reason": "Rounded"})
        lines.with_user(self.manager).action_invoicera_reset()
        self.assertFalse(self.item_of(lines), "sent back: off Unbilled Work and its reports")
        archived = self.Item.with_context(active_test=False).search(
            [("source_model", "=", undecided._name), ("source_id", "=", undecided.id)]
        )
        with self.assertRaisesRegex(UserError, "not to bill"):
            archived._invoice(self.company, date(2026, 3, 31))
        self.assertFalse(
            self.env["invoicera.realization.report"].search([("project_id", "=", self.project.id)])
        )
        lines.action_invoicera_submit()
        lines.with_user(self.manager).action_invoicera_approve()
        self.assertEqual(self.item_of(written_off).state, "written_off")
        self.assertEqual(self.item_of(written_off).write_off_reason, "Training")
        self.assertEqual(self.item_of(excluded).state, "excluded")
        self.assertEqual(self.item_of(deferred).deferred_until, date(2026, 6, 1))
        self.assertEqual(self.item_of(undecided).state, "to_bill")
        self.assertEqual(self.item_of(undecided).quantity, 3.5, "its billable hours kept")
        self.assertEqual(self.item_of(undecided).adjustment_reason, "Rounded")
        self.assertEqual(self.invoice(self.client).invoice_line_ids.quantity, 3.5)
        # Archived by the engine, not by hand; deleting the time deletes them.
        with self.assertRaisesRegex(UserError, "archived by the billing engine"):
            self.item_of(excluded).with_user(self.billing_user).action_archive()
        excluded.with_user(self.manager).action_invoicera_reset()
        excluded.unlink()
        self.assertFalse(self.item_of(excluded).with_context(active_test=False))

    def test_archived_items_take_decisions_from_the_wizard(self):
        line = self.log_time(self.alice, 2)
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        item = self.item_of(line)
        line.with_user(self.manager).action_invoicera_reset()
        wizard = (
            self.env["invoicera.item.decision.wizard"]
            .with_context(active_ids=item.ids)
            .create({"decision": "write_off", "reason": "Warranty"})
        )
        wizard.action_apply()
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        self.assertEqual(self.item_of(line).state, "written_off")

    def test_time_moved_to_a_project_that_asks_its_client_awaits_the_client(self):
        self.project_eur.invoicera_client_approval = True
        line = self.log_time(self.alice, 3)
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        self.assertEqual(self.item_of(line).client_approval, "not_required")
        line.with_user(self.manager).action_invoicera_reset()
        line.project_id = self.project_eur  # approves no time: billable at once
        item = self.item_of(line)
        self.assertEqual(item.partner_id, self.client_eur)
        self.assertEqual(item.client_approval, "pending", "ERP Rollout's client approves first")

    def test_a_callers_sync_flag_does_not_keep_sent_back_time_billable(self):
        line = self.log_time(self.alice, 3)
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        line.with_user(self.manager).with_context(invoicera_sync=True).action_invoicera_reset()
        self.assertFalse(self.item_of(line), "sent back: not billable")

    def test_enabling_approval_withdraws_unapproved_time(self):
        other = self.log_time(self.bob, 2, project=self.project_eur)
        self.assertTrue(self.item_of(other))
        self.project_eur.invoicera_time_approval = True
        self.assertFalse(self.item_of(other))

    def test_projects_without_approval_bill_at_once(self):
        line = self.log_time(self.bob, 2, project=self.project_eur)
        self.assertEqual(line.invoicera_approval_state, "draft")
        self.assertTrue(self.item_of(line))

    def approved_elsewhere(self, hours=3, task=None):
        """Alice's time on ERP Rollout, which approves time and is other_manager's,
        approved there."""
        self.project_eur.write({"user_id": self.other_manager.id, "invoicera_time_approval": True})
        line = self.log_time(self.alice, hours, project=self.project_eur, task=task)
        line.action_invoicera_submit()
        line.with_user(self.other_manager).action_invoicera_approve()
        self.assertTrue(self.item_of(line))
        return line

    def assertMoveRefused(self, records, vals):
        """Checked once moved (as constraints are): assertRaises rolls the write back."""
        with self.assertRaises(UserError) as caught:
            records.with_user(self.other_manager).write(vals)
        self.assertIn("only the manager of Website approves", str(caught.exception))

    def test_approved_time_moves_only_to_projects_its_mover_approves(self):
        """Otherwise it would be billed on a project whose manager never approved it."""
        line = self.approved_elsewhere()
        for vals in ({"project_id": self.project.id}, {"task_id": self.task.id}):
            self.assertMoveRefused(line, vals)
        self.assertEqual(line.project_id, self.project_eur)
        self.assertEqual(self.item_of(line).project_id, self.project_eur)
        # approved and moved in one write
        submitted = self.log_time(self.alice, 1, project=self.project_eur)
        submitted.action_invoicera_submit()
        self.assertMoveRefused(
            submitted, {"project_id": self.project.id, "invoicera_approval_state": "approved"}
        )
        # a task moved with its approved time
        task = self.env["project.task"].create({"name": "Data", "project_id": self.project_eur.id})
        on_task = self.approved_elsewhere(task=task)
        self.assertMoveRefused(task, {"project_id": self.project.id})
        self.assertEqual(on_task.project_id, self.project_eur)
        # nor by the manager of the project it goes to: not his to send back
        with self.assertRaises(UserError) as caught:
            task.with_user(self.manager).write({"project_id": self.project.id})
        self.assertIn("ask the manager of ERP Rollout to send it back", str(caught.exception))
        # named where it is (before, under the project it was moved to)
        self.assertIn("- 03/10/2026 · ERP Rollout · Work", str(caught.exception))
        self.assertEqual(on_task.project_id, self.project_eur)
        self.assertEqual(self.item_of(on_task).project_id, self.project_eur)
        # nor created approved there
        for vals in ({"project_id": self.project.id}, {"task_id": self.task.id}):
            with self.assertRaisesRegex(AccessError, "Only the manager of the project approves"):
                self.env["account.analytic.line"].with_user(self.other_manager).create(
                    dict(
                        vals,
                        name="Approved elsewhere",
                        employee_id=self.alice.id,
                        unit_amount=2,
                        invoicera_approval_state="approved",
                    )
                )
        self.assertFalse(self.item_of(self.project.timesheet_ids))

    def test_approvers_of_both_projects_move_approved_time(self):
        line = self.approved_elsewhere()
        self.project_eur.user_id = self.manager
        line.with_user(self.manager).write({"project_id": self.project.id})
        self.assertEqual(line.invoicera_approval_state, "approved")
        item = self.item_of(line)
        self.assertEqual((item.project_id, item.partner_id), (self.project, self.client))
        self.assertEqual(item.quantity, 3)
        # a task moved with its approved time, by a timesheet administrator
        admin = new_test_user(
            self.env,
            login="timesheet_admin",
            groups="base.group_user,hr_timesheet.group_timesheet_manager,"
            "project.group_project_manager",
        )
        task = self.env["project.task"].create({"name": "Data", "project_id": self.project_eur.id})
        on_task = self.approved_elsewhere(2, task=task)
        task.with_user(admin).write({"project_id": self.project.id})
        self.assertEqual(on_task.invoicera_approval_state, "approved")
        self.assertEqual(self.item_of(on_task).project_id, self.project)
        # time not approved yet moves freely, and awaits the approval of its new project
        draft = self.log_time(self.alice, 1, project=self.project_eur)
        draft.with_user(self.other_manager).write({"project_id": self.project.id})
        self.assertFalse(self.item_of(draft))

    def test_approved_time_moves_to_a_project_approving_no_time(self):
        """Its approver moves it to a project of another manager that approves no
        time: billed there as any time of that project. Before, it was refused
        as if that project's manager had to approve it."""
        line = self.approved_elsewhere()
        free = self.env["project.project"].create(
            {
                "name": "Maintenance",
                "partner_id": self.client.id,
                "allow_billable": True,
                "user_id": self.manager.id,
            }
        )
        line.with_user(self.other_manager).write({"project_id": free.id})
        item = self.item_of(line)
        self.assertEqual((item.project_id, item.state), (free, "to_bill"))

    def test_approved_time_keeps_its_unit_client_and_company(self):
        """The unit and the client bill as much as the hours: locked alike."""
        other = self.env["res.partner"].create({"name": "Other Client", "is_company": True})
        day = self.env.ref("uom.product_uom_day")
        line = self.log_time(self.alice, 2)
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        for vals in (
            {"product_uom_id": day.id},
            {"partner_id": other.id},
            {"company_id": self.env["res.company"].create({"name": "Other Co"}).id},
        ):
            with self.assertRaisesRegex(UserError, "This time is approved: ask the manager"):
                line.with_user(self.worker).write(vals)
        item = self.item_of(line)
        self.assertRecordValues(
            item, [{"quantity": 2, "amount": 180, "partner_id": self.client.id}]
        )
        # written as it is (an import, a form sending every field): nothing changes
        line.with_user(self.worker).write(
            {"product_uom_id": line.product_uom_id.id, "partner_id": self.client.id}
        )
        # its approver may, the item follows
        line.with_user(self.manager).write({"partner_id": other.id})
        self.assertEqual(self.item_of(line).partner_id, other)

    def test_a_tasks_new_client_takes_its_approved_time(self):
        """Odoo recomputes the client of a task's unbilled time from the task:
        changing the task's client is not refused, approved time follows it to
        the new client (its hours stay approved); invoiced time keeps its client."""
        other = self.env["res.partner"].create({"name": "Other Client", "is_company": True})
        invoiced, approved = (self.log_time(self.alice, h, task=self.task) for h in (1, 2))
        (invoiced | approved).action_invoicera_submit()
        invoiced.with_user(self.manager).action_invoicera_approve()
        self.invoice(self.client, post=True)
        approved.with_user(self.manager).action_invoicera_approve()
        team_member = new_test_user(
            self.env, login="pu_website", groups="base.group_user,project.group_project_user"
        )
        self.task.with_user(team_member).partner_id = other
        self.assertEqual(approved.partner_id, other)
        self.assertRecordValues(
            self.item_of(approved),
            [{"partner_id": other.id, "quantity": 2, "state": "to_bill"}],
        )
        self.assertEqual(invoiced.partner_id, self.client, "frozen by Odoo once invoiced")
        self.assertRecordValues(
            self.item_of(invoiced), [{"partner_id": self.client.id, "state": "invoiced"}]
        )

    def test_invoiced_time_keeps_its_unit_and_client(self):
        """Even for its approvers: credited, the work comes back as it was billed."""
        other = self.env["res.partner"].create({"name": "Other Client", "is_company": True})
        line = self.log_time(self.alice, 2)
        line.action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        invoice = self.invoice(self.client, post=True)
        for vals in (
            {"product_uom_id": self.env.ref("uom.product_uom_day").id},
            {"partner_id": other.id},
        ):
            with self.assertRaisesRegex(UserError, "invoiced and locked"):
                line.with_user(self.manager).write(vals)
        invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}]).action_post()
        self.assertRecordValues(
            self.item_of(line),
            [{"state": "to_bill", "quantity": 2, "amount": 180, "partner_id": self.client.id}],
        )

    def approved(self, hours=3, name="Checkout page"):
        line = self.log_time(self.alice, hours, name=name)
        line.with_user(self.worker).action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        return line

    def test_approved_time_mapped_to_a_sale_order_line_by_odoo(self):
        """A project administrator maps Alice to a sale order line (Odoo's
        Invoicing tab): her approved time goes to that order, billed by Odoo's
        flow, not here; Odoo moving it is not her changing approved time."""
        line = self.approved()
        order_line = self.sold_hours()
        self.env["project.sale.line.employee.map"].with_user(self.other_manager).create(
            {
                "project_id": self.project.id,
                "employee_id": self.alice.id,
                "sale_line_id": order_line.id,
            }
        )
        self.assertEqual(line.so_line, order_line)
        self.assertFalse(self.item_of(line).active, "billed by Odoo's flow only")

    def test_time_invoiced_on_its_order_is_not_sent_back(self):
        """Approved time an invoice of its sale order bills (Odoo's flow) stays
        approved until that invoice is cancelled: sent back, it would be
        unapproved work on the invoice. Before, Send Back took it back to draft,
        forgetting who approved it, and nothing could submit it again."""
        line = self.approved()
        order_line = self.sold_hours()
        self.env["project.sale.line.employee.map"].create(
            {
                "project_id": self.project.id,
                "employee_id": self.alice.id,
                "sale_line_id": order_line.id,
            }
        )
        invoice = order_line.order_id._create_invoices()
        self.assertEqual(line.timesheet_invoice_id, invoice)
        with self.assertRaises(UserError) as caught:
            line.with_user(self.manager).action_invoicera_reset()
        self.assertIn(f"This time is invoiced ({invoice.display_name})", str(caught.exception))
        self.assertIn("Checkout page", str(caught.exception))
        with self.assertRaisesRegex(UserError, "This time is invoiced"):
            line.with_user(self.manager).write({"invoicera_approval_state": "draft"})
        self.assertEqual(line.invoicera_approval_state, "approved")
        self.assertEqual(line.invoicera_approved_by_id, self.manager)
        invoice.button_cancel()
        line.with_user(self.manager).action_invoicera_reset()
        self.assertEqual(line.invoicera_approval_state, "draft")

    def test_approved_description_is_locked_for_its_employee(self):
        """The description is what the client reads on the invoice: the manager
        approved it with the hours, the employee no longer rewrites it."""
        line = self.approved()
        with self.assertRaisesRegex(UserError, "This time is approved: ask the manager of Website"):
            line.with_user(self.worker).write({"name": "Lunch with a friend"})
        self.assertEqual(self.item_of(line).name, "Checkout page")
        # written as it is (a form sending every field): nothing changes
        line.with_user(self.worker).write({"name": "Checkout page"})
        # its approver may, and the item follows
        line.with_user(self.manager).write({"name": "Checkout page and cart"})
        self.assertEqual(self.item_of(line).name, "Checkout page and cart")
        # sent back, its employee rewrites it
        line.with_user(self.manager).action_invoicera_reset()
        line.with_user(self.worker).write({"name": "Checkout page, cart and payment"})
        line.with_user(self.worker).action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        self.assertEqual(self.item_of(line).name, "Checkout page, cart and payment")

    def test_description_stays_free_without_approval(self):
        """Time of projects that approve no time keeps its description free."""
        line = self.log_time(self.alice, 2, project=self.project_eur, name="Workshop")
        line.with_user(self.worker).write({"name": "Workshop (half day)"})
        self.assertEqual(self.item_of(line).name, "Workshop (half day)")

    def test_approved_time_is_read_only_for_its_employee(self):
        """Timesheets grey out and lock the time its employee may no longer change,
        as Odoo does for invoiced time: not let them type and refuse it on save."""
        line = self.approved()
        self.assertTrue(line.with_user(self.worker).readonly_timesheet)
        self.assertFalse(line.with_user(self.manager).readonly_timesheet, "its approver edits it")
        line.with_user(self.manager).action_invoicera_reset()
        self.assertFalse(line.with_user(self.worker).readonly_timesheet, "sent back: theirs again")

    def test_time_to_approve_leaves_projects_that_no_longer_approve_time(self):
        """Approval switched off, the time submitted before is billed as it is: it
        no longer waits in the manager's Time to Approve."""
        submitted = self.log_time(self.alice, 3)
        submitted.with_user(self.worker).action_invoicera_submit()
        self.assertEqual(self.time_to_approve(self.manager), submitted)
        self.project.invoicera_time_approval = False
        self.assertEqual(self.item_of(submitted).quantity, 3, "billed without approval")
        self.assertFalse(self.time_to_approve(self.manager))
        self.project.invoicera_time_approval = True
        self.assertEqual(self.time_to_approve(self.manager), submitted, "waits again")

    def test_approved_time_is_free_once_its_project_approves_time_no_more(self):
        """Approval switched off, its employee changes approved time as any time
        of the project; changed, its approval no longer holds: if the project
        approves time again, it is submitted again. Before, it stayed locked
        ("ask the manager to send it back") though nothing asked for approval."""
        line = self.approved()
        untouched = self.approved(name="Cart")
        self.project.invoicera_time_approval = False
        self.assertFalse(line.with_user(self.worker).readonly_timesheet)
        line.with_user(self.worker).write({"unit_amount": 5})
        self.assertEqual(line.invoicera_approval_state, "draft")
        self.assertFalse(line.invoicera_approved_by_id)
        self.assertEqual(self.item_of(line).quantity, 5, "billed as it is")
        self.assertEqual(untouched.invoicera_approval_state, "approved")
        self.project.invoicera_time_approval = True
        self.assertFalse(self.item_of(line), "changed since approved: not billed unapproved")
        self.assertEqual(self.item_of(untouched).quantity, 3)
        self.assertTrue(untouched.with_user(self.worker).readonly_timesheet)

    def test_approved_time_moved_with_its_task_once_approval_is_off(self):
        """As when the time itself is moved: moved with its task by someone who
        does not approve it, its approval no longer holds, whether the new
        project approves time (it waits for that project's approval) or not
        (submitted again if that project approves time later). Before, it stayed
        approved, billed on a project whose manager never saw it."""
        on_task = self.approved(name="Checkout page")
        on_task.task_id = self.task
        self.project.invoicera_time_approval = False
        free = self.env["project.project"].create(
            {"name": "Maintenance", "partner_id": self.client.id, "allow_billable": True}
        )
        approver = new_test_user(
            self.env,
            login="all_timesheets",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_approver,"
            "project.group_project_manager",
        )
        self.task.with_user(approver).write({"project_id": free.id})
        self.assertEqual(on_task.project_id, free)
        self.assertEqual(on_task.invoicera_approval_state, "draft")
        free.invoicera_time_approval = True
        self.assertFalse(self.item_of(on_task), "not billed unapproved")
        # to a project that approves time: it waits for its approval there
        other = self.approved(name="Cart")
        other.task_id = self.env["project.task"].create(
            {"name": "Cart", "project_id": self.project.id}
        )
        self.project.invoicera_time_approval = False
        self.project_eur.write({"user_id": self.other_manager.id, "invoicera_time_approval": True})
        other.task_id.with_user(approver).write({"project_id": self.project_eur.id})
        self.assertEqual(
            (other.project_id, other.invoicera_approval_state), (self.project_eur, "draft")
        )
        self.assertFalse(self.item_of(other))

    def test_invoiced_approved_time_stays_approved_once_approval_is_off(self):
        """Its description changed (the rest is locked once invoiced), time an
        invoice bills keeps its approval. Before, it went back to To Submit,
        forgetting who approved it, while on the invoice."""
        line = self.approved()
        self.invoice(self.client)
        self.project.invoicera_time_approval = False
        line.with_user(self.worker).write({"name": "Checkout page (v2)"})
        self.assertEqual(line.invoicera_approval_state, "approved")
        self.assertEqual(line.invoicera_approved_by_id, self.manager)

    def test_the_buttons_say_why_they_did_nothing(self):
        """Submit, Approve or Send Back on entries none of which they apply to
        warns why. Before, a success said "0 entries approved."."""
        line = self.log_time(self.alice, 3)

        def notified(action):
            return action["params"]["type"], action["params"]["message"]

        kind, message = notified(line.with_user(self.manager).action_invoicera_approve())
        self.assertEqual(kind, "warning")
        self.assertIn("only submitted time is approved", message)
        kind, message = notified(line.with_user(self.manager).action_invoicera_reset())
        self.assertEqual(kind, "warning")
        self.assertIn("only submitted or approved time is", message)
        self.assertEqual(
            notified(line.with_user(self.worker).action_invoicera_submit()),
            ("success", "1 entries submitted."),
        )
        kind, message = notified(line.with_user(self.worker).action_invoicera_submit())
        self.assertEqual(kind, "warning")
        self.assertIn("None of these entries is to submit", message)
        self.assertEqual(
            notified(line.with_user(self.manager).action_invoicera_approve()),
            ("success", "1 entries approved."),
        )
