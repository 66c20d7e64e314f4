from freezegun import freeze_time

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

    def test_an_estimate_is_listed_while_odoo_still_takes_a_decision(self):
        """The dashboard lists a quotation as long as Odoo's quotation page
        offers to accept it, which judges its expiry by the server's (UTC) day:
        at 21:00 in New York on the last valid day it was listed, Odoo's page
        already refused it; in Auckland it was hidden while still valid."""
        order = self.quote(self.client_a)
        order.validity_date = "2026-03-09"
        self.authenticate(self.user_a1.login, self.user_a1.login)
        for zone, moment in (
            ("America/New_York", "2026-03-10 02:00:00"),
            ("Pacific/Auckland", "2026-03-09 13:00:00"),
        ):
            with self.subTest(zone=zone), freeze_time(moment):
                self.company.partner_id.tz = zone
                order.invalidate_recordset(["is_expired"])
                dashboard = self.url_open("/my/billing").text
                self.assertEqual(f">{order.name}<" in dashboard, not order.is_expired)
