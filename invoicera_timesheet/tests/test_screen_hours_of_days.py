from odoo.tests import tagged

from . import test_cost_sources


@tagged("post_install", "-at_install")
class TestScreenHoursOfDays(test_cost_sources.CostSourcesCase):
    """Unbilled Work: the hours of a client's work, whatever unit of time it is in."""

    def test_hours_count_work_in_days_as_hours(self):
        """A subcontractor's 2 days re-billed beside 3 hours of time: the client's
        line shows 19 hours (a day is 8 hours), not 5."""
        day = self.env.ref("uom.product_uom_day")
        subcontracting = self.env["product.product"].create(
            {
                "name": "Subcontracted development",
                "type": "service",
                "uom_id": day.id,
                "uom_po_id": day.id,
                "supplier_taxes_id": False,
            }
        )
        bill = self.vendor_bill(800, product=subcontracting)
        cost = self.item_of(bill.invoice_line_ids)
        self.assertRecordValues(cost, [{"quantity": 2.0, "uom_id": day.id}])
        self.log_time(self.alice, 3)
        line = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(line.item_count, 2)
        self.assertAlmostEqual(line.hours, 19.0)
