from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    invoicera_promise_max_days = fields.Integer(
        related="company_id.invoicera_promise_max_days", readonly=False
    )
    invoicera_api_key_days = fields.Integer(
        "API Keys Valid For",
        compute="_compute_invoicera_api_key_days",
        inverse="_inverse_invoicera_api_key_days",
        help="The longest a client's API key (for the mobile app) may stay valid, in "
        "days: the Portal group's maximum duration of API keys (Odoo's default: 1).",
    )

    @api.depends("company_id")
    def _compute_invoicera_api_key_days(self):
        portal = self.env.ref("base.group_portal")
        # as Odoo reads it (res.users.apikeys): no duration is a day
        self.invoicera_api_key_days = int(portal.api_key_duration) or 1

    def _inverse_invoicera_api_key_days(self):
        for settings in self:
            if settings.invoicera_api_key_days < 1:
                raise ValidationError(
                    _("Clients' API keys must be allowed to stay valid for at least a day.")
                )
            self.env.ref("base.group_portal").api_key_duration = settings.invoicera_api_key_days
