from odoo import models

#: the sources whose billing follows their product's re-invoicing policy
COST_SOURCE_MODELS = ("hr.expense", "account.move.line")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        res = super().write(vals)
        if "expense_policy" in vals:
            self._invoicera_resync_costs()
        return res

    def _invoicera_resync_costs(self):
        """The unbilled costs of these products (expenses, vendor bill lines)
        follow their re-invoicing policy: no longer re-invoiced, they are taken
        off the bill; at cost or at their sales price, priced so; re-invoiced
        again, they come back as they were left. Costs recorded while the
        product was not re-invoiced are not billed after the fact, as Odoo's
        re-invoicing (made when the cost is recorded)."""
        products = self.with_context(active_test=False).product_variant_ids
        # sudo: the products' unbilled work, whoever changes the product
        items = (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("product_id", "in", products.ids),
                    ("source_model", "in", COST_SOURCE_MODELS),
                    ("state", "!=", "invoiced"),
                ]
            )
        )
        for sources in items._sources().values():
            sources._invoicera_sync_items()
