from odoo import models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def action_create_exchanges(self):
        """Return for Exchange of a delivery to a project: the replacement goes to
        the same project, and is billed there as the return is deducted.

        Odoo gives the replacement delivery the project of the delivery's sale
        order (sale_project_stock), none for a delivery to a project without
        one: the returned quantity was deducted from what the client is billed,
        the replacement never added back.
        """
        wizard = self.with_context(invoicera_exchange_project_id=self.picking_id.project_id.id)
        return super(StockReturnPicking, wizard).action_create_exchanges()
