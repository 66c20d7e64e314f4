from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource

from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestDashboardCompanyTotals(InvoiceraPortalCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.make_invoices(cls.client_a, [(100, -10)])

    def test_a_company_the_user_may_not_see_is_not_shown(self):
        """Ann's client is billed by a second company she has no access to: her
        dashboard and the app's summary show nothing of it (they read the
        client's account as superuser, its invoices listed with links that
        opened them), as Odoo's invoice list."""
        other_invoice = self.make_other_company_move(self.client_a, 45)
        other_invoice.action_post()
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/billing").text
        self.assertIn(f"Your account with {self.company.name}", page)
        self.assertNotIn("Northbridge Europe", page)
        self.assertNotIn(other_invoice.name, page)
        key = (
            self.env["res.users.apikeys"]
            .with_user(self.user_a1)
            .sudo()
            ._generate("rpc", "Mobile app", None)
        )
        summary = self.url_open(
            "/api/billing/v1/summary", headers={"Authorization": f"Bearer {key}"}
        ).json()
        self.assertEqual(
            [(line["company"], line["outstanding"]) for line in summary["currencies"]],
            [(self.company.name, 100.0)],
        )

    def test_totals_are_per_company_as_their_titles(self):
        """Ann may see the invoices of two companies of the database: her dashboard
        shows her account with each of them apart, each with its own totals, not
        one card adding both under the title of the first."""
        other_invoice = self.make_other_company_move(self.client_a, 45)
        other_invoice.action_post()
        other = other_invoice.company_id
        self.user_a1.company_ids |= other
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/billing").text
        main_title = f"Your account with {self.company.name}"
        other_title = "Your account with Northbridge Europe"
        self.assertIn(main_title, page)
        self.assertIn(other_title, page)
        main_part, other_part = page.split(main_title)[1].split(other_title)
        self.assertIn("100.00", main_part.split("Open invoices")[0])
        self.assertNotIn("145.00", page)
        self.assertIn("45.00", other_part.split("Open invoices")[0])
        data = self.client_a.with_user(self.user_a1)._invoicera_dashboard(today=self.today)
        self.assertEqual(
            [
                (company, [(d["currency"].name, d["outstanding"]) for d in summaries])
                for company, summaries in data["companies"]
            ],
            [(self.company, [("USD", 100)]), (other, [("USD", 45)])],
        )

    def test_api_summary_says_each_amounts_company(self):
        """The app's summary lists the account with each company apart too, and
        says whose it is."""
        other_invoice = self.make_other_company_move(self.client_a, 45)
        other_invoice.action_post()
        self.user_a1.company_ids |= other_invoice.company_id
        self.authenticate(self.user_a1.login, self.user_a1.login)
        data = self.url_open("/api/billing/v1/summary").json()
        spec = self.url_open("/api/billing/v1/openapi.json").json()
        OAS30Validator(
            {"$ref": "urn:spec#/components/schemas/Summary"},
            registry=Registry().with_resource("urn:spec", Resource.opaque(spec)),
        ).validate(data)
        self.assertEqual(
            [(c["company"], c["currency"], c["outstanding"]) for c in data["currencies"]],
            [(self.company.name, "USD", 100), ("Northbridge Europe", "USD", 45)],
        )
