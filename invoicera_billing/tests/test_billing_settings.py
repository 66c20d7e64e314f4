from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestBillingSettings(TransactionCase):
    """Billing settings refuse values the engine cannot work with, with a clear message."""

    def save_settings(self, **vals):
        self.env["res.config.settings"].create(vals).execute()

    def test_clients_per_job_must_be_positive(self):
        """-10 clients per job saved, every big "Invoice all" crashed with
        Python's "Stop argument for islice()" instead of invoicing."""
        with self.assertRaises(ValidationError) as caught:
            self.save_settings(invoicera_run_chunk_size=-10)
        self.assertIn("Clients per Job", str(caught.exception))
        self.assertEqual(self.env.company.invoicera_run_chunk_size, 50)

    def test_audit_maximum_hours_not_negative(self):
        """-1 hour a day saved, the audit flagged every hour of time as too many."""
        with self.assertRaises(ValidationError) as caught:
            self.save_settings(invoicera_audit_max_daily_hours=-1)
        self.assertIn("Maximum Hours per Day", str(caught.exception))
        self.assertEqual(self.env.company.invoicera_audit_max_daily_hours, 12)

    def test_audit_maximum_age_not_negative(self):
        """-5 days saved, the audit flagged every item "older than -5 days"."""
        with self.assertRaises(ValidationError) as caught:
            self.save_settings(invoicera_audit_max_age_days=-5)
        self.assertIn("Maximum Age", str(caught.exception))
        self.assertEqual(self.env.company.invoicera_audit_max_age_days, 90)

    def test_zero_switches_the_audit_checks_off(self):
        self.save_settings(invoicera_audit_max_daily_hours=0, invoicera_audit_max_age_days=0)
        self.assertEqual(self.env.company.invoicera_audit_max_daily_hours, 0)
        self.assertEqual(self.env.company.invoicera_audit_max_age_days, 0)
