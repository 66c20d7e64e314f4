from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestTimeCompanyMoves(InvoiceraTimesheetCase):
    """What happens at the source of an item while it waits and once billed."""

    def sister_company_project(self):
        """A billable project of the client in "Invoicera Europe", the dollar
        company's project being its own."""
        europe = self.euro_company(chart=True)
        self.project.company_id = self.company
        return europe, self.client_project("Paris office", europe)

    def test_time_moved_to_a_sister_company_project_is_billed_by_that_company(self):
        """Odoo moves a timesheet to the company of the project it is moved to:
        its unbilled item follows, to that company's Unbilled Work, and that
        company invoices it (not an "incompatible companies" error)."""
        europe, paris = self.sister_company_project()
        line = self.log_time(self.alice, 3)
        self.assertEqual(self.item_of(line).company_id, self.company)
        line.with_context(allowed_company_ids=[self.company.id, europe.id]).project_id = paris
        self.assertEqual(line.company_id, europe, "Odoo: the time is the project's company's")
        item = self.item_of(line)
        self.assertRecordValues(
            item, [{"company_id": europe.id, "project_id": paris.id, "quantity": 3}]
        )
        items = self.Item.search(self.Item._billable_domain(europe, partners=self.client))
        self.assertEqual(items, item, "the sister company bills it")
        self.assertFalse(
            self.Item.search(self.Item._billable_domain(self.company, partners=self.client)),
            "not its former company",
        )

    def test_task_moved_to_a_sister_company_project_moves_its_time(self):
        """A task moved to a project of another company takes its unbilled time
        with it (Odoo moves the time to the project, leaving its company): the
        time's item is that project's company's to bill, not an "incompatible
        companies" error refusing the move."""
        europe, paris = self.sister_company_project()
        line = self.log_time(self.alice, 3, task=self.task)
        self.task.with_context(allowed_company_ids=[self.company.id, europe.id]).project_id = paris
        self.assertEqual(line.project_id, paris)
        self.assertRecordValues(
            self.item_of(line),
            [{"company_id": europe.id, "project_id": paris.id, "task_id": self.task.id}],
        )

    def test_invoiced_time_is_not_sent_back_by_a_write(self):
        """ "Send Back" refuses invoiced time; so does writing its approval state
        (RPC, import): invoiced, it would stand as time to submit again."""
        manager = new_test_user(
            self.env, login="pm_review6", groups="base.group_user,project.group_project_manager"
        )
        self.project.write({"user_id": manager.id, "invoicera_time_approval": True})
        line = self.log_time(self.alice, 3)
        line.action_invoicera_submit()
        line.with_user(manager).action_invoicera_approve()
        self.invoice(self.client)
        for state in ("draft", "submitted"):
            with self.assertRaisesRegex(UserError, "invoiced and locked"):
                line.with_user(manager).write({"invoicera_approval_state": state})
        self.assertEqual(line.invoicera_approval_state, "approved")
        self.assertEqual(self.item_of(line).state, "invoiced")

    def test_time_invoiced_before_approval_is_not_to_submit(self):
        """Approval switched on once some time is invoiced: that time is not listed
        To Submit, nor submitted (it would wait in Time to Approve, billed already),
        while the time still to bill is withdrawn until approved."""
        invoiced = self.log_time(self.alice, 3, name="Checkout page")
        self.invoice(self.client)
        waiting = self.log_time(self.alice, 2, name="Search page")
        self.project.invoicera_time_approval = True
        self.assertFalse(self.item_of(waiting).active, "not approved: not billable")
        Line = self.env["account.analytic.line"]
        arch = Line.get_views([(False, "search")])["views"]["search"]["arch"]
        (to_submit,) = (
            node
            for node in etree.fromstring(arch).iter("filter")
            if node.get("name") == "invoicera_to_submit"
        )
        listed = Line.search(safe_eval(to_submit.get("domain")))
        self.assertIn(waiting, listed)
        self.assertNotIn(invoiced, listed, "invoiced: nothing to submit")
        (invoiced | waiting).action_invoicera_submit()
        self.assertRecordValues(
            invoiced | waiting,
            [{"invoicera_approval_state": "draft"}, {"invoicera_approval_state": "submitted"}],
        )
        self.assertEqual(self.item_of(invoiced).state, "invoiced")
