from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestProjectPriceAccess(InvoiceraTimesheetCase):
    """A project's hourly rate (and its currency) and markup on costs are
    configured by billing managers, as its employees' rates: a project manager
    reads them, and picks the work, not its price."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project.write({"invoicera_hourly_rate": 100, "invoicera_cost_markup": 10})
        cls.project_manager = new_test_user(
            cls.env,
            login="pm_prices",
            groups="base.group_user,project.group_project_manager,"
            "invoicera_billing.group_billing_user",
        )
        cls.pm_only = new_test_user(
            cls.env, login="pm_only", groups="base.group_user,project.group_project_manager"
        )
        cls.billing_manager = new_test_user(
            cls.env,
            login="billing_boss_pm",
            groups="base.group_user,project.group_project_manager,"
            "invoicera_billing.group_billing_manager,sales_team.group_sale_salesman",
        )

    def dearer_service(self):
        """A service sold by the hour, dearer than the project's."""
        hour = self.env.ref("uom.product_uom_hour")
        return self.env["product.product"].create(
            {
                "name": "Senior time",
                "type": "service",
                "list_price": 500,
                "uom_id": hour.id,
                "uom_po_id": hour.id,
            }
        )

    def test_project_managers_do_not_price_the_project(self):
        """A project manager (a billing user or not) lowering the hourly rate from
        100 to 1 or the markup is refused, naming the project; the time stays
        billed at 100 (before: billed at 1)."""
        item = self.item_of(self.log_time(self.alice, 2))
        self.assertEqual(item.amount, 200)
        for user in (self.project_manager, self.pm_only):
            project = self.project.with_user(user)
            for fname, value in (("invoicera_hourly_rate", 1), ("invoicera_cost_markup", -100)):
                with self.assertRaisesRegex(AccessError, "Only billing managers.*Website"):
                    project.write({fname: value})
            with self.assertRaises(AccessError, msg=user.login):
                self.env["project.project"].with_user(user).create(
                    {"name": "Cheap", "partner_id": self.client.id, "invoicera_hourly_rate": 1}
                )
            # the rest of the project stays theirs, the same price too
            project.write({"description": f"Managed by {user.login}"})
            project.write({"invoicera_hourly_rate": 100})
        self.assertEqual(self.project.invoicera_hourly_rate, 100)
        self.assertEqual(item.amount, 200)
        # nor 100 dollars an hour made 100 euros, on a project of every company
        shared = self.env["project.project"].create(
            {
                "name": "Shared Desk",
                "company_id": False,
                "partner_id": self.client.id,
                "allow_billable": True,
                "invoicera_hourly_rate": 100,
            }
        )
        self.assertEqual(shared.invoicera_rate_currency_id, self.usd)
        with self.assertRaisesRegex(AccessError, "Only billing managers.*Shared Desk"):
            shared.with_user(self.project_manager).invoicera_rate_currency_id = self.eur
        shared.with_user(self.billing_manager).invoicera_rate_currency_id = self.eur
        self.assertEqual(shared.invoicera_rate_currency_id, self.eur)

    def test_project_managers_do_not_move_the_rate_to_another_money(self):
        """Before: a project manager moved the project (100 an hour, in dollars) to
        the euro company, and its time was billed 100 euros an hour. Moving it is
        refused, naming the project and the currency; a billing manager may."""
        europe = self.euro_company()
        for user in (self.project_manager, self.billing_manager):
            user.company_ids |= europe
        project = self.project.with_user(self.project_manager)
        with self.assertRaisesRegex(AccessError, "Moving Website to Invoicera Europe.*EUR"):
            project.company_id = europe
        self.assertEqual(self.project.invoicera_rate_currency_id, self.usd)
        # a project without a rate moves freely
        unpriced = self.env["project.project"].create({"name": "Unpriced"})
        unpriced.with_user(self.project_manager).company_id = europe
        self.project.with_user(self.billing_manager).company_id = europe
        self.assertEqual(self.project.invoicera_rate_currency_id, self.eur)

    def test_prices_are_not_given_as_defaults_either(self):
        """Before: a project manager created a project at 1 an hour through RPC,
        with the rate in the context's defaults."""
        Project = self.env["project.project"].with_user(self.project_manager)
        with self.assertRaisesRegex(AccessError, "Only billing managers.*Cheap"):
            Project.with_context(default_invoicera_hourly_rate=1).create({"name": "Cheap"})

    def test_billing_managers_price_the_project(self):
        """A billing manager re-prices the project's unbilled time, and prices a
        copy of it."""
        item = self.item_of(self.log_time(self.alice, 2))
        self.project.with_user(self.billing_manager).write(
            {"invoicera_hourly_rate": 120, "invoicera_cost_markup": 20}
        )
        self.assertEqual(item.amount, 240)
        copy = self.project.with_user(self.billing_manager).copy({"invoicera_hourly_rate": 130})
        self.assertEqual(
            (copy.invoicera_hourly_rate, copy.invoicera_cost_markup), (130, 20), "given, kept"
        )

    def test_project_form_prices_are_read_only_but_for_billing_managers(self):
        """The project form's Billing tab: the rate and the markup are read-only
        for a project manager who is a billing user."""
        for user, readonly in ((self.project_manager, True), (self.billing_manager, False)):
            arch = (
                self.env["project.project"]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )
            page = etree.fromstring(arch).xpath("//page[@name='invoicera_billing']")[0]
            for fname in ("invoicera_hourly_rate", "invoicera_cost_markup"):
                [field] = page.xpath(f".//field[@name='{fname}']")
                self.assertEqual(field.get("readonly") in ("1", "True"), readonly, user.login)
            # the rate's currency too (editable on a project of every company)
            shared = self.env["project.project"].with_user(user).new({"company_id": False})
            self.assertEqual(shared.invoicera_can_price, not readonly, user.login)
            [currency] = page.xpath(".//field[@name='invoicera_rate_currency_id']")
            self.assertIn("not invoicera_can_price", currency.get("readonly"))
            # the employee rates too: editable, they were refused on saving
            [rates] = page.xpath(".//field[@name='invoicera_rate_ids']")
            self.assertEqual(rates.get("readonly"), "not invoicera_can_price")

    def test_project_managers_without_billing_rights_do_not_set_how_work_is_billed(self):
        """The Billing tab (time rounding, minimum, billed service, approvals) is
        billing staff's, as the form shows it: a project manager without billing
        rights does not set 8 hours a minimum through RPC, nor let disputed work
        be billed by turning client approval off."""
        item = self.item_of(self.log_time(self.alice, 0.25))
        self.project.invoicera_client_approval = True
        item._client_decide("disputed", self.client, "Never asked for")
        dearer = self.dearer_service()
        for vals in (
            {"invoicera_minimum_time": 8},
            {"invoicera_rounding": 8, "invoicera_rounding_method": "up"},
            {"invoicera_service_product_id": dearer.id},
            {"invoicera_client_approval": False},
            {"invoicera_time_approval": True},
        ):
            with self.assertRaises(AccessError) as refused:
                self.project.with_user(self.pm_only).write(vals)
            self.assertIn("Website", str(refused.exception))
        self.assertRecordValues(
            item,
            [
                {
                    "quantity": 0.25,
                    "client_approval": "disputed",
                    "client_comment": "Never asked for",
                }
            ],
        )
        with self.assertRaises(AccessError):
            self.env["project.project"].with_user(self.pm_only).create(
                {"name": "Rounded", "invoicera_minimum_time": 8}
            )
        # the form sent again as it is changes nothing; a new project as it comes
        self.project.with_user(self.pm_only).write({"invoicera_minimum_time": 0})
        self.env["project.project"].with_user(self.pm_only).create({"name": "Plain"})
        # billing staff set them
        self.project.with_user(self.project_manager).write({"invoicera_minimum_time": 0.5})
        self.assertEqual(item.quantity, 0.5)

    def test_billing_settings_are_not_given_as_defaults_either(self):
        """Before: the same project manager set 8 hours a minimum, or a dearer
        billed service, with the setting in the context's defaults (compared
        with default_get, which returns the caller's context defaults)."""
        dearer = self.dearer_service()
        Project = self.env["project.project"].with_user(self.pm_only)
        for context in (
            {"default_invoicera_minimum_time": 8},
            {"default_invoicera_service_product_id": dearer.id},
            {"default_invoicera_time_approval": True},
        ):
            with self.assertRaisesRegex(AccessError, "Only billing staff.*Rounded"):
                Project.with_context(**context).create({"name": "Rounded"})
        # the settings' own defaults are no setting of the caller's
        project = Project.create({"name": "Plain"})
        self.assertEqual(project.sudo().invoicera_minimum_time, 0)

    def test_a_copy_is_not_given_other_billing_settings_or_rate_money(self):
        """Before: a copy skipped the check of how its work is billed (a
        project manager copied the project with 8 hours a minimum), and a
        billing user copied the project (100 dollars an hour) with euros as
        its rate's currency: the copy billed 100 euros an hour. Both refused;
        the original's settings given again, and a billing manager, may."""
        # (Odoo lets only sales users copy a project: its reinvoiced order)
        self.pm_only.groups_id |= self.env.ref("sales_team.group_sale_salesman")
        with self.assertRaisesRegex(AccessError, "Only billing staff.*Website"):
            self.project.with_user(self.pm_only).copy({"invoicera_minimum_time": 8})
        with self.assertRaisesRegex(AccessError, "Only billing managers.*Website"):
            self.project.with_user(self.project_manager).copy(
                {"invoicera_rate_currency_id": self.eur.id}
            )
        copy = self.project.with_user(self.pm_only).copy(
            {"invoicera_minimum_time": self.project.invoicera_minimum_time}
        )
        self.assertEqual(copy.sudo().invoicera_hourly_rate, 100)
        copy = self.project.with_user(self.billing_manager).copy(
            {"invoicera_rate_currency_id": self.eur.id, "invoicera_minimum_time": 8}
        )
        self.assertRecordValues(
            copy,
            [{"invoicera_rate_currency_id": self.eur.id, "invoicera_minimum_time": 8}],
        )
