from odoo import api, models
from odoo.osv import expression


class ResCurrencyRate(models.Model):
    _inherit = "res.currency.rate"

    @api.model_create_multi
    def create(self, vals_list):
        rates = super().create(vals_list)
        self._invoicera_reprice(rates._invoicera_work_priced())
        return rates

    def write(self, vals):
        before = self._invoicera_work_priced()
        res = super().write(vals)
        self._invoicera_reprice(expression.OR([before, self._invoicera_work_priced()]))
        return res

    def unlink(self):
        before = self._invoicera_work_priced()
        res = super().unlink()
        self._invoicera_reprice(before)
        return res

    def _invoicera_work_priced(self):
        """The domain of the unbilled work these rates price: rates are converted
        at the rate of the day of the work, which a rate prices from its day on
        (a rate added for a past day, or corrected, re-prices that work)."""
        if not self:
            return expression.FALSE_DOMAIN
        return [("date", ">=", min(self.mapped("name")))]

    @api.model
    def _invoicera_reprice(self, domain):
        if domain != expression.FALSE_DOMAIN:
            self.env["invoicera.billable.item"]._resync_unbilled(domain)
