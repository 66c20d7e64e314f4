from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    invoicera_promise_max_days = fields.Integer(
        related="company_id.invoicera_promise_max_days", readonly=False
    )
