import importlib.util
from pathlib import Path

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestAutopayChannel(TransactionCase):
    """Autopay charges run in a queue_job channel of their own, which an
    administrator may change for good."""

    def migrate(self, addon="invoicera_portal"):
        root = Path(__file__).parents[2] / addon
        path = root / "migrations" / "18.0.1.1.0" / "post-migration.py"
        spec = importlib.util.spec_from_file_location("migration", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.0.0")

    def test_autopay_leaves_the_billing_runs_channel(self):
        function = self.env.ref("invoicera_portal.job_function_account_move_autopay")
        own = self.env.ref("invoicera_portal.queue_channel_invoicera_autopay")
        runs = self.env.ref("invoicera_billing.queue_channel_invoicera")
        self.assertEqual(function.channel_id, own)
        self.assertEqual(function.channel, "root.invoicera_autopay")
        # kept by updates of the addon, as the billing runs' job functions (so
        # marked in a database of an earlier version by the migrations)
        self.migrate()
        self.migrate("invoicera_billing")
        for xmlid in (
            "invoicera_portal.job_function_account_move_autopay",
            "invoicera_billing.job_function_billing_run_process_chunk",
            "invoicera_billing.job_function_billing_run_end_run",
        ):
            module, name = xmlid.split(".")
            data = self.env["ir.model.data"].search([("module", "=", module), ("name", "=", name)])
            self.assertTrue(data.noupdate, xmlid)
        # a database of an earlier version: moved by the migration
        function.channel_id = runs
        self.migrate()
        self.assertEqual(function.channel_id, own)
        # an administrator's choice: kept
        root = self.env.ref("queue_job.channel_root")
        function.channel_id = root
        self.migrate()
        self.assertEqual(function.channel_id, root)
