from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestAgingBuckets(InvoiceraTimesheetCase):
    """Unbilled Work Aging as a manager reads it: work dated after today is not
    "0-30 days" old, and quantities of different units are not added up."""

    @freeze_time("2026-04-30")
    def test_work_dated_after_today_is_in_its_own_bucket(self):
        self.log_time(self.alice, 1, day="2026-04-20")  # 10 days
        self.log_time(self.bob, 2, day="2026-05-04")  # planned, in 4 days
        Aging = self.env["invoicera.unbilled.aging"]
        rows = Aging.search([("partner_id", "=", self.client.id)])
        self.assertEqual(
            sorted((str(row.date), row.age, row.age_bucket) for row in rows),
            [("2026-04-20", 10, "1_0_30"), ("2026-05-04", 0, "0_future")],
            "work dated after today: aged 0 days, not yet aging",
        )
        labels = dict(Aging._fields["age_bucket"]._description_selection(self.env))
        self.assertEqual(list(labels)[0], "0_future", "the first column, as Odoo's aged reports")
        # the pivot's columns: the groups in the order the server gives them
        self.log_time(self.bob, 3, day="2026-01-10")  # 110 days
        columns = Aging.read_group(
            [("partner_id", "=", self.client.id)], ["amount:sum"], ["age_bucket"], lazy=False
        )
        self.assertEqual(
            [labels[column["age_bucket"]] for column in columns],
            ["Future", "0-30 days", "Over 90 days"],
        )
        # the "Over 60 days" filter and the buckets agree with the ages
        self.assertFalse(Aging.search([("partner_id", "=", self.client.id), ("age", "<", 0)]))

    def test_quantities_of_different_units_are_not_summed(self):
        Aging = self.env["invoicera.unbilled.aging"]
        self.assertFalse(
            Aging._fields["quantity"].aggregator,
            "hours, units and days are not added up in groups (nor offered as a measure)",
        )
        self.log_time(self.alice, 1, day="2026-04-20")
        row = Aging.search([("partner_id", "=", self.client.id)])
        self.assertEqual(row.uom_id, self.hour)
        arch = Aging.get_views([(False, "list")])["views"]["list"]["arch"]
        (quantity,) = etree.fromstring(arch).xpath("//field[@name='quantity']")
        self.assertFalse(quantity.get("sum"), "no total of hours and units in the list")
        self.assertTrue(
            etree.fromstring(arch).xpath("//field[@name='uom_id']"),
            "each quantity shows its unit",
        )

    def test_realization_opens_on_its_clients(self):
        # its amounts are all in the company's currency: the pivot's rows are the
        # clients (and the graph's bars the employees), not the items' currencies
        action = self.env.ref("invoicera_billing.action_invoicera_realization_report")
        self.assertNotIn("group_by", action.context)
        self.assertNotIn("search_default_group", action.context)
