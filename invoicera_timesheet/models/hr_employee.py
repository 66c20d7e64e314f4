from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.invoicera_billing.tools import changed_by, created_with

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

    @api.constrains("invoicera_billing_rate")
    def _check_invoicera_billing_rate(self):
        # as a rate on a project: billed, it would be a credit to the client
        negative = self.filtered(lambda employee: employee.invoicera_billing_rate < 0)
        if negative:
            raise ValidationError(
                _(
                    "The default billing rate of %(employees)s cannot be negative.",
                    employees=", ".join(negative.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        rated = [
            vals.get("name") or ""
            for vals in vals_list
            if created_with(self.env, vals, "invoicera_billing_rate")
        ]
        if rated:
            self._invoicera_check_rate_access(rated)
        return super().create(vals_list)

    def write(self, vals):
        rated = changed_by(self, vals, ["invoicera_billing_rate"])
        if rated:
            self._invoicera_check_rate_access(rated.mapped("name"))
        res = super().write(vals)
        if "invoicera_billing_rate" in vals:
            # the employees' time is re-priced whoever sets their rate (an HR
            # officer who reads no timesheet)
            self.env["invoicera.billable.item"]._resync_unbilled(
                [("employee_id", "in", self.ids), ("source", "=", "time")]
            )
        return res

    @api.model
    def _invoicera_check_rate_access(self, employees):
        """Refuse to set the default billing rate of the employees named
        ``employees`` but to billing staff (HR officers read it): it prices
        their time for every client."""
        if self.env.su or self.env.user.has_group("invoicera_billing.group_billing_user"):
            return
        raise AccessError(
            _(
                "Only billing staff set an employee's default billing rate: %(employees)s.",
                employees=", ".join(employees),
            )
        )
