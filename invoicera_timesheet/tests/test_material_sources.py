from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestMaterialSources(CostSourcesCase):
    """Material: deliveries of sale orders, returns in another unit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.dozen = cls.env.ref("uom.product_uom_dozen")

    def storable(self, name, price, **vals):
        product = self.env["product.product"].create(
            dict(
                {
                    "name": name,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": price,
                    "invoice_policy": "delivery",
                },
                **vals,
            )
        )
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, 100
        )
        return product

    def validate(self, picking):
        picking.action_confirm()
        picking.action_assign()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
            move.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def add_move(self, picking, product, quantity, uom=None):
        picking.move_ids = [
            Command.create(
                {
                    "name": product.name,
                    "product_id": product.id,
                    "product_uom_qty": quantity,
                    "product_uom": (uom or product.uom_id).id,
                    "location_id": picking.location_id.id,
                    "location_dest_id": picking.location_dest_id.id,
                }
            )
        ]
        return picking.move_ids.filtered(lambda move: move.product_id == product)

    def delivery(self):
        """A delivery to the client for the project, with no move yet."""
        return self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.client.id,
                "project_id": self.project.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": self.customers.id,
            }
        )

    def order_for_the_project(self, product, quantity=1):
        """A plain sale order (no project) confirmed, its delivery given the
        client's billable project."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": quantity})
                ],
            }
        )
        order.action_confirm()
        order.picking_ids.project_id = self.project
        return order

    def test_a_delivery_is_named_in_the_clients_language(self):
        """Validated by an English-speaking storekeeper for a French client, the
        material is named in French on its invoice line (as Odoo's sale names
        products), not in the language of whoever validated the delivery."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.client.lang = "fr_FR"
        self.client.invoicera_invoice_detail = "item"
        cable = self.storable("Network cable", 5)
        cable.product_tmpl_id.update_field_translations("name", {"fr_FR": "Câble réseau"})
        picking = self.delivery()
        self.add_move(picking, cable, 2)
        self.validate(picking.with_context(lang="en_US"))
        self.assertEqual(self.item_of(picking.move_ids).name, f"Câble réseau ({picking.name})")
        self.assertIn(
            "Câble réseau",
            self.invoice(
                self.client, invoice_date=picking.move_ids.date.date()
            ).invoice_line_ids.name,
        )

    # ------------------------------------------------------------------
    # Deliveries of sale orders keep Odoo's own flow
    def test_extra_product_on_a_sale_order_delivery_for_the_project(self):
        """A product added to a sale order's delivery is added to the order by
        Odoo (sale_stock), which invoices it: it is not billed here too."""
        router, cable = self.storable("Router", 150), self.storable("Cable", 5)
        order = self.order_for_the_project(router)
        picking = order.picking_ids
        cable_move = self.add_move(picking, cable, 4)
        self.validate(picking)
        sol = order.order_line.filtered(lambda line: line.product_id == cable)
        self.assertEqual(cable_move.sale_line_id, sol)
        self.assertEqual(sol.qty_to_invoice, 4, "Odoo invoices it")
        self.assertFalse(self.item_of(picking.move_ids), "not billed here too")
        self.assertFalse(picking.move_ids._invoicera_items(), "nor archived: never billable")
        # Looked at again (a return, another project): still Odoo's.
        returned = self.return_from_project(picking, 1)
        self.assertEqual(returned.sale_id, order)
        picking.project_id = self.project_eur
        self.assertFalse(self.item_of(picking.move_ids | returned.move_ids))
        self.assertFalse(self.invoice(self.client) or self.invoice(self.client_eur))

    def test_sale_order_delivery_given_the_project_once_done(self):
        """The project set on a sale order's delivery after it is validated."""
        router, cable = self.storable("Router", 150), self.storable("Cable", 5)
        order = self.order_for_the_project(router)
        picking = order.picking_ids
        picking.project_id = False
        self.add_move(picking, cable, 4)
        self.validate(picking)
        picking.project_id = self.project
        self.assertFalse(self.item_of(picking.move_ids))
        self.assertEqual(order.order_line.mapped("qty_to_invoice"), [1, 4], "Odoo invoices both")

    def test_delivery_given_a_sales_order_once_done_stays_billed_here(self):
        """A done delivery given a *Sales Order* afterwards is not put on the
        order (sale_stock does so when it is validated): it stays billed here."""
        picking = self.deliver_to_project(3)
        order = self.order_for_the_project(self.storable("Switch", 80))
        picking.sale_id = order
        self.assertEqual(picking.sale_id, order)
        picking.project_id = self.project_eur  # looked at again
        self.assertFalse(picking.move_ids.sale_line_id)
        self.assertRecordValues(
            self.item_of(picking.move_ids),
            [{"state": "to_bill", "quantity": 3, "project_id": self.project_eur.id}],
        )

    def test_invoiced_delivery_given_an_order_line_is_refused(self):
        """The order would invoice it again: refused once invoiced here; the
        order line given before, its item goes."""
        picking = self.deliver_to_project(3)
        order = self.order_for_the_project(self.storable("Switch", 80))
        invoice = self.invoice(self.client, invoice_date=picking.move_ids.date.date(), post=True)
        self.assertEqual(self.item_of(picking.move_ids).state, "invoiced")
        with self.assertRaises(UserError) as refused:
            picking.move_ids.sale_line_id = order.order_line
        self.assertIn("invoiced and locked", str(refused.exception))
        self.assertRecordValues(
            self.item_of(picking.move_ids), [{"state": "invoiced", "quantity": 3}]
        )
        invoice._reverse_moves([{"invoice_date": invoice.invoice_date}]).action_post()
        self.assertEqual(self.item_of(picking.move_ids).state, "to_bill")
        picking.move_ids.sale_line_id = order.order_line
        self.assertFalse(self.item_of(picking.move_ids), "the order's")

    def deliver_ten_thousand(self, name, price):
        """10,000 pieces of ``name`` at ``price`` (prices to 4 decimals, Decimal
        Accuracy: Product Price) delivered to the project: (product, picking)."""
        self.env.ref("product.decimal_price").digits = 4
        product = self.storable(name, price)
        self.env["stock.quant"]._update_available_quantity(
            product, self.warehouse.lot_stock_id, 10000
        )
        picking = self.delivery()
        self.add_move(picking, product, 10000)
        return product, self.validate(picking)

    def test_a_price_finer_than_a_cent_is_billed_as_priced(self):
        """Prices to 4 decimals (Decimal Accuracy: Product Price): 10,000 screws
        at 0.0125 are billed 125, as a sales order bills them. The item's rate
        was kept to the cent, 0.01: 100 billed."""
        screw, picking = self.deliver_ten_thousand("Screw", 0.0125)
        self.assertRecordValues(
            self.item_of(picking.move_ids), [{"price_unit": 0.0125, "amount": 125}]
        )
        invoice = self.invoice(self.client, invoice_date=picking.move_ids.date.date())
        line = invoice.invoice_line_ids.filtered(lambda line: line.product_id == screw)
        self.assertRecordValues(line, [{"price_unit": 0.0125, "price_subtotal": 125}])

    def test_a_price_under_half_a_cent_is_a_price(self):
        """10,000 resistors at 0.004 (prices to 4 decimals) are billed 40. Before:
        the price, rounded to the cent, was taken for none (a free sample), and
        the delivery was billed by no one."""
        _resistor, picking = self.deliver_ten_thousand("Resistor", 0.004)
        self.assertRecordValues(
            self.item_of(picking.move_ids), [{"price_unit": 0.004, "amount": 40}]
        )

    # ------------------------------------------------------------------
    # Returns in another unit
    def deliver_dozens(self, dozens):
        """``dozens`` Dozens of bolts (2 a Unit) delivered to the project."""
        bolt = self.storable("Bolt", 2)
        picking = self.delivery()
        self.add_move(picking, bolt, dozens, uom=self.dozen)
        return self.validate(picking)

    def test_return_in_another_unit_as_odoo_counts_it(self):
        """2 Dozens delivered, 1 Unit returned: 23 Units, 1.92 Dozens at the
        unit's rounding, what Odoo's sale_stock counts as delivered for the
        same on an order line in Dozens (it rounded 1 Unit up to 0.09 Dozen:
        1.91 Dozens, the client billed less)."""
        picking = self.deliver_dozens(2)
        returned = self.return_from_project(picking, 1)
        self.assertEqual(returned.move_ids.product_uom, picking.product_id.uom_id, "in Units")
        self.assertRecordValues(
            self.item_of(picking.move_ids),
            [{"quantity": 1.92, "uom_id": self.dozen.id, "price_unit": 24, "amount": 46.08}],
        )
        # Odoo, for the same through a sale order in Dozens
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": picking.product_id.id,
                            "product_uom_qty": 2,
                            "product_uom": self.dozen.id,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        self.return_from_project(self.validate(order.picking_ids), 1)
        self.assertEqual(order.order_line.qty_delivered, 1.92)
        self.assertEqual(order.order_line.qty_to_invoice, 1.92)

    def test_returns_in_another_unit_rounded_once(self):
        """2 Dozens delivered, 1 Unit returned three times: 21 Units, 1.75 Dozens
        exactly, not 3 returns each rounded (1.73 or 1.76 Dozens)."""
        picking = self.deliver_dozens(2)
        for _i in range(3):
            self.return_from_project(picking, 1)
        self.assertRecordValues(self.item_of(picking.move_ids), [{"quantity": 1.75, "amount": 42}])
        self.return_from_project(picking, 21)
        self.assertFalse(self.item_of(picking.move_ids), "all returned")

    def test_delivery_dated_the_day_it_was_done_where_the_user_is(self):
        """A delivery validated on March 31 at 22:30 in New York (April 1 in UTC,
        as the database keeps it) is March's work: dated March 31 as the delivery
        shows it, and billed by the March run. (The company's address has no time
        zone: the user's; test_material_dates for the company's.)"""
        self.assertFalse(self.company.partner_id.tz or self.warehouse.partner_id.tz)
        self.env.user.tz = "America/New_York"
        with freeze_time("2026-04-01 02:30:00"):
            picking = self.deliver_to_project(2)
        item = self.item_of(picking.move_ids)
        self.assertEqual(item.date, date(2026, 3, 31))
        invoice = self.invoice(self.client, invoice_date=date(2026, 3, 31))
        self.assertEqual(invoice.invoice_line_ids.invoicera_item_ids, item)
