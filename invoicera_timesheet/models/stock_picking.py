from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def write(self, vals):
        if "project_id" in vals:
            # its replacements (Return for Exchange) are billed on its project too
            moves = self.move_ids
            (moves | moves.invoicera_replacement_move_ids)._invoicera_check_not_billed()
        res = super().write(vals)
        if "project_id" in vals:
            self.move_ids._invoicera_sync_items()
        return res
