from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .account_analytic_line import round_time

#: project fields whose change re-prices or re-rounds the project's unbilled time
RATE_FIELDS = {
    "invoicera_hourly_rate",
    "invoicera_service_product_id",
    "invoicera_rounding",
    "invoicera_rounding_method",
    "invoicera_minimum_time",
    "allow_billable",
    "partner_id",
}


class ProjectProject(models.Model):
    _inherit = "project.project"

    invoicera_hourly_rate = fields.Monetary(
        "Hourly Rate",
        currency_field="currency_id",
        help="Rate of every employee's time on this project, unless the employee "
        "has a rate of their own below.",
    )
    invoicera_rate_ids = fields.One2many(
        "invoicera.billing.rate", "project_id", string="Employee Rates", copy=True
    )
    invoicera_service_product_id = fields.Many2one(
        "product.product",
        "Billed Service",
        domain="[('type', '=', 'service')]",
        default=lambda self: self.env.ref(
            "invoicera_timesheet.product_invoicera_time", raise_if_not_found=False
        ),
        help="The service time is invoiced as (its income account and taxes). "
        "Without any rate, its price in the client's pricelist is used.",
    )
    invoicera_rounding = fields.Float(
        "Round Time To",
        help="Billable time of each entry is rounded to a multiple of this many "
        "hours (e.g. 0.25 for quarter hours). 0: no rounding.",
    )
    invoicera_rounding_method = fields.Selection(
        [("up", "Up"), ("nearest", "Nearest"), ("down", "Down")],
        string="Rounding",
        default="up",
        required=True,
    )
    invoicera_minimum_time = fields.Float(
        "Minimum per Entry", help="Bill at least this many hours for any entry."
    )

    @api.constrains("invoicera_rounding", "invoicera_minimum_time", "invoicera_hourly_rate")
    def _check_invoicera_time_settings(self):
        for project in self:
            if project.invoicera_rounding < 0 or project.invoicera_minimum_time < 0:
                raise ValidationError(
                    _(
                        "Rounding and minimum time of %(project)s cannot be negative.",
                        project=project.display_name,
                    )
                )
            if project.invoicera_hourly_rate < 0:
                raise ValidationError(
                    _(
                        "The hourly rate of %(project)s cannot be negative.",
                        project=project.display_name,
                    )
                )

    def write(self, vals):
        res = super().write(vals)
        if RATE_FIELDS & set(vals):
            self._invoicera_resync_time()
        return res

    def _invoicera_round_time(self, hours):
        """Billable hours of one entry of this project's time."""
        self.ensure_one()
        return round_time(
            hours,
            self.invoicera_rounding,
            self.invoicera_rounding_method,
            self.invoicera_minimum_time,
        )

    def _invoicera_resync_time(self):
        """Re-price and re-round the unbilled time of these projects."""
        if not self:
            return
        lines = self.env["account.analytic.line"].sudo().search([("project_id", "in", self.ids)])
        lines._invoicera_sync_items()
