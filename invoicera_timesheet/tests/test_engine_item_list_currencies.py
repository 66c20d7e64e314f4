from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
@freeze_time("2026-04-30")
class TestEngineItemListCurrencies(InvoiceraTimesheetCase):
    """Billing ▸ Billable Items, list: the total and the group rows add up the
    amounts in the company's currency (as Odoo's invoice list adds up its totals
    in the company's currency), never dollars and euros as one number."""

    def list_columns(self):
        """{field name: its column} of the list Billing ▸ Billable Items shows."""
        action = self.env.ref("invoicera_billing.action_invoicera_billable_item")
        views = self.Item.get_views([(False, "list")], {"action_id": action.id})
        arch = etree.fromstring(views["views"]["list"]["arch"])
        return {field.get("name"): field for field in arch.xpath("//list/field")}, views

    def test_list_totals_in_the_company_currency(self):
        """180 $ and 60 € of work for one client, today 0.8 € per $: the client's
        group row and the list's total say 255 $; each item's amount stays in
        its own currency, not added up (before: 240, dollars and euros)."""
        self.log_time(self.alice, 2, day="2026-04-20")  # 180 USD
        in_eur = self.item_of(self.log_time(self.bob, 1, day="2026-04-21"))
        in_eur.with_context(invoicera_engine=ENGINE).currency_id = self.eur  # 60 EUR
        columns, views = self.list_columns()
        # the item's amount, in its currency: shown, not added up
        self.assertIn("amount", columns)
        self.assertFalse(columns["amount"].get("sum"), "amounts of several currencies summed")
        # the amount in the company's currency: added up in the footer
        summed = [name for name, column in columns.items() if column.get("sum")]
        self.assertEqual(summed, ["amount_report"], "the list's total adds up these columns")
        fields = views["models"]["invoicera.billable.item"]["fields"]
        self.assertEqual(fields["amount_report"]["currency_field"], "report_currency_id")
        self.assertIn("report_currency_id", columns)
        # the group rows: the web client asks for the aggregator of each column
        aggregates = [
            f"{name}:{fields[name]['aggregator']}"
            for name in columns
            if fields.get(name, {}).get("aggregator")
            and fields[name]["type"] in ("monetary", "float", "integer")
        ]
        [group] = self.Item.web_read_group(
            [("partner_id", "=", self.client.id)], aggregates, ["partner_id"]
        )["groups"]
        self.assertNotIn("amount", group, "the client's row adds dollars and euros up")
        self.assertEqual(group["amount_report"], 255)
        items = self.Item.search([("partner_id", "=", self.client.id)], order="date")
        self.assertEqual(items.mapped("amount"), [180, 60])
        self.assertEqual(items.mapped("currency_id"), self.usd | self.eur)
