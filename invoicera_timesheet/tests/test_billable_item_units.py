from lxml import etree

from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillableItemUnits(InvoiceraTimesheetCase):
    """Billing ▸ Billable Items lists work of several units: hours of time,
    units of materials and milestones. Their quantities are not added up."""

    def test_quantities_of_different_units_are_not_summed(self):
        time = self.item_of(self.log_time(self.alice, 2))
        fee = self.item_of(
            self.env["project.milestone"].create(
                {
                    "name": "Go-live",
                    "project_id": self.project.id,
                    "invoicera_amount": 500,
                    "is_reached": True,
                }
            )
        )
        self.assertNotEqual(time.uom_id, fee.uom_id, "2 hours and 1 unit for one client")
        action = self.env.ref("invoicera_billing.action_invoicera_billable_item")
        arch = etree.fromstring(
            self.Item.get_views([(False, "list")], {"action_id": action.id})["views"]["list"][
                "arch"
            ]
        )
        for fname in ("worked_quantity", "quantity"):
            (node,) = arch.xpath(f"//field[@name='{fname}']")
            self.assertFalse(
                node.get("sum"), f"no total of hours and units under the list ({fname})"
            )
        (unit,) = arch.xpath("//field[@name='uom_id']")
        self.assertEqual(unit.get("optional"), "show", "each quantity shows its unit")
        # the list opens grouped by client: no sum of hours and units on its row
        aggregators = self.Item.fields_get(
            ["worked_quantity", "quantity", "amount", "amount_report"], ["aggregator"]
        )
        self.assertEqual(
            {fname: spec.get("aggregator") for fname, spec in aggregators.items()},
            {"worked_quantity": None, "quantity": None, "amount": None, "amount_report": "sum"},
            "a client's group adds up its amounts in the company's currency, not hours and units",
        )
