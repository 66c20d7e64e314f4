from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        # Clients given another pricelist (not their contacts, which Odoo gives
        # their client's: the work is the client's; not the same one written
        # again, as an import does)
        clients = (
            self.filtered(lambda partner: partner == partner.commercial_partner_id)
            if "property_product_pricelist" in vals
            else self.browse()
        )
        before = {client.id: client.property_product_pricelist for client in clients}
        res = super().write(vals)
        changed = clients.filtered(
            lambda client: client.property_product_pricelist != before[client.id]
        )
        if changed:
            # their work priced from their pricelist follows the new one, as a
            # rate changed re-prices its work
            self.env["invoicera.billable.item"]._resync_unbilled(
                [("partner_id", "in", changed.ids)]
            )
        return res
