from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        res = super().write(vals)
        if "property_product_pricelist" in vals:
            # the clients' work priced from their pricelist follows the new one,
            # as a rate changed re-prices its work
            self.env["invoicera.billable.item"]._resync_unbilled(
                [("partner_id", "in", self.commercial_partner_id.ids)]
            )
        return res
