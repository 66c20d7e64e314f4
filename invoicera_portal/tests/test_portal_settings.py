from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPortalSettings(TransactionCase):
    def save_settings(self, days):
        settings = self.env["res.config.settings"].create({"invoicera_promise_max_days": days})
        settings.execute()

    def test_negative_promise_max_days_is_refused(self):
        """Staff typing -5 days in Settings get a clear error naming the setting,
        and the company keeps its limit; 0 (no limit) is still accepted."""
        company = self.env.company
        company.invoicera_promise_max_days = 30
        with self.assertRaises(ValidationError) as caught:
            self.save_settings(-5)
        self.assertRegex(str(caught.exception), r"Promise to Pay: Maximum Days cannot be negative")
        self.assertEqual(company.invoicera_promise_max_days, 30)
        self.save_settings(0)
        self.assertEqual(company.invoicera_promise_max_days, 0)
