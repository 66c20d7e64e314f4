from odoo import api, models

#: move line fields whose change on a done move changes what was delivered
DONE_QUANTITY_FIELDS = {"quantity", "product_uom_id"}


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._invoicera_done_quantity_changed()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if DONE_QUANTITY_FIELDS & set(vals):
            self._invoicera_done_quantity_changed()
        return res

    def _invoicera_done_moves(self):
        """The done moves of ``self`` made for a project."""
        return self.move_id.filtered(lambda move: move.state == "done")._invoicera_project_moves()

    def _invoicera_done_quantity_changed(self):
        """A done quantity corrected (Odoo: unlock the transfer, edit the quantity):
        what is to bill of the delivery, or of the delivery a return returns,
        follows it until invoiced; an invoiced delivery is not corrected, nor are
        its returns that count (those updating quantities, as Odoo counts them:
        what they give back is billed no more)."""
        moves = self._invoicera_done_moves()
        if moves:
            returned = moves.filtered("to_refund").origin_returned_move_id
            moves = (moves | returned)._invoicera_project_moves()
            moves._invoicera_check_not_billed()
            moves._invoicera_sync_items()
