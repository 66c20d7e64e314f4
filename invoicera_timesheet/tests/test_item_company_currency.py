from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
@freeze_time("2026-04-30")
class TestItemCompanyCurrency(InvoiceraTimesheetCase):
    """Billing ▸ Billable Items, pivot and graph: amounts of several currencies
    add up in the company's currency, at today's rate (as the billing reports)."""

    def measures(self, view_type):
        """The measures Billing ▸ Billable Items shows in its ``view_type`` view."""
        action = self.env.ref("invoicera_billing.action_invoicera_billable_item")
        views = self.Item.get_views([(False, view_type)], {"action_id": action.id})
        arch = etree.fromstring(views["views"][view_type]["arch"])
        return [field.get("name") for field in arch.xpath("//field[@type='measure']")]

    def test_pivot_and_graph_add_up_in_the_company_currency(self):
        """180 $ and 60 € of work for one client: 255 $ at today's 0.8 € per $;
        before, the pivot and graph showed 240, dollars and euros added up."""
        self.log_time(self.alice, 2, day="2026-04-20")  # 180 USD
        in_eur = self.item_of(self.log_time(self.bob, 1, day="2026-04-21"))
        in_eur.with_context(invoicera_engine=ENGINE).currency_id = self.eur  # 60 EUR
        for view_type in ("pivot", "graph"):
            [measure] = self.measures(view_type)
            self.assertEqual(
                self.Item.fields_get([measure], ["aggregator"])[measure]["aggregator"], "sum"
            )
            [group] = self.Item.read_group(
                [("partner_id", "=", self.client.id)], [f"{measure}:sum"], ["partner_id"]
            )
            self.assertEqual(group[measure], 255, view_type)
        # each item's own amount, in its currency, and in the company's
        items = self.Item.search([("partner_id", "=", self.client.id)], order="date")
        self.assertEqual(items.mapped("amount"), [180, 60])
        self.assertEqual(items.mapped(measure), [180, 75])
        self.assertEqual(items.report_currency_id, self.usd)

    def test_an_item_moved_to_another_currency_has_its_amount_in_it(self):
        """0.33 h at 95: 31.35 $; the item's currency changed alone (its project
        moved to a company in yen, the rate kept), its amount is 31 ¥. Before:
        31.35 kept, fractions of a yen in the reports."""
        item = self.item_of(self.log_time(self.alice, 1, day="2026-04-20"))
        engine = item.with_context(invoicera_engine=ENGINE)
        engine.write({"quantity": 0.33, "price_unit": 95})
        self.assertEqual(item.amount, 31.35)
        jpy = self.env.ref("base.JPY")
        jpy.active = True
        engine.currency_id = jpy
        self.assertEqual(item.amount, 31)
