from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestReview4TimeApproval(InvoiceraTimesheetCase):
    """What an employee may still change of time their project manager approved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="pm_website", groups="base.group_user,project.group_project_manager"
        )
        cls.worker = new_test_user(
            cls.env,
            login="alice_user",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_user",
        )
        cls.alice.user_id = cls.worker
        cls.project.write({"user_id": cls.manager.id, "invoicera_time_approval": True})

    def approved(self, hours=3, name="Checkout page"):
        line = self.log_time(self.alice, hours, name=name)
        line.with_user(self.worker).action_invoicera_submit()
        line.with_user(self.manager).action_invoicera_approve()
        return line

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
