from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestMaterialExchanges(CostSourcesCase):
    """Material sent back for exchange (the return wizard's *Return for
    Exchange*): Odoo returns it and sends a replacement in a new delivery, with
    no project. The client keeps what was delivered, and is billed for it once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env.ref("stock.stock_location_customers")

    def deliver(self, quantity=10, **product):
        """``quantity`` routers (150 each) delivered to the project, with stock
        left for their replacements."""
        picking = self.deliver_to_project(quantity, **product)
        self.env["stock.quant"]._update_available_quantity(
            picking.product_id, self.warehouse.lot_stock_id, 10
        )
        return picking

    def exchange(self, picking, quantity):
        """Return for Exchange of ``quantity`` of ``picking``: the return is
        validated; the replacement moves Odoo makes are not (and are returned):
        a pick, when the warehouse delivers in several steps."""
        outgoing = self.pending_moves(picking.product_id)
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = quantity
        returned = self.env["stock.picking"].browse(wizard.action_create_exchanges()["res_id"])
        returned.move_ids.quantity = quantity
        returned.button_validate()
        self.assertEqual(returned.state, "done")
        replacement = self.pending_moves(picking.product_id) - outgoing
        self.assertEqual(replacement.product_uom_qty, quantity, "Odoo sends a replacement")
        self.assertFalse(
            replacement.picking_id.project_id - picking.project_id,
            "for no project (but that of a delivery of the project it joins)",
        )
        return replacement

    def pending_deliveries(self, product):
        return self.pending_moves(product).filtered(
            lambda move: move.picking_type_id == self.warehouse.out_type_id
        )

    def pending_moves(self, product):
        """The moves of ``product`` to do, of every operation (pick, pack, delivery)."""
        return self.env["stock.move"].search(
            [("product_id", "=", product.id), ("state", "not in", ("done", "cancel"))]
        )

    def validate_every_step(self, product):
        """Do every move of ``product`` left to do, step after step (the pick
        makes the pack, the pack the delivery): the moves done."""
        done = self.env["stock.move"]
        while moves := self.pending_moves(product):
            for picking in moves.picking_id:
                done |= self.validate(moves & picking.move_ids).move_ids
        return done

    def waiting_delivery(self, quantities, project=None):
        """A delivery to the client of ``quantities`` ({product: quantity}),
        for ``project`` (none by default), waiting to go."""
        stock = self.warehouse.lot_stock_id
        waiting = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "partner_id": self.client.id,
                "project_id": project.id if project else False,
                "location_id": stock.id,
                "location_dest_id": self.customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "location_id": stock.id,
                            "location_dest_id": self.customers.id,
                        }
                    )
                    for product, quantity in quantities.items()
                ],
            }
        )
        waiting.action_confirm()
        return waiting

    def cable(self):
        """Cables (5 each), 4 in stock."""
        cable = self.env["product.product"].create(
            {"name": "Cable", "type": "consu", "is_storable": True, "list_price": 5}
        )
        self.env["stock.quant"]._update_available_quantity(cable, self.warehouse.lot_stock_id, 4)
        return cable

    def validate(self, moves, quantity=None):
        """Deliver the picking of ``moves`` (``quantity`` of them, the rest to a
        backorder)."""
        picking = moves.picking_id
        picking.action_assign()
        for move in moves:
            move.quantity = quantity if quantity is not None else move.product_uom_qty
            move.picked = True
        picking.with_context(skip_backorder=True).button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def billed(self, invoice):
        """(quantity, untaxed amount) of the routers on ``invoice``."""
        lines = invoice.invoice_line_ids
        return sum(lines.mapped("quantity")), sum(lines.mapped("price_subtotal"))

    def test_exchange_before_invoicing(self):
        """10 delivered, 2 exchanged: the original is billed 8 (2 returned), its
        replacement 2, on the project and for its client; one invoice of 10
        routers. Before: the replacement was billed by nobody (1200 for 10)."""
        picking = self.deliver()
        replacement = self.exchange(picking, 2)
        self.assertEqual(self.item_of(picking.move_ids).quantity, 8, "2 returned")
        self.assertFalse(self.item_of(replacement), "not delivered yet")
        self.validate(replacement)
        self.assertRecordValues(
            self.item_of(replacement),
            [
                {
                    "state": "to_bill",
                    "quantity": 2,
                    "amount": 300,
                    "project_id": self.project.id,
                    "partner_id": self.client.id,
                }
            ],
        )
        invoice = self.invoice(self.client, invoice_date=replacement.date.date())
        self.assertEqual(self.billed(invoice), (10, 1500), "what the client keeps")

    def test_exchange_after_invoicing(self):
        """Invoiced for 10, then 2 exchanged: the return takes nothing off the
        invoice, the replacement is billed nothing more (10, not 12). A full
        credit note bills the delivery for 8 again: the replacement for 2."""
        picking = self.deliver()
        today = picking.move_ids.date.date()
        invoice = self.invoice(self.client, invoice_date=today, post=True)
        self.assertEqual(self.billed(invoice), (10, 1500))
        replacement = self.exchange(picking, 2)
        self.validate(replacement)
        self.assertRecordValues(
            self.item_of(picking.move_ids), [{"state": "invoiced", "quantity": 10}]
        )
        self.assertFalse(self.item_of(replacement), "billed with the delivery")
        self.assertFalse(self.invoice(self.client, invoice_date=replacement.date.date()))
        # credited: what the client keeps is to bill again, 8 + 2
        invoice._reverse_moves([{"invoice_date": today}]).action_post()
        again = self.invoice(self.client, invoice_date=replacement.date.date())
        self.assertEqual(self.billed(again), (10, 1500))
        self.assertEqual(self.item_of(replacement).quantity, 2)

    def test_replacement_delivered_after_the_delivery_was_invoiced(self):
        """Exchanged before invoicing, the replacement delivered after the
        delivery was invoiced for 8: the replacement is billed 2."""
        picking = self.deliver()
        replacement = self.exchange(picking, 2)
        today = picking.move_ids.date.date()
        self.assertEqual(self.billed(self.invoice(self.client, invoice_date=today)), (8, 1200))
        self.assertFalse(self.item_of(replacement))
        self.validate(replacement)
        self.assertRecordValues(
            self.item_of(replacement), [{"state": "to_bill", "quantity": 2, "amount": 300}]
        )
        invoice = self.invoice(self.client, invoice_date=replacement.date.date())
        self.assertEqual(self.billed(invoice), (2, 300))

    def test_delivery_whose_replacement_is_invoiced_keeps_its_project(self):
        """The replacement invoiced (not the delivery): the delivery cannot be
        moved to another project, which would leave the replacement billed to
        the first one's client, as an invoiced delivery cannot."""
        picking = self.deliver()
        replacement = self.exchange(picking, 2)
        self.validate(replacement)
        invoice = self.item_of(replacement)._invoice(self.company, replacement.date.date())
        self.assertEqual(self.billed(invoice), (2, 300))
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            picking.project_id = self.project_eur
        self.assertEqual(picking.project_id, self.project)

    def test_replacement_delivered_in_two_goes(self):
        """The replacement delivered 1 now, 1 in a backorder: both are billed
        as replacements, 2 in all, and no more: a second exchange of 1 of the
        first replacement is billed 1 (what its return took off)."""
        picking = self.deliver()
        replacement = self.exchange(picking, 2)
        self.validate(replacement, quantity=1)
        backorder = self.pending_deliveries(picking.product_id)
        self.assertEqual(backorder.product_uom_qty, 1, "the rest to a backorder")
        self.validate(backorder)
        self.assertEqual(self.item_of(replacement | backorder).mapped("quantity"), [1, 1])
        again = self.exchange(replacement.picking_id, 1)
        self.validate(again)
        self.assertFalse(self.item_of(replacement), "returned")
        self.assertEqual(self.item_of(backorder | again).mapped("quantity"), [1, 1])
        invoice = self.invoice(self.client, invoice_date=again.date.date())
        self.assertEqual(self.billed(invoice), (10, 1500), "what the client keeps")

    def test_exchange_delivered_in_several_steps(self):
        """The warehouse delivers in two or three steps: the replacement Odoo
        sends is a pick, the delivery to the client a copy Odoo makes of it once
        picked (packed): that delivery is the replacement, billed 2 on the
        project, one invoice of 10 routers. Before: the delivery lost the link,
        for no project it was billed by nobody (1200 for 10)."""
        for steps in ("pick_ship", "pick_pack_ship"):
            with self.subTest(steps=steps):
                self.warehouse.delivery_steps = steps
                picking = self.deliver()
                pick = self.exchange(picking, 2)
                self.assertEqual(pick.picking_type_id, self.warehouse.pick_type_id, "picked first")
                done = self.validate_every_step(picking.product_id)
                replacement = done.filtered(lambda move: move.picking_code == "outgoing")
                self.assertEqual(replacement.location_dest_id, self.customers)
                self.assertRecordValues(
                    self.item_of(done),
                    [
                        {
                            "source_id": replacement.id,
                            "quantity": 2,
                            "amount": 300,
                            "project_id": self.project.id,
                        }
                    ],
                )
                invoice = self.invoice(self.client, invoice_date=replacement.date.date())
                self.assertEqual(self.billed(invoice), (10, 1500), "what the client keeps")
                self.assertEqual(replacement.invoicera_replaced_move_id, picking.move_ids)

    def test_replacement_of_a_delivery_not_billed(self):
        """The delivery written off (excluded, deferred), then 2 exchanged: the
        replacement is not billed as new work, it takes the decision (with its
        reason, its date); the client is billed nothing now. Before: the
        replacement was billed 2 (300) for goods the client was never billed."""
        decisions = {
            "written_off": lambda item: item.action_write_off("Demo units, free of charge"),
            "excluded": lambda item: item.action_exclude(),
            "deferred": lambda item: item.action_defer(date(2099, 1, 1)),
        }
        for state, decide in decisions.items():
            with self.subTest(state=state):
                picking = self.deliver()
                decide(self.item_of(picking.move_ids))
                replacement = self.exchange(picking, 2)
                self.validate(replacement)
                self.assertRecordValues(
                    self.item_of(replacement),
                    [
                        {
                            "state": state,
                            "quantity": 2,
                            "write_off_reason": state == "written_off"
                            and "Demo units, free of charge",
                            "deferred_until": state == "deferred" and date(2099, 1, 1),
                        }
                    ],
                )
                day = replacement.date.date()
                self.assertFalse(self.invoice(self.client, invoice_date=day), "nothing to bill")
        # deferred, both are billed when due: what the client keeps
        invoice = self.invoice(self.client, invoice_date=date(2099, 1, 1))
        self.assertEqual(self.billed(invoice), (10, 1500))

    def test_replacement_cancelled(self):
        """The replacement cancelled: the client keeps 8, billed 8."""
        picking = self.deliver()
        replacement = self.exchange(picking, 2)
        replacement.picking_id.action_cancel()
        self.assertEqual(replacement.state, "cancel")
        self.assertFalse(self.item_of(replacement))
        invoice = self.invoice(self.client, invoice_date=picking.move_ids.date.date())
        self.assertEqual(self.billed(invoice), (8, 1200))

    def test_replacement_merged_into_another_delivery(self):
        """Odoo puts the replacement in a delivery to the client waiting to go
        (for no project), with a cable and a router: the replacement is billed on
        the project of the delivery it replaces; the rest of that delivery, the
        router too, is not."""
        picking = self.deliver()
        router = picking.product_id
        waiting = self.waiting_delivery({self.cable(): 4, router: 1})
        replacement = self.exchange(picking, 2)
        self.assertEqual(replacement.picking_id, waiting, "in the waiting delivery")
        self.assertEqual(len(waiting.move_ids), 3, "not merged with its router")
        self.validate(waiting.move_ids)
        self.assertRecordValues(
            self.item_of(waiting.move_ids),
            [{"product_id": router.id, "quantity": 2, "amount": 300}],
        )
        invoice = self.invoice(self.client, invoice_date=replacement.date.date())
        self.assertEqual(self.billed(invoice), (10, 1500))

    def test_replacement_merged_into_a_delivery_of_its_project(self):
        """Odoo puts the replacement in a delivery to the client waiting to go
        for the project of the delivery it replaces, with 4 cables: that
        delivery keeps its project, its cables and the replacement are billed
        on it. Before: it lost its project (sale_project_stock gives it that of
        the replacement's order: none), its cables were billed by nobody."""
        picking = self.deliver()
        cable = self.cable()
        waiting = self.waiting_delivery({cable: 4}, project=self.project)
        replacement = self.exchange(picking, 2)
        self.assertEqual(replacement.picking_id, waiting, "in the waiting delivery")
        self.assertEqual(waiting.project_id, self.project, "keeps its project")
        self.validate(waiting.move_ids)
        self.assertRecordValues(
            self.item_of(waiting.move_ids).sorted("amount"),
            [
                {"product_id": cable.id, "quantity": 4, "amount": 20},
                {"product_id": picking.product_id.id, "quantity": 2, "amount": 300},
            ],
        )
        invoice = self.invoice(self.client, invoice_date=replacement.date.date())
        self.assertEqual(self.billed(invoice), (14, 1520), "10 routers and 4 cables")

    def test_replacement_not_merged_into_a_delivery_of_another_project(self):
        """A delivery to the client waiting to go for another of its projects:
        the replacement is sent apart, the delivery keeps its project; each is
        billed on its own. Before: Odoo put the replacement in it, which lost
        its project: its cables were billed by nobody."""
        picking = self.deliver()
        support = self.client_project("Support", self.company)
        waiting = self.waiting_delivery({self.cable(): 4}, project=support)
        replacement = self.exchange(picking, 2)
        self.assertNotEqual(replacement.picking_id, waiting, "sent apart")
        self.assertEqual(waiting.project_id, support, "keeps its project")
        self.validate(waiting.move_ids)
        self.validate(replacement)
        self.assertRecordValues(
            self.item_of(waiting.move_ids | replacement).sorted("amount"),
            [
                {"project_id": support.id, "quantity": 4, "amount": 20},
                {"project_id": self.project.id, "quantity": 2, "amount": 300},
            ],
        )
        invoice = self.invoice(self.client, invoice_date=replacement.date.date())
        self.assertEqual(self.billed(invoice), (14, 1520), "10 routers and 4 cables")

    def test_exchanged_before_the_project_has_a_client(self):
        """Delivered and exchanged while the project had no client: once it has
        one, the delivery and its replacement are billed to it, 8 + 2."""
        self.project.partner_id = False
        picking = self.deliver()
        replacement = self.exchange(picking, 2)
        self.validate(replacement)
        self.assertFalse(self.item_of(picking.move_ids | replacement), "no client")
        self.project.partner_id = self.client
        self.assertEqual(self.item_of(picking.move_ids | replacement).mapped("quantity"), [8, 2])

    def test_replacements_of_two_deliveries_sent_together(self):
        """Routers delivered for two projects of the client, some of each
        exchanged: Odoo sends both replacements in one delivery, each billed
        with the delivery it replaces, on its project (not one move of 3
        billed as the first's)."""
        website = self.deliver()
        support = self.client_project("Support", self.company)
        other = website.copy({"project_id": support.id})
        other.move_ids.product_uom_qty = 5
        other.action_confirm()
        other.action_assign()
        other.move_ids.quantity = 5
        other.button_validate()
        first, second = self.exchange(website, 2), self.exchange(other, 1)
        self.assertEqual(first.picking_id, second.picking_id, "sent together")
        self.validate(first | second)
        self.assertRecordValues(
            self.item_of(first | second),
            [
                {"project_id": self.project.id, "quantity": 2},
                {"project_id": support.id, "quantity": 1},
            ],
        )
        invoice = self.invoice(self.client, invoice_date=second.date.date())
        self.assertEqual(self.billed(invoice), (15, 2250), "10 and 5 kept")

    def test_replacement_of_a_delivery_reinvoiced_on_the_order(self):
        """A delivery Odoo re-invoiced on its project's order (sale_project_stock):
        its replacement is not billed here either, the order billed the delivery."""
        self.warehouse.out_type_id.analytic_costs = True
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "project_id": self.project.id,
                "order_line": [
                    Command.create({"product_id": self.service.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        self.project.sale_line_id = order.order_line
        self.project.reinvoiced_sale_order_id = order
        picking = self.deliver(expense_policy="sales_price")
        self.assertTrue(picking.move_ids.invoicera_sold_project, "on the order")
        replacement = self.exchange(picking, 2)
        self.validate(replacement)
        self.assertFalse(self.item_of(picking.move_ids | replacement))
        self.assertFalse(self.invoice(self.client, invoice_date=replacement.date.date()))
