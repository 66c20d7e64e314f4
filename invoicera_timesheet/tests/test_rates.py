from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestRates(InvoiceraTimesheetCase):
    """Rates and rounding of time: who configures them, what an entry bills."""

    def test_minimum_per_entry_when_rounding_gives_nothing(self):
        """A 6-minute call on a project billing 0:30 at least, rounded to the
        nearest 0:15, bills 0:30, not nothing."""
        self.project.write(
            {
                "invoicera_rounding": 0.25,
                "invoicera_rounding_method": "nearest",
                "invoicera_minimum_time": 0.5,
            }
        )
        for hours, billed in ((0.1, 0.5), (0.2, 0.5), (0.6, 0.5), (1.0, 1.0)):
            item = self.item_of(self.log_time(self.alice, hours, name=f"Call {hours}"))
            self.assertEqual((item.quantity, item.amount), (billed, billed * 90), hours)
        self.project.invoicera_rounding_method = "down"
        self.assertEqual(self.item_of(self.log_time(self.alice, 0.2)).quantity, 0.5)
        # no time, no minimum
        self.assertEqual(self.item_of(self.log_time(self.bob, 0)).quantity, 0)

    def test_rates_are_configured_by_billing_managers(self):
        """Billing users read rates (and the prices they give); billing managers
        configure them."""
        Rate = self.env["invoicera.billing.rate"]
        rate = Rate.create(
            {"project_id": self.project.id, "employee_id": self.alice.id, "price_unit": 130}
        )
        clerk = Rate.with_user(self.billing_user)
        self.assertEqual(clerk.browse(rate.id).price_unit, 130)
        with self.assertRaises(AccessError):
            clerk.create(
                {"project_id": self.project.id, "employee_id": self.bob.id, "price_unit": 1}
            )
        with self.assertRaises(AccessError):
            clerk.browse(rate.id).write({"price_unit": 1})
        with self.assertRaises(AccessError):
            clerk.browse(rate.id).unlink()
        manager = new_test_user(
            self.env,
            login="billing_boss",
            groups="base.group_user,invoicera_billing.group_billing_manager",
        )
        mine = Rate.with_user(manager).create(
            {"project_id": self.project.id, "employee_id": self.bob.id, "price_unit": 70}
        )
        mine.write({"price_unit": 75})
        self.assertEqual(self.item_of(self.log_time(self.bob, 1)).price_unit, 75)
        mine.unlink()
        # the project form's list of employee rates: editable for managers only
        for user, editable in ((manager, "True"), (self.billing_user, "False")):
            arch = (
                self.env["project.project"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            rates_list = etree.fromstring(arch).xpath("//field[@name='invoicera_rate_ids']/list")
            self.assertEqual(
                [rates_list[0].get(a, "True") for a in ("create", "edit", "delete")],
                [editable] * 3,
                user.login,
            )

    def test_rates_apply_to_time_whoever_logs_it(self):
        """An employee who reads no rate still bills at hers."""
        worker = new_test_user(
            self.env, login="alice_u", groups="base.group_user,hr_timesheet.group_hr_timesheet_user"
        )
        self.alice.user_id = worker
        self.env["invoicera.billing.rate"].create(
            {"project_id": self.project.id, "employee_id": self.alice.id, "price_unit": 130}
        )
        line = (
            self.env["account.analytic.line"]
            .with_user(worker)
            .create(
                {
                    "project_id": self.project.id,
                    "employee_id": self.alice.id,
                    "unit_amount": 2,
                    "name": "Logged by Alice",
                }
            )
        )
        self.assertRecordValues(self.item_of(line), [{"price_unit": 130, "amount": 260}])
        line.with_user(worker).unit_amount = 3
        self.assertEqual(self.item_of(line).amount, 390)
        self.project_eur.invoicera_hourly_rate = 100
        other = (
            self.env["account.analytic.line"]
            .with_user(worker)
            .create(
                {
                    "project_id": self.project_eur.id,
                    "employee_id": self.alice.id,
                    "unit_amount": 1,
                    "name": "On ERP Rollout",
                }
            )
        )
        self.assertEqual(self.item_of(other).price_unit, 100, "the project's rate")

    def test_internal_rates_are_not_read_by_the_projects_followers(self):
        """A portal follower or a project team member reads neither the project's
        rates nor its markup; billing users and project managers do."""
        rate = self.env["invoicera.billing.rate"].create(
            {"project_id": self.project.id, "employee_id": self.alice.id, "price_unit": 130}
        )
        self.project.write(
            {
                "invoicera_hourly_rate": 140,
                "invoicera_cost_markup": 35,
                "privacy_visibility": "portal",
            }
        )
        portal = new_test_user(self.env, login="acme_portal", groups="base.group_portal")
        team = new_test_user(
            self.env, login="team_member", groups="base.group_user,project.group_project_user"
        )
        self.project.message_subscribe(partner_ids=(portal | team).partner_id.ids)
        for user in (portal, team):
            project = self.project.with_user(user)
            self.assertEqual(project.read(["name"])[0]["name"], "Website", user.login)
            for fname in ("invoicera_hourly_rate", "invoicera_cost_markup", "invoicera_rate_ids"):
                with self.assertRaises(AccessError, msg=f"{user.login} reads {fname}"):
                    project.read([fname])
                self.assertNotIn(fname, project.fields_get(), user.login)
            with self.assertRaises(AccessError, msg=user.login):
                self.env["invoicera.billing.rate"].with_user(user).browse(rate.id).read(
                    ["price_unit"]
                )
        project_manager = new_test_user(
            self.env, login="pm_reads", groups="base.group_user,project.group_project_manager"
        )
        for user in (self.billing_user, project_manager):
            values = self.project.with_user(user).read(
                ["invoicera_hourly_rate", "invoicera_cost_markup", "invoicera_rate_ids"]
            )[0]
            self.assertEqual(
                (
                    values["invoicera_hourly_rate"],
                    values["invoicera_cost_markup"],
                    values["invoicera_rate_ids"],
                ),
                (140, 35, rate.ids),
                user.login,
            )

    def test_duplicated_projects_keep_their_project_wide_rates(self):
        """Duplicating a project with rates on its tasks works; the copy has the
        employees' rates on the whole project (its tasks are new ones)."""
        Rate = self.env["invoicera.billing.rate"]
        Rate.create(
            [
                {"project_id": self.project.id, "employee_id": self.alice.id, "price_unit": 120},
                {
                    "project_id": self.project.id,
                    "task_id": self.task.id,
                    "employee_id": self.alice.id,
                    "price_unit": 150,
                },
            ]
        )
        self.project.invoicera_hourly_rate = 100
        project_manager = new_test_user(
            self.env, login="pm_copies", groups="base.group_user,project.group_project_manager"
        )
        for user in (self.env.user, project_manager):
            copy = self.project.with_user(user).copy()
            self.assertRecordValues(
                copy.sudo().invoicera_rate_ids,
                [{"employee_id": self.alice.id, "task_id": False, "price_unit": 120}],
            )
            self.assertEqual(copy.sudo().invoicera_hourly_rate, 100)
            self.assertEqual(copy.task_ids.mapped("name"), ["Design"])
        self.assertEqual(len(self.project.invoicera_rate_ids), 2, "the original keeps its rates")
