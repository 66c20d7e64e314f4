"""Each addon ships i18n/fr.po: complete, in step with its .pot, and what a
French-speaking client or user reads is French (the annex PDF, the engine's
messages), as Odoo's own parts of the same documents are."""

import re
from collections import Counter
from datetime import date
from unittest.mock import patch

import lxml.html
import polib
from conftest import ROOT

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import code_translations

from odoo.addons.invoicera_timesheet.tests.common import InvoiceraTimesheetCase

ADDONS = [
    "invoicera_billing",
    "invoicera_timesheet",
    "invoicera_portal",
    "invoicera_gateways",
]

#: what a translation must keep as it is: %(name)s, %s, %d, %%, {name}
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdfr]|%[sdfr]|%%|\{[A-Za-z_0-9]*\}")
#: HTML tags (QWeb terms), kept byte for byte and in the same order
TAG = re.compile(r"</?[A-Za-z][^<>]*>")


@tagged("post_install", "-at_install")
class TestFrenchCatalogs(TransactionCase):
    def catalog(self, addon, name):
        path = ROOT / addon / "i18n" / name
        # polib parses a string that is no file as the PO text itself: a
        # missing file would read as an empty catalog
        self.assertTrue(path.is_file(), f"{path.relative_to(ROOT)} is missing")
        return polib.pofile(str(path))

    def test_french_catalogs_are_complete_and_current(self):
        for addon in ADDONS:
            with self.subTest(addon=addon):
                french = self.catalog(addon, "fr.po")
                template = self.catalog(addon, f"{addon}.pot")
                self.assertEqual(french.metadata.get("Language"), "fr")
                self.assertIn("charset=UTF-8", french.metadata.get("Content-Type", ""))
                self.assertEqual(french.metadata.get("Plural-Forms"), "nplurals=2; plural=(n > 1);")
                translated = {entry.msgid: entry for entry in french}
                self.assertEqual(len(translated), len(french), "a msgid twice in fr.po")
                expected = {entry.msgid for entry in template}
                self.assertEqual(
                    set(translated) - expected,
                    set(),
                    f"{addon}/i18n/fr.po has terms its .pot no longer has (obsolete)",
                )
                self.assertEqual(
                    sorted(
                        msgid
                        for msgid in expected
                        if msgid not in translated
                        or not translated[msgid].msgstr.strip()
                        or translated[msgid].fuzzy
                        or translated[msgid].obsolete
                    ),
                    [],
                    f"terms of {addon}.pot not translated in fr.po",
                )

    def test_french_terms_keep_their_placeholders_and_tags(self):
        for addon in ADDONS:
            for entry in self.catalog(addon, "fr.po"):
                msgid, msgstr = entry.msgid, entry.msgstr
                with self.subTest(addon=addon, msgid=msgid[:60]):
                    self.assertEqual(
                        Counter(PLACEHOLDER.findall(msgstr)),
                        Counter(PLACEHOLDER.findall(msgid)),
                        f"placeholders of {msgstr!r}",
                    )
                    self.assertEqual(
                        TAG.findall(msgstr), TAG.findall(msgid), f"HTML tags of {msgstr!r}"
                    )
                    self.assertEqual(
                        msgstr.count("\n"), msgid.count("\n"), f"line breaks of {msgstr!r}"
                    )
                    self.assertEqual(
                        msgstr[: len(msgstr) - len(msgstr.lstrip())],
                        msgid[: len(msgid) - len(msgid.lstrip())],
                    )
                    self.assertEqual(msgstr[len(msgstr.rstrip()) :], msgid[len(msgid.rstrip()) :])


@tagged("post_install", "-at_install")
class TestFrenchClient(InvoiceraTimesheetCase):
    """A French-speaking client's documents and a French user's messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.client.lang = "fr_FR"
        cls.log_time(cls.alice, 2, day="2026-03-02", task=cls.task, name="Wireframes")

    def annex_text(self, invoice):
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "invoicera_billing.action_report_time_annex", invoice.ids
        )
        return " ".join(lxml.html.fromstring(html).text_content().split())

    def test_time_annex_is_french_for_a_french_client(self):
        self.client.invoicera_annex_detail = "entry"
        invoice = self.invoice(self.client, post=True)
        # without French terms (as in a database whose French was installed
        # before the addons shipped fr.po), the French client reads English...
        view = self.env.ref("invoicera_billing.report_time_annex_document")
        # the terms change in this test's transaction only: no template
        # compiled with them may outlive it
        self.addCleanup(self.env.registry.clear_all_caches)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ir_ui_view SET arch_db = arch_db - 'fr_FR' WHERE id = %s", [view.id]
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache("templates")
        self.assertIn(f"Annex to {invoice.name}", self.annex_text(invoice))
        # ... and French once the addons' fr.po are loaded, as Odoo loads them
        # when French is installed or the addons are updated
        self.env["ir.module.module"]._load_module_terms(ADDONS, ["fr_FR"], overwrite=True)
        self.env.invalidate_all()
        self.env.registry.clear_cache("templates")
        text = self.annex_text(invoice)
        self.assertIn(f"Annexe à la facture {invoice.name}", text)
        self.assertNotIn("Annex to", text)
        self.assertIn("Montants hors taxes", text)
        self.assertNotIn("Amounts before taxes", text)
        self.assertIn("Quantité", text)
        self.assertNotIn("Quantity", text)
        # an English client's annex stays English
        self.client.lang = "en_US"
        self.assertIn(f"Annex to {invoice.name}", self.annex_text(invoice))

    def test_engine_messages_are_french_in_a_french_session(self):
        key = ("invoicera_billing", "fr_FR")
        # read from the fr.po on disk, as a fresh server reads it, not from
        # what an earlier test cached or patched
        with patch.dict(code_translations.python_translations):
            code_translations.python_translations.pop(key, None)
            french = self.env(context=dict(self.env.context, lang="fr_FR"))
            run = french["invoicera.billing.run"].create({"invoice_date": date(2026, 3, 31)})
            with self.assertRaisesRegex(
                UserError, r"^Seul un traitement de facturation en cours peut être annulé\.$"
            ):
                run.action_cancel()
            with self.assertRaisesRegex(UserError, "^Only a running billing run can be cancelled"):
                run.with_context(lang="en_US").action_cancel()
