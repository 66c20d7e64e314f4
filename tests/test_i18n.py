"""Each addon's i18n/<addon>.pot holds every translatable term of the addon."""

import io

import polib
from babel.messages.extract import extract_python
from conftest import ROOT

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export

ADDONS = [
    "invoicera_billing",
    "invoicera_timesheet",
    "invoicera_portal",
    "invoicera_gateways",
]


@tagged("post_install", "-at_install")
class TestTemplates(TransactionCase):
    def test_pot_files_are_up_to_date(self):
        for addon in ADDONS:
            with self.subTest(addon=addon):
                buffer = io.BytesIO()
                trans_export(None, [addon], buffer, "po", self.env.cr)
                exported = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode())}
                committed = {
                    entry.msgid
                    for entry in polib.pofile(str(ROOT / addon / "i18n" / f"{addon}.pot"))
                }
                self.assertEqual(
                    exported - committed,
                    set(),
                    f"terms missing from {addon}.pot: regenerate it (see the README)",
                )
                self.assertEqual(
                    committed - exported,
                    set(),
                    f"{addon}.pot has terms the addon no longer has",
                )

    def test_every_python_file_is_read_by_the_extraction(self):
        # Odoo's export skips a file whose _() calls Babel cannot evaluate (an
        # f-string among the arguments): all its terms would be missing.
        for addon in ADDONS:
            for path in sorted((ROOT / addon).rglob("*.py")):
                if "tests" in path.relative_to(ROOT / addon).parts:
                    continue
                with self.subTest(path=str(path.relative_to(ROOT))), path.open("rb") as source:
                    list(extract_python(source, ["_", "_lt"], [], {}))
