"""What each credential field means for a gateway, in the user's language."""

from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader, code_translations

from ..gateways import GATEWAYS

BRAINTREE_SECRET_KEY = "Private key; Braintree also signs its webhooks with it"


@tagged("post_install", "-at_install")
class TestCredentialLabels(TransactionCase):
    def test_credentials_help_is_shown_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        provider = self.env.ref("invoicera_gateways.payment_provider_braintree")
        self.env["ir.model.fields"]._get(
            "payment.provider", "invoicera_secret_key"
        ).update_field_translations("field_description", {"fr_FR": "Clé secrète"})
        french = {BRAINTREE_SECRET_KEY: "Clé privée ; Braintree signe aussi ses webhooks avec"}
        # As a fr.po of the addon would give them.
        with patch.dict(
            code_translations.python_translations, {("invoicera_gateways", "fr_FR"): french}
        ):
            provider.invalidate_recordset(["invoicera_credentials_help"])
            shown = str(provider.with_context(lang="fr_FR").invoicera_credentials_help)
        self.assertIn("<b>Clé secrète</b>: Clé privée ; Braintree signe aussi", shown)
        self.assertNotIn(BRAINTREE_SECRET_KEY, shown)
        provider.invalidate_recordset(["invoicera_credentials_help"])
        self.assertIn(
            f"<b>Secret Key</b>: {BRAINTREE_SECRET_KEY}",
            str(provider.with_context(lang="en_US").invoicera_credentials_help),
        )

    def test_every_credential_label_is_exported_for_translation(self):
        # What the .pot file is generated from.
        terms = {
            row[4]
            for row in TranslationModuleReader(self.env.cr, modules=["invoicera_gateways"])
            if row[1] == "code"
        }
        for code, gateway in GATEWAYS.items():
            for field, label in gateway.credentials.items():
                source = getattr(label, "_source", label)
                self.assertIn(source, terms, f"{code}: the label of {field}")
