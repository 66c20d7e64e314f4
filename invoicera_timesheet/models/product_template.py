from odoo import models

#: the sources whose billing follows their product's re-invoicing policy
COST_SOURCE_MODELS = ("hr.expense", "account.move.line")


class ProductTemplate(models.Model):
    _inherit = "product.template"

    def write(self, vals):
        res = super().write(vals)
        if "list_price" in vals:
            # time, deliveries and costs priced from the product (its price in
            # the client's pricelist), as a rate changed re-prices its work
            self._invoicera_resync_items()
        elif "expense_policy" in vals:
            self._invoicera_resync_items(COST_SOURCE_MODELS)
        return res

    def _invoicera_resync_items(self, source_models=None):
        """The unbilled work of these products follows them (of ``source_models``
        only, if given): priced anew from the product's price; for costs, billed
        or not by the product's re-invoicing policy (set to *No*, taken off the
        bill; set back, they come back as they were left). Costs recorded while
        the product was not re-invoiced are not billed after the fact, as Odoo's
        re-invoicing (made when the cost is recorded)."""
        products = self.with_context(active_test=False).product_variant_ids
        domain = [("product_id", "in", products.ids), ("state", "!=", "invoiced")]
        if source_models:
            domain.append(("source_model", "in", source_models))
        # sudo: the products' unbilled work, whoever changes the product
        items = (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=False)
            .search(domain)
        )
        for sources in items._sources().values():
            sources._invoicera_sync_items()
