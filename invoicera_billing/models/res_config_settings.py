from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    invoicera_run_chunk_size = fields.Integer(
        related="company_id.invoicera_run_chunk_size", readonly=False
    )
