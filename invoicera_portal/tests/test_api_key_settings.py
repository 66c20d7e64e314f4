from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestApiKeySettings(InvoiceraPortalCommon, HttpCase):
    """The mobile app's API keys: clients make them in the portal once the
    administrator allows it (Billing settings), valid as long as set there.
    Before, a client's key lasted a day at most (Odoo's default for portal
    users) and its section of the portal showed only in debug mode: the app
    stopped working every day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()

    def configure(self, allowed, days):
        self.env["res.config.settings"].create(
            {"portal_allow_api_keys": allowed, "invoicera_api_key_days": days}
        ).execute()

    def make_key(self, days):
        """A key of ``days`` days, made as the portal user (as make_key does, after
        Odoo's check of the password)."""
        description = (
            self.env["res.users.apikeys.description"]
            .with_user(self.user_a1)
            .create({"name": "Phone", "duration": str(days)})
        )
        description.check_access_make_key()
        return (
            self.env["res.users.apikeys"]
            .with_user(self.user_a1)
            ._generate(None, description.name, description.expiration_date)
        )

    def test_clients_make_keys_valid_as_long_as_set(self):
        with self.assertRaisesRegex(ValidationError, "cannot exceed 1.0 days"):
            self.make_key(90)
        self.configure(True, 90)
        self.assertEqual(self.env.ref("base.group_portal").api_key_duration, 90)
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(
            (settings.portal_allow_api_keys, settings.invoicera_api_key_days), (True, 90)
        )
        key = self.make_key(90)
        [stored] = self.env["res.users.apikeys"].sudo().search([("user_id", "=", self.user_a1.id)])
        self.assertGreater(stored.expiration_date, datetime.now() + timedelta(days=89))
        response = self.url_open(
            "/api/billing/v1/summary", headers={"Authorization": f"Bearer {key}"}
        )
        self.assertEqual(response.status_code, 200, response.text[:300])
        # a year: refused
        with self.assertRaisesRegex(ValidationError, "cannot exceed 90.0 days"):
            self.make_key(365)
        with self.assertRaisesRegex(ValidationError, "valid for some time"):
            self.configure(True, 0)

    def test_saving_other_settings_keeps_the_duration(self):
        """Half a day set on the Portal group: saving the settings (every field
        sent again) keeps it, not a day rounded up."""
        portal = self.env.ref("base.group_portal")
        Settings = self.env["res.config.settings"]

        def save_as_the_form():
            # the form sends the value it shows
            shown = Settings.new({}).invoicera_api_key_days
            Settings.create({"invoicera_api_key_days": shown}).execute()

        portal.api_key_duration = 0.5
        save_as_the_form()
        self.assertEqual(portal.api_key_duration, 0.5)
        portal.api_key_duration = 0
        save_as_the_form()
        self.assertEqual(portal.api_key_duration, 0, "Odoo's default left as it is")

    def test_the_portal_shows_the_keys_once_allowed(self):
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/security")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Developer API Keys", page.text)
        self.configure(True, 30)
        page = self.url_open("/my/security")
        self.assertIn("Developer API Keys", page.text)
        self.assertIn("o_portal_new_api_key", page.text)
