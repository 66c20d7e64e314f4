from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestMilestoneFeeAccess(InvoiceraTimesheetCase):
    """A milestone's fixed fee is what its client is billed: set by billing staff
    (the milestone form shows it to them only), not by the project's team."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project.write({"allow_milestones": True, "privacy_visibility": "employees"})
        cls.milestone = cls.env["project.milestone"].create(
            {"name": "Go-live", "project_id": cls.project.id, "invoicera_amount": 5000}
        )
        cls.team_member = new_test_user(
            cls.env, login="fee_team_member", groups="base.group_user,project.group_project_user"
        )
        # (a salesman too: Odoo's sale_project lets only them duplicate a project)
        cls.pm_only = new_test_user(
            cls.env,
            login="fee_pm",
            groups="base.group_user,project.group_project_manager,sales_team.group_sale_salesman",
        )
        cls.billing_pm = new_test_user(
            cls.env,
            login="fee_billing_pm",
            groups="base.group_user,project.group_project_user,"
            "invoicera_billing.group_billing_user",
        )

    def test_the_team_does_not_set_fees(self):
        """Before: a team member lowered the fee from 5,000 to 1 through RPC, and
        the client was billed 1 once the milestone was reached."""
        for user in (self.team_member, self.pm_only):
            milestone = self.milestone.with_user(user)
            # (the team reads no fee: Odoo refuses the field; a project manager
            # reads it, and is told who sets it)
            with self.assertRaises(AccessError):
                milestone.write({"invoicera_amount": 1})
            with self.assertRaises(AccessError):
                milestone.create(
                    {"name": "Extra", "project_id": self.project.id, "invoicera_amount": 900}
                )
            # the rest of the milestone is theirs, and so is a milestone without fee
            milestone.write({"name": "Go-live"})
            milestone.create({"name": f"Review {user.login}", "project_id": self.project.id})
        with self.assertRaisesRegex(AccessError, "Only billing staff.*Go-live"):
            self.milestone.with_user(self.pm_only).write({"invoicera_amount": 1})
        self.milestone.with_user(self.team_member).is_reached = True
        self.assertEqual(self.item_of(self.milestone).amount, 5000)

    def test_billing_staff_set_fees(self):
        self.milestone.with_user(self.billing_pm).invoicera_amount = 6000
        self.assertEqual(self.milestone.invoicera_amount, 6000)

    def test_a_duplicated_project_keeps_its_fees(self):
        copy = self.project.with_user(self.pm_only).copy()
        self.assertEqual(copy.milestone_ids.mapped("invoicera_amount"), [5000])

    def test_a_milestone_copied_alone_by_the_team_has_no_fee(self):
        """Before: a team member copied a reached 5,000 milestone, reached the copy,
        and the client was billed 5,000 a second time, a fee no billing user set."""
        self.milestone.is_reached = True
        copy = self.milestone.with_user(self.team_member).copy()
        self.assertEqual(copy.invoicera_amount, 0)
        copy.with_user(self.team_member).is_reached = True
        self.assertFalse(self.item_of(copy), "nothing to bill a second time")
        # billing staff copy it with its fee
        self.assertEqual(self.milestone.with_user(self.billing_pm).copy().invoicera_amount, 5000)

    def test_a_fee_is_not_given_as_a_default_either(self):
        """Before: a team member created a milestone of 9,000 through RPC with the
        fee in the context's defaults (``default_invoicera_amount``)."""
        Milestone = self.env["project.milestone"].with_user(self.team_member)
        with self.assertRaisesRegex(AccessError, "Only billing staff.*Extra"):
            Milestone.with_context(default_invoicera_amount=9000).create(
                {"name": "Extra", "project_id": self.project.id}
            )

    def test_the_team_does_not_read_fees(self):
        """The fee is read by billing staff and project managers, as a project's
        rates: not by the project's team (before: any employee read every
        visible project's fees through RPC)."""
        with self.assertRaises(AccessError):
            self.milestone.with_user(self.team_member).read(["invoicera_amount"])
        self.assertEqual(
            self.milestone.with_user(self.pm_only).read(["invoicera_amount"])[0][
                "invoicera_amount"
            ],
            5000,
        )
