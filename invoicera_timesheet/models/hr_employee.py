from odoo import fields, models

#: who reads an employee's default billing rate
RATE_GROUPS = "hr.group_hr_user,invoicera_billing.group_billing_user"


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    invoicera_billing_rate = fields.Monetary(
        "Default Billing Rate",
        currency_field="currency_id",
        groups=RATE_GROUPS,
        help="Hourly rate billed to clients for this employee's time when the "
        "project sets no rate of its own.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "invoicera_billing_rate" in vals:
            items = (
                self.env["invoicera.billable.item"]
                .sudo()
                .search(
                    [
                        ("employee_id", "in", self.ids),
                        ("source", "=", "time"),
                        ("state", "!=", "invoiced"),
                    ]
                )
            )
            # sudo: the employees' time is re-priced whoever sets their rate (an
            # HR officer who reads no timesheet)
            self.env["account.analytic.line"].sudo().browse(
                items.mapped("source_id")
            )._invoicera_sync_items()
        return res
