from odoo import models

from odoo.addons.invoicera_billing.tools import changed_by

#: the sources whose billing follows their product's re-invoicing policy
COST_SOURCE_MODELS = ("hr.expense", "account.move.line")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        # what the write changes (an import sending the same price changes nothing)
        priced = changed_by(self, vals, ["list_price"])
        reinvoiced = changed_by(self, vals, ["expense_policy"])
        res = super().write(vals)
        # The unbilled work of these products follows them: priced anew from
        # the product's price (time, deliveries and costs priced from it, in
        # the client's pricelist), as a rate changed re-prices its work; costs
        # billed or not by the product's re-invoicing policy (set to No, taken
        # off the bill; set back, they come back as they were left).
        Item = self.env["invoicera.billable.item"]
        for products, domain in (
            (priced, []),
            (reinvoiced - priced, [("source_model", "in", COST_SOURCE_MODELS)]),
        ):
            if products:
                variants = products.with_context(active_test=False).product_variant_ids
                Item._resync_unbilled([("product_id", "in", variants.ids), *domain])
        if reinvoiced:
            reinvoiced._invoicera_collect_costs()
        return res

    def _invoicera_collect_costs(self):
        """The costs of these products recorded while they were not re-invoiced
        (policy No) have no item to follow them: found by their product (one
        search per source, those with an item left to ``_resync_unbilled``), as
        a project becoming billable finds the work recorded before. As
        superuser: the work is everyone's, whoever changes the product."""
        variants = self.with_context(active_test=False).product_variant_ids
        Item = self.env["invoicera.billable.item"].sudo().with_context(active_test=False)
        for model in COST_SOURCE_MODELS:
            Source = self.env[model].sudo()
            with_item = Item._search([("source_model", "=", model)]).subselect("source_id")
            Source._invoicera_collect(
                [*Source._invoicera_product_domain(variants), ("id", "not in", with_item)]
            )
