from odoo import models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _get_proc_values(self, line):
        """Return for Exchange: the replacement Odoo's procurement delivers is
        linked to the delivery whose goods it replaces (``stock.rule``'s
        custom move fields), which it is billed with: its own delivery has no
        project. A replacement exchanged again replaces goods of that first
        delivery still, whose bill it shares."""
        values = super()._get_proc_values(line)
        values["invoicera_replaced_move_id"] = (
            line.move_id.invoicera_replaced_move_id or line.move_id
        ).id
        return values
