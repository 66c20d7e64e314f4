from odoo import models
from odoo.tools import float_compare


class StockMove(models.Model):
    """Materials delivered from stock to a client's project are a source: "material".

    A done move of a delivery (outgoing picking) made for a billable project
    of a client (the picking's *Project*) is billed at the product's price in
    the client's pricelist, for what was delivered less what came back
    (returns done before it is invoiced). Deliveries of sale orders keep
    Odoo's own flow.
    """

    _name = "stock.move"
    _inherit = ["stock.move", "invoicera.billable.mixin"]

    _invoicera_source = "material"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # a return changes what is to bill of the delivery it returns
        (moves | moves.origin_returned_move_id)._invoicera_project_moves()._invoicera_sync_items()
        return moves

    def _invoicera_net_quantity(self):
        """Delivered less returned (done returns that update quantities, Odoo's
        "Update quantities on SO/PO"), in the unit of the delivery."""
        self.ensure_one()
        returned = sum(
            move.product_uom._compute_quantity(move.quantity, self.product_uom)
            for move in self.returned_move_ids
            # as Odoo's sale_stock counts returns: those that update quantities
            if move.state == "done" and move.to_refund
        )
        return self.quantity - returned

    def _invoicera_project_moves(self):
        return self.filtered(lambda move: move.picking_id.project_id)

    def _invoicera_billable(self):
        return self._invoicera_billed_here().filtered(
            lambda move: move.state == "done"
            and move.picking_code == "outgoing"
            and move.location_dest_id.usage == "customer"  # not a return to a vendor
            and not move.sale_line_id
            and move.product_id.type != "service"
            and float_compare(
                move._invoicera_net_quantity(), 0, precision_rounding=move.product_uom.rounding
            )
            > 0
        )

    def _invoicera_billed_here(self):
        """The moves of ``self`` for a project whose deliveries are billed here.

        A project billable and not sold through a sale order; or sold since the
        move was billed here: Odoo re-invoices a delivery on the project's order
        when the delivery is validated (sale_project_stock), not because its
        project was sold since. Deliveries validated once it is sold are Odoo's.
        """
        unsold = self.picking_id.project_id._invoicera_billable_projects()
        billed_on = self.env["project.project"]._invoicera_billed_on(
            self.filtered(lambda move: move.picking_id.project_id - unsold)
        )
        return self.filtered(
            lambda move: move.picking_id.project_id in unsold
            or billed_on.get(move.id) == move.picking_id.project_id
        )

    def _invoicera_item_values(self):
        values = []
        for move in self:
            project = move.picking_id.project_id
            partner = project.partner_id.commercial_partner_id
            quantity = move._invoicera_net_quantity()
            pricelist = partner.with_company(move.company_id).property_product_pricelist
            if pricelist:
                price = pricelist._get_product_price(
                    move.product_id, quantity, uom=move.product_uom
                )
                currency = pricelist.currency_id
            else:
                price = move.product_id.uom_id._compute_price(
                    move.product_id.lst_price, move.product_uom
                )
                currency = move.company_id.currency_id
            values.append(
                {
                    "source_id": move.id,
                    "name": f"{move.product_id.display_name} ({move.picking_id.name})",
                    "date": move.date.date(),
                    "company_id": move.company_id.id,
                    "partner_id": partner.id,
                    "project_id": project.id,
                    "product_id": move.product_id.id,
                    "worked_quantity": quantity,
                    "quantity": quantity,
                    "uom_id": move.product_uom.id,
                    "price_unit": price,
                    "standard_price_unit": price,
                    "currency_id": currency.id,
                }
            )
        return values
