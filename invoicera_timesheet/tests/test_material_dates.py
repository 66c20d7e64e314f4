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
