from odoo import models

#: partner fields whose change can change a client's pricelist: the pricelist
#: itself, its country (Odoo gives a client without a pricelist of its own the
#: one of its country's groups), its parent (a client made a contact of another
#: takes its pricelist)
PRICELIST_FIELDS = {
    "property_product_pricelist",
    "specific_property_product_pricelist",
    "country_id",
    "parent_id",
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    def write(self, vals):
        # Clients whose pricelist changes (not their contacts, which Odoo gives
        # their client's: the work is the client's; not the same one written
        # again, as an import does), in each company billing their unbilled work
        before = self._invoicera_pricelists() if PRICELIST_FIELDS & set(vals) else {}
        res = super().write(vals)
        changed = {
            client_id
            for (client_id, company), pricelist in before.items()
            if self.browse(client_id).sudo().with_company(company).property_product_pricelist
            != pricelist
        }
        if changed:
            # their work priced from their pricelist follows the new one, as a
            # rate changed re-prices its work
            self.env["invoicera.billable.item"]._resync_unbilled(
                [("partner_id", "in", list(changed))]
            )
        return res

    def _invoicera_pricelists(self):
        """{(client id, company): pricelist} of the clients among ``self`` with
        work not invoiced yet (archived too), in each company of that work (their
        items are priced from their pricelist in that company)."""
        clients = self.filtered(lambda partner: partner == partner.commercial_partner_id)
        if not clients:
            return {}
        unbilled = (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(
                [("partner_id", "in", clients.ids), ("state", "!=", "invoiced")],
                ["partner_id", "company_id"],
            )
        )
        return {
            (client.id, company): client.with_company(company).property_product_pricelist
            for client, company in unbilled
        }
