from lxml import etree

from odoo.tests import tagged

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestUnbilledScreenCurrencies(InvoiceraTimesheetCase):
    """Billing ▸ Work ▸ Unbilled Work grouped by client, company or date: a group
    of lines in several currencies shows no amount, as Odoo's lists show none
    where currencies differ (never dollars and euros as one number)."""

    def group_rows(self, groupby):
        """The group rows the list shows grouped by ``groupby``: the web client
        asks for the aggregator of each of the list's columns."""
        Screen = self.env["invoicera.unbilled.client"].with_user(self.billing_user)
        action = self.env.ref("invoicera_timesheet.action_invoicera_unbilled_client")
        views = Screen.get_views([(False, "list")], {"action_id": action.id})
        arch = etree.fromstring(views["views"]["list"]["arch"])
        fields = views["models"]["invoicera.unbilled.client"]["fields"]
        aggregates = [
            f"{name}:{fields[name]['aggregator']}"
            for name in arch.xpath("//list/field/@name")
            if fields[name].get("aggregator")
        ]
        self.assertIn("amount:sum", aggregates)
        groups = Screen.web_read_group(
            [("partner_id", "in", (self.client | self.client_eur).ids)], aggregates, [groupby]
        )["groups"]
        return {group[groupby][0] if group[groupby] else False: group for group in groups}

    def test_a_group_of_two_currencies_shows_no_amount(self):
        """Acme has 180 $ and 60 € to bill, Lumière 360 $: grouped by client,
        Acme's row shows no amount (before: 240), Lumière's its 360 $; grouped
        by currency, each currency's total."""
        self.log_time(self.alice, 2)  # 180 USD
        in_eur = self.item_of(self.log_time(self.bob, 1))
        # as a vendor cost billed in the vendor's currency
        in_eur.with_context(invoicera_engine=ENGINE).currency_id = self.eur  # 60 EUR
        self.log_time(self.alice, 4, project=self.project_eur)  # 360 USD
        by_client = self.group_rows("partner_id")
        self.assertFalse(by_client[self.client.id]["amount"], "dollars and euros added up")
        self.assertEqual(by_client[self.client_eur.id]["amount"], 360)
        self.assertEqual(by_client[self.client.id]["item_count"], 2)
        by_company = self.group_rows("company_id")
        self.assertFalse(by_company[self.company.id]["amount"], "dollars and euros added up")
        by_currency = self.group_rows("currency_id")
        self.assertEqual(by_currency[self.usd.id]["amount"], 540)
        self.assertEqual(by_currency[self.eur.id]["amount"], 60)
