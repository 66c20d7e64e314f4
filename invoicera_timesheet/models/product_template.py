from odoo import models

#: the sources whose billing follows their product's re-invoicing policy
COST_SOURCE_MODELS = ("hr.expense", "account.move.line")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        res = super().write(vals)
        # The unbilled work of these products follows them: priced anew from
        # the product's price (time, deliveries and costs priced from it, in
        # the client's pricelist), as a rate changed re-prices its work; costs
        # billed or not by the product's re-invoicing policy (set to No, taken
        # off the bill; set back, they come back as they were left). Costs
        # recorded while the product was not re-invoiced are not billed after
        # the fact, as Odoo's re-invoicing (made when the cost is recorded).
        domain = [
            ("product_id", "in", self.with_context(active_test=False).product_variant_ids.ids)
        ]
        if "list_price" in vals:
            self.env["invoicera.billable.item"]._resync_unbilled(domain)
        elif "expense_policy" in vals:
            self.env["invoicera.billable.item"]._resync_unbilled(
                domain + [("source_model", "in", COST_SOURCE_MODELS)]
            )
        return res
