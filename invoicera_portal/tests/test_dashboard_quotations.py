from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestDashboardQuotations(InvoiceraPortalCommon, HttpCase):
    """The estimates the dashboard lists are those Odoo's own portal lists in
    /my/quotes (where its "See all your quotations" leads)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.product = cls.env["product.product"].create({"name": "Audit", "list_price": 500})

    def quote(self, partner):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": self.product.id})],
            }
        )
        order.action_quotation_sent()
        return order

    def test_a_subsidiarys_estimate_is_listed_as_in_odoos_portal(self):
        """A company filed under Ann's client (a subsidiary) is quoted: Odoo's
        /my/quotes lists the quotation for Ann (its rules and domain take the
        client's whole tree), and so does her dashboard; another client's is in
        neither."""
        subsidiary = self.env["res.partner"].create(
            {"name": "Alpha Labs", "is_company": True, "parent_id": self.client_a.id}
        )
        own, subsidiary_quote, other = (
            self.quote(partner) for partner in (self.client_a, subsidiary, self.client_b)
        )
        self.authenticate(self.user_a1.login, self.user_a1.login)
        odoo_quotes = self.url_open("/my/quotes").text
        dashboard = self.url_open("/my/billing").text
        for order, listed in ((own, True), (subsidiary_quote, True), (other, False)):
            with self.subTest(order=order.partner_id.name):
                self.assertEqual(f">{order.name}<" in odoo_quotes, listed, "Odoo's /my/quotes")
                self.assertEqual(
                    f">{order.name}<" in dashboard, listed, "the dashboard as /my/quotes"
                )
