from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestBillableItemMeasures(TransactionCase):
    def test_opening_a_view_does_not_read_exchange_rates(self):
        """Billing ▸ Billable Items offers *Amount in Company Currency* as a
        measure to sum, without reading the items' currencies and today's
        rates each time a view of the items loads (``fields_get``)."""
        Item = self.env["invoicera.billable.item"]
        Item.fields_get(["amount", "amount_report"], ["aggregator"])  # warm caches
        with self.assertQueryCount(0):
            description = Item.fields_get(["amount", "amount_report"], ["aggregator"])
        self.assertEqual(description["amount_report"]["aggregator"], "sum")
        # each item's amount is in its own currency: not added up
        self.assertFalse(description["amount"].get("aggregator"))
