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
        at the rate of the day of the work, which a rate prices from its day to
        the next rate of its currency (a rate added for a past day, or
        corrected, re-prices that work; the day's rate, today's), in its
        company (and branches) or in all for a rate of every company."""
        domains = []
        for rate in self.sudo():
            domain = [("date", ">=", rate.name)]
            following = rate.search(
                [
                    ("currency_id", "=", rate.currency_id.id),
                    ("company_id", "=", rate.company_id.id),
                    ("name", ">", rate.name),
                ],
                order="name",
                limit=1,
            )
            if following:
                domain.append(("date", "<", following.name))
            # an item dated by hand is priced on its work's day, not its own
            domain = expression.OR([domain, [("date_manual", "=", True)]])
            if rate.company_id:
                domain = expression.AND([domain, [("company_id", "child_of", rate.company_id.id)]])
            domains.append(domain)
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    @api.model
    def _invoicera_reprice(self, domain):
        if domain != expression.FALSE_DOMAIN:
            self.env["invoicera.billable.item"]._resync_unbilled(domain)
