from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        res = super().write(vals)
        if "property_product_pricelist" in vals:
            # the client's work priced from its pricelist follows its new one,
            # as a rate changed re-prices its work
            self._invoicera_resync_items()
        return res

    def _invoicera_resync_items(self):
        """Re-price the unbilled work of these clients (every source)."""
        # sudo: the clients' unbilled work, whoever changes the client
        items = (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("state", "!=", "invoiced"),
                ]
            )
        )
        for sources in items._sources().values():
            sources._invoicera_sync_items()
