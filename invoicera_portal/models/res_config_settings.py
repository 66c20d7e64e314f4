from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    invoicera_promise_max_days = fields.Integer(
        related="company_id.invoicera_promise_max_days", readonly=False
    )
    invoicera_api_key_days = fields.Float(
        "API Keys Valid For",
        digits=(16, 1),
        compute="_compute_invoicera_api_key_days",
        inverse="_inverse_invoicera_api_key_days",
        help="The longest a client's API key (for the mobile app) may stay valid, in "
        "days: the Portal group's maximum duration of API keys (Odoo's default: 1).",
    )

    @api.depends("company_id")
    def _compute_invoicera_api_key_days(self):
        # as Odoo reads it (res.users.apikeys): no duration is a day
        self.invoicera_api_key_days = self.env.ref("base.group_portal").api_key_duration or 1.0

    def _inverse_invoicera_api_key_days(self):
        portal = self.env.ref("base.group_portal")
        for settings in self:
            days = settings.invoicera_api_key_days
            if float_compare(days, portal.api_key_duration or 1.0, precision_digits=1) == 0:
                continue  # saving the other settings changes nothing here
            if float_compare(days, 0.0, precision_digits=1) <= 0:
                raise ValidationError(
                    _("Clients' API keys must be allowed to stay valid for some time.")
                )
            portal.api_key_duration = days
