from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    invoicera_promise_max_days = fields.Integer(
        "Promise to Pay: Maximum Days",
        default=30,
        help="In the portal, a client can promise to pay an overdue invoice at most "
        "this many days ahead, counted from its first promise on the invoice. 0: no "
        "limit (reminders then wait for any date the client promises).",
    )
