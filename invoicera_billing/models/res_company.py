from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    invoicera_run_chunk_size = fields.Integer(
        "Clients per Billing Job",
        default=50,
        help="A billing run invoices this many clients per background job (and "
        "per database commit). Runs of fewer clients are processed at once.",
    )
