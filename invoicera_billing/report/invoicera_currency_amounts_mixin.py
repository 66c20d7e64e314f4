from odoo import api, models

#: what a read_group asks besides, to know a group's currencies
CURRENCY_COUNT = "invoicera_currency_count:count_distinct(currency_id)"


class InvoiceraCurrencyAmountsMixin(models.AbstractModel):
    """A report whose rows are in several currencies (``currency_id``): the
    groups of its list and pivot show no amount of ``_invoicera_currency_amounts``
    where they add up several currencies. Dollars and euros are not one number
    (as Odoo's journal items hide their amounts in currency, and its lists'
    totals of several currencies)."""

    _name = "invoicera.currency.amounts.mixin"
    _description = "Amounts of several currencies not added up"

    #: the amounts in the rows' own currency
    _invoicera_currency_amounts = ()

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        groups = super().read_group(
            domain,
            [*fields, CURRENCY_COUNT],
            groupby,
            offset=offset,
            limit=limit,
            orderby=orderby,
            lazy=lazy,
        )
        for group in groups:
            if (group.pop("invoicera_currency_count", None) or 0) > 1:
                for fname in self._invoicera_currency_amounts:
                    if fname in group:
                        group[fname] = False
        return groups
