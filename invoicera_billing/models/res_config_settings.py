from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    invoicera_run_chunk_size = fields.Integer(
        related="company_id.invoicera_run_chunk_size", readonly=False
    )
    invoicera_audit_max_daily_hours = fields.Float(
        related="company_id.invoicera_audit_max_daily_hours", readonly=False
    )
    invoicera_audit_max_age_days = fields.Integer(
        related="company_id.invoicera_audit_max_age_days", readonly=False
    )
