from ast import literal_eval
from datetime import date

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestDeferAndRunSettings(TransactionCase):
    """The defer date picker and the Clients per Job setting do what they say."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_user = new_test_user(
            cls.env,
            login="review3_billing_clerk",
            groups="base.group_user,invoicera_billing.group_billing_user",
            tz="Pacific/Auckland",
        )

    def picker_min_date(self, env):
        arch = env["invoicera.item.decision.wizard"].get_views([(False, "form")])["views"]
        node = etree.fromstring(arch["form"]["arch"]).find(".//field[@name='deferred_until']")
        return literal_eval(node.get("options"))["min_date"]

    @freeze_time("2026-03-31 20:00:00")
    def test_defer_picker_offers_the_first_day_the_wizard_accepts(self):
        """In Auckland it is already April 1st: the picker offered that day, the
        wizard refused it. The picker's first day is the first one accepted."""
        env = self.env(user=self.billing_user)
        Wizard = env["invoicera.item.decision.wizard"]
        self.assertEqual(self.picker_min_date(env), "2026-04-02")
        with self.assertRaisesRegex(ValidationError, "04/01/2026"):
            Wizard.create({"decision": "defer", "deferred_until": date(2026, 4, 1)})
        Wizard.create({"decision": "defer", "deferred_until": date(2026, 4, 2)})
        # a user in UTC is still on March 31st: April 1st is offered, and accepted
        self.billing_user.tz = "UTC"
        self.assertEqual(self.picker_min_date(env), "2026-04-01")
        Wizard.create({"decision": "defer", "deferred_until": date(2026, 4, 1)})

    def test_draft_run_takes_clients_per_job_set_before_it_starts(self):
        """A draft run prepared, then Clients per Job changed: the run starts
        with the new setting; a run started already keeps the size it ran with."""
        company = self.env.company
        company.invoicera_run_chunk_size = 50
        Run = self.env["invoicera.billing.run"]
        draft = Run.create({})
        started = Run.create({})
        started._write_run({"state": "running"})
        self.assertEqual((draft.chunk_size, started.chunk_size), (50, 50))
        self.env["res.config.settings"].create({"invoicera_run_chunk_size": 2}).execute()
        self.assertEqual(draft.chunk_size, 2, "the draft run follows the setting")
        self.assertEqual(started.chunk_size, 50, "a started run keeps its job size")
