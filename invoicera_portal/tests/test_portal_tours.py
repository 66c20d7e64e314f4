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

    def test_dashboard_card_shown_to_a_client_owing_nothing(self):
        """Odoo hides a portal card whose counter is 0 unless told otherwise: a
        client without an open invoice would find no way to its dashboard."""
        self.assertFalse(
            self.env["account.move"].search([("partner_id", "child_of", self.client_b.id)])
        )
        self.start_tour("/my", "invoicera_portal_home_nothing_open", login=self.user_b.login)
