from odoo.tests import tagged

from odoo.addons.invoicera_billing.tests.common import InvoiceraHttpCase, png_size

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPortalTours(InvoiceraPortalCommon, InvoiceraHttpCase):
    """The client's pages in headless Chromium, on a desktop and on a phone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.make_invoices(cls.client_a, [(120, -10), (80, 15), (300, -70)])

    def test_dashboard_desktop(self):
        path = self.start_tour_with_screenshot(
            "/my",
            "invoicera_portal_dashboard",
            "portal_dashboard_desktop",
            login=self.user_a1.login,
        )
        self.assertEqual(png_size(path)[0], 1366)

    def test_dashboard_phone(self):
        self.touch_enabled = True
        path = self.start_tour_with_screenshot(
            "/my",
            "invoicera_portal_dashboard",
            "portal_dashboard_phone",
            viewport=(390, 844),
            login=self.user_a1.login,
        )
        self.assertEqual(png_size(path), (390, 844))
