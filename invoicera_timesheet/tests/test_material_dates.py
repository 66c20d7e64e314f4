from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestMaterialDates(CostSourcesCase):
    """The day of a delivery: where the warehouse is, not where whoever syncs is."""

    def test_delivery_dated_in_the_companys_time_zone_whoever_syncs_it(self):
        """The company works in New York. A delivery validated on March 31 at 22:30
        there (April 1 in UTC) by a colleague in Tokyo (April 1, 11:30 for them) is
        March's work: dated March 31. Re-priced later by a user in Auckland (the
        project's markup changed), it stays March 31."""
        self.company.partner_id.tz = "America/New_York"
        self.env.user.tz = "Asia/Tokyo"
        with freeze_time("2026-04-01 02:30:00"):
            picking = self.deliver_to_project(2)
        item = self.item_of(picking.move_ids)
        self.assertEqual(item.date, date(2026, 3, 31))
        self.env.user.tz = "Pacific/Auckland"
        self.project.invoicera_cost_markup = 5
        self.assertEqual(item.date, date(2026, 3, 31))
        invoice = self.invoice(self.client, invoice_date=date(2026, 3, 31))
        self.assertEqual(invoice.invoice_line_ids.invoicera_item_ids, item)

    def test_delivery_dated_where_its_responsible_is_without_company_time_zone(self):
        """Neither the warehouse nor the company has a time zone (Odoo's default):
        the delivery is dated in its responsible's, not re-dated in the time zone
        of whoever syncs it later (a user in Paris moved it to April 1, out of
        March's run)."""
        self.company.partner_id.tz = False
        self.warehouse.partner_id.tz = False
        self.env.user.tz = "America/New_York"
        with freeze_time("2026-04-01 02:30:00"):
            picking = self.deliver_to_project(2)
        self.assertEqual(picking.user_id, self.env.user)
        item = self.item_of(picking.move_ids)
        self.assertEqual(item.date, date(2026, 3, 31))
        # re-priced by a billing manager in Paris
        self.project.with_context(tz="Europe/Paris").invoicera_cost_markup = 5
        self.assertEqual(item.date, date(2026, 3, 31))
