from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def unlink(self):
        # The database deletes the lines and clears the order line of their
        # milestones and time without the ORM: these are then billed here (but
        # the milestones the order invoiced).
        lines = self.order_line
        leaving = lines._invoicera_before_unlink()
        result = super().unlink()
        lines._invoicera_after_unlink(*leaving)
        return result
