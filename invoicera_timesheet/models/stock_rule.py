from odoo import models


class StockRule(models.Model):
    _inherit = "stock.rule"

    def _get_custom_move_fields(self):
        # the delivery a Return for Exchange replaces goods of
        # (stock.return.picking._get_proc_values), on the replacement it makes
        return [*super()._get_custom_move_fields(), "invoicera_replaced_move_id"]
