from odoo import models


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _get_custom_move_fields(self):
        # the delivery a Return for Exchange replaces goods of
        # (stock.return.picking._get_proc_values), on the replacement it makes
        return [*super()._get_custom_move_fields(), "invoicera_replaced_move_id"]

    def _push_prepare_move_copy_values(self, move_to_copy, new_date):
        # Delivered in several steps (pick, pack, ship), a replacement is first
        # a pick: the delivery to the client is a copy of it made when it is
        # done, which would lose its link (copy=False) and be billed by nobody.
        # (A chain of pull rules needs nothing: the procurement makes the
        # delivery to the client first, with the link.)
        values = super()._push_prepare_move_copy_values(move_to_copy, new_date)
        values["invoicera_replaced_move_id"] = move_to_copy.invoicera_replaced_move_id.id
        return values
