from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    invoicera_promise_max_days = fields.Integer(
        "Promise to Pay: Maximum Days",
        default=30,
        help="In the portal, a client can promise to pay an overdue invoice at most "
        "this many days ahead, counted from its first promise on the invoice. 0: no "
        "limit (reminders then wait for any date the client promises).",
    )

    @api.constrains("invoicera_promise_max_days")
    def _check_invoicera_promise_max_days(self):
        for company in self:
            if company.invoicera_promise_max_days < 0:
                field = self._fields["invoicera_promise_max_days"]
                raise ValidationError(
                    _(
                        "%(setting)s cannot be negative: give the number of days ahead a "
                        "client may promise to pay, or 0 for no limit.",
                        setting=field._description_string(self.env),
                    )
                )
