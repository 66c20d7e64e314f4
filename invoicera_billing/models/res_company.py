from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    invoicera_run_chunk_size = fields.Integer(
        "Clients per Billing Job",
        default=50,
        help="A billing run invoices this many clients per background job (and "
        "per database commit). Runs of fewer clients are processed at once.",
    )
    invoicera_audit_max_daily_hours = fields.Float(
        "Audit: Maximum Hours per Day",
        default=12.0,
        help="The pre-billing audit flags the time of an employee who has more "
        "hours than this on a day. 0: no check.",
    )
    invoicera_audit_max_age_days = fields.Integer(
        "Audit: Maximum Age (days)",
        default=90,
        help="The pre-billing audit flags items older than this. 0: no check.",
    )
