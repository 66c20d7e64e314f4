from odoo import models

from odoo.addons.invoicera_billing.tools import changed_by

#: the sources whose billing follows their product's re-invoicing policy
COST_SOURCE_MODELS = ("hr.expense", "account.move.line")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        # what the write changes (an import sending the same price changes nothing)
        priced = changed_by(self, vals, ["list_price"])
        policy = changed_by(self, vals, ["expense_policy"]) - priced
        res = super().write(vals)
        # The unbilled work of these products follows them: priced anew from
        # the product's price (time, deliveries and costs priced from it, in
        # the client's pricelist), as a rate changed re-prices its work; costs
        # billed or not by the product's re-invoicing policy (set to No, taken
        # off the bill; set back, they come back as they were left).
        Item = self.env["invoicera.billable.item"]
        for products, domain in (
            (priced, []),
            (policy, [("source_model", "in", COST_SOURCE_MODELS)]),
        ):
            if products:
                variants = products.with_context(active_test=False).product_variant_ids
                Item._resync_unbilled([("product_id", "in", variants.ids), *domain])
        return res
