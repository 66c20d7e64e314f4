from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def unlink(self):
        # The database deletes the lines and clears their milestones' order line
        # without the ORM: those milestones are then billed here.
        milestones = self.order_line._invoicera_unbilled_milestones()
        result = super().unlink()
        milestones.exists()._invoicera_sync_items()
        return result
