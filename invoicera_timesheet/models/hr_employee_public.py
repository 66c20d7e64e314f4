from odoo import fields, models

from .hr_employee import RATE_GROUPS


class HrEmployeePublic(models.Model):
    """A Billing User who is no HR officer reads employees as public profiles
    (Odoo's hr.employee ``fetch``): the rate must be there too, or every form
    showing an employee (an expense's...) fails on it for them."""

    _inherit = "hr.employee.public"

    currency_id = fields.Many2one(related="company_id.currency_id")
    invoicera_billing_rate = fields.Monetary(
        "Default Billing Rate", currency_field="currency_id", readonly=True, groups=RATE_GROUPS
    )
