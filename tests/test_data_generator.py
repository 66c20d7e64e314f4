"""data/generate.py scales by its parameters: what is asked is what is made."""

from datetime import date

from odoo.tests import TransactionCase, tagged

from data.generate import PROFILES, DataGenerator


@tagged("post_install", "-at_install")
class TestDataGenerator(TransactionCase):
    def test_benchmark_profile_scaled_down(self):
        params = dict(
            PROFILES["benchmark"],
            clients=7,
            timesheets_per_client=12,
            expenses_per_client=2,
        )
        created = DataGenerator(self.env, today=date(2026, 3, 31), **params).generate()
        self.assertEqual(len(created["clients"]), 7)
        self.assertEqual(len(created["projects"]), 7, "one project per client")
        self.assertEqual(len(created["timesheets"]), 7 * 12)
        self.assertEqual(len(created["expenses"]), 7 * 2)
        self.assertEqual(set(created["expenses"].sheet_id.mapped("approval_state")), {"approve"})
        per_project = {
            project: len(lines)
            for project, lines in created["timesheets"].grouped("project_id").items()
        }
        self.assertEqual(set(per_project.values()), {12})
        dates = created["timesheets"].mapped("date")
        self.assertLessEqual(max(dates), date(2026, 3, 31))
        self.assertGreaterEqual(min(dates), date(2026, 3, 1))
        # Every third client is billed in the second currency.
        self.assertEqual(len(created["foreign_clients"]), 2)
        self.assertNotEqual(
            created["foreign_clients"][0].property_product_pricelist.currency_id,
            self.env.company.currency_id,
        )

    def generate_twice(self, **params):
        """The demo profile with only clients, projects, time (and ``params``),
        generated twice with the same seed."""
        params = {
            **PROFILES["demo"],
            "invoices": 0,
            "portal_clients": 0,
            "vendor_bills": 0,
            "products": 0,
            "expenses_per_client": 0,
            **params,
        }
        return [
            DataGenerator(self.env, today=date(2026, 3, 31), seed=7, **params).generate()
            for _i in range(2)
        ]

    def test_same_seed_same_data(self):
        first, second = self.generate_twice(clients=3, projects=2, timesheets_per_client=5)
        self.assertEqual(first["clients"].mapped("name"), second["clients"].mapped("name"))
        self.assertEqual(
            first["timesheets"].mapped("unit_amount"),
            second["timesheets"].mapped("unit_amount"),
        )

    def test_data_added_again_keeps_the_portal_logins_it_made(self):
        """``--force`` adds the data again: the same contacts, whose portal users
        exist already; the run goes on without them (the logins, unique, made
        it fail and undo everything)."""
        first, second = self.generate_twice(
            clients=2, projects=1, timesheets_per_client=1, portal_clients=1
        )
        self.assertEqual(len(first["portal_users"]), 1)
        self.assertFalse(second["portal_users"])
        self.assertEqual(len(second["clients"]), 2)
