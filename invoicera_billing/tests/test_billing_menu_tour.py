from odoo.tests import tagged

from .common import InvoiceraHttpCase, png_size


@tagged("post_install", "-at_install")
class TestBillingMenuTour(InvoiceraHttpCase):
    def test_admin_opens_billing_menu(self):
        """In headless Chromium, the admin opens Billing and its invoice list."""
        path = self.start_tour_with_screenshot(
            "/odoo", "invoicera_billing_menu", "billing_menu", login="admin"
        )
        width, height = png_size(path)
        self.assertEqual(width, 1366, "captured at the test browser's desktop width")
        self.assertGreater(height, 500)
        self.assertGreater(path.stat().st_size, 10_000, "the screenshot is blank")
