from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


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

    @api.constrains(
        "invoicera_run_chunk_size",
        "invoicera_audit_max_daily_hours",
        "invoicera_audit_max_age_days",
    )
    def _check_invoicera_settings(self):
        for company in self:
            if company.invoicera_run_chunk_size < 1:
                raise ValidationError(
                    _(
                        "Clients per Job must be at least 1, not %(value)s (company %(company)s).",
                        value=company.invoicera_run_chunk_size,
                        company=company.name,
                    )
                )
            if company.invoicera_audit_max_daily_hours < 0:
                raise ValidationError(
                    _(
                        "The audit's Maximum Hours per Day cannot be negative (company "
                        "%(company)s): set 0 to switch this check off.",
                        company=company.name,
                    )
                )
            if company.invoicera_audit_max_age_days < 0:
                raise ValidationError(
                    _(
                        "The audit's Maximum Age cannot be negative (company %(company)s): "
                        "set 0 to switch this check off.",
                        company=company.name,
                    )
                )
