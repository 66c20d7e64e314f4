from datetime import datetime
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools.translate import code_translations

from .common import InvoiceraPortalCommon

API = "/api/billing/v1"


@tagged("post_install", "-at_install")
class TestApiKeyExpiration(InvoiceraPortalCommon, HttpCase):
    """An API key past its expiration date is refused, and the app is told it
    expired (not that it is wrong): its owner knows to create a new one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.make_invoices(cls.client_a, [(300, 10)])
        Keys = cls.env["res.users.apikeys"].with_user(cls.user_a1).sudo()
        cls.key = Keys._generate("rpc", "Mobile app", datetime(2099, 1, 1))
        cls.expired_key = Keys._generate("rpc", "Old phone", datetime(2099, 1, 1))
        # expired since (Odoo deletes such keys when its clean-up next runs)
        cls.env["res.users.apikeys"].sudo().search([("name", "=", "Old phone")]).write(
            {"expiration_date": datetime(2024, 3, 15)}
        )
        cls.env.flush_all()

    def summary(self, key):
        return self.url_open(f"{API}/summary", headers={"Authorization": f"Bearer {key}"})

    def test_an_expired_key_is_refused_as_expired(self):
        response = self.summary(self.expired_key)
        self.assertEqual(response.status_code, 401, response.text[:300])
        error = response.json()["error"]
        self.assertEqual(error["code"], "unauthorized")
        self.assertEqual(
            error["message"],
            "This API key expired on 03/15/2024: create a new one in your account's "
            "security settings.",
        )

    def test_the_day_it_expired_is_its_owner_s(self):
        """Expired at 3 a.m. UTC on March 15, in New York: the evening of March 14,
        the day its owner chose (before: said March 15, in UTC)."""
        self.user_a1.tz = "America/New_York"
        self.env["res.users.apikeys"].sudo().search([("name", "=", "Old phone")]).write(
            {"expiration_date": datetime(2024, 3, 15, 3, 0)}
        )
        response = self.summary(self.expired_key)
        self.assertIn("expired on 03/14/2024", response.json()["error"]["message"])

    def test_a_key_not_expired_yet_works_and_a_wrong_key_is_not_valid(self):
        response = self.summary(self.key)
        self.assertEqual(response.status_code, 200, response.text[:300])
        self.assertEqual(response.json()["client"], "Alpha Corp")
        # the expired key's first characters, the rest wrong: not said to be expired
        wrong = self.expired_key[:8] + "0" * (len(self.expired_key) - 8)
        response = self.summary(wrong)
        self.assertEqual(response.status_code, 401, response.text[:300])
        self.assertEqual(response.json()["error"]["message"], "This API key is not valid.")

    def test_the_app_is_answered_in_its_owner_s_language(self):
        """An API key's requests have no session: they are answered in the key
        owner's language, as Odoo answers them logged in, unless the app asks
        for another (Accept-Language). Before: in English, US dates."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.user_a1.lang = "fr_FR"
        french = {"No such invoice.": "Facture introuvable."}
        with patch.dict(
            code_translations.python_translations, {("invoicera_portal", "fr_FR"): french}
        ):
            error = self.summary(self.expired_key).json()["error"]
            self.assertIn("expired on 15/03/2024", error["message"])
            response = self.url_open(
                f"{API}/invoices/999999", headers={"Authorization": f"Bearer {self.key}"}
            )
            self.assertEqual(response.status_code, 404, response.text[:300])
            self.assertEqual(response.json()["error"]["message"], "Facture introuvable.")
            response = self.url_open(
                f"{API}/invoices/999999",
                headers={"Authorization": f"Bearer {self.key}", "Accept-Language": "en-US"},
            )
            self.assertEqual(response.json()["error"]["message"], "No such invoice.")
            # a phone in German, a language this database does not have: the
            # owner's French, not the company's English
            response = self.url_open(
                f"{API}/invoices/999999",
                headers={
                    "Authorization": f"Bearer {self.key}",
                    "Accept-Language": "de-DE,de;q=0.9",
                },
            )
            self.assertEqual(response.json()["error"]["message"], "Facture introuvable.")
            # French asked without its country: French (France)
            self.user_a1.lang = "en_US"
            response = self.url_open(
                f"{API}/invoices/999999",
                headers={"Authorization": f"Bearer {self.key}", "Accept-Language": "fr"},
            )
            self.assertEqual(response.json()["error"]["message"], "Facture introuvable.")

    def test_a_session_is_answered_in_the_language_the_app_asks_for(self):
        """Logged in (a session), the app asking for English is answered in
        English, as with an API key; else in the user's French. Before: the
        session's language, whatever the app asked for."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.user_a1.lang = "fr_FR"
        self.authenticate(self.user_a1.login, self.user_a1.login)
        french = {"No such invoice.": "Facture introuvable."}
        with patch.dict(
            code_translations.python_translations, {("invoicera_portal", "fr_FR"): french}
        ):
            for headers, message in (
                ({}, "Facture introuvable."),
                ({"Accept-Language": "en-US"}, "No such invoice."),
            ):
                response = self.url_open(f"{API}/invoices/999999", headers=headers)
                self.assertEqual(response.status_code, 404, response.text[:300])
                self.assertEqual(response.json()["error"]["message"], message)
