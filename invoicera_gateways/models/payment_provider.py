from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import sql

from ..gateways import GATEWAYS

#: what an access token is made from: changed, the access token is dropped
TOKEN_SOURCES = {
    "state",
    "invoicera_public_key",
    "invoicera_secret_key",
    "invoicera_refresh_token",
    "invoicera_server_url",
    "company_id",
}


class PaymentProvider(models.Model):
    _inherit = "payment.provider"

    code = fields.Selection(
        selection_add=[(code, gateway.name) for code, gateway in sorted(GATEWAYS.items())],
        ondelete=dict.fromkeys(GATEWAYS, "set default"),
    )
    # One set of credential fields serves every gateway; the form labels them
    # with what they mean for the provider's gateway (Gateway.credentials).
    invoicera_account_id = fields.Char(
        string="Account ID",
        help="The merchant, location, store or client identifier the gateway gave you.",
    )
    invoicera_public_key = fields.Char(
        string="Public Key",
        help="The key the gateway calls public, publishable or API key id.",
    )
    invoicera_secret_key = fields.Char(
        string="Secret Key",
        groups="base.group_system",
        help="The secret API key or access token used to call the gateway.",
    )
    invoicera_refresh_token = fields.Char(
        string="Refresh Token",
        groups="base.group_system",
        help="The OAuth refresh token the gateway gave you, with which Odoo renews its"
        " access token (gateways whose access tokens expire: Zoho Payments).",
    )
    invoicera_access_token = fields.Char(
        string="Access Token",
        groups="base.group_system",
        help="The short-lived token Odoo renews with the refresh token.",
    )
    invoicera_access_token_expiry = fields.Datetime(
        string="Access Token Expiry",
        groups="base.group_system",
        help="When the access token becomes invalid.",
    )
    invoicera_webhook_secret = fields.Char(
        string="Webhook Secret",
        groups="base.group_system",
        help="The secret the gateway signs its notifications with. Notifications are"
        " refused while it is empty.",
    )
    invoicera_server_url = fields.Char(
        string="Server URL",
        help="The gateway's API address, for self-hosted gateways (BTCPay Server) or to"
        " override the default sandbox/production address.",
    )
    # Kept by create() and write(), not computed: a stored field computed from
    # the state is marked for recomputation when the providers are deleted at
    # uninstall, after its compute is gone, and they could not be deleted.
    invoicera_sandbox = fields.Boolean(
        string="Sandbox",
        readonly=True,
        help="The gateway is called at its sandbox address: the provider is in test"
        " mode, or was when it was disabled (its notifications about the payments"
        " under way are still applied, with its test credentials).",
    )
    invoicera_is_gateway = fields.Boolean(compute="_compute_invoicera_gateway_info")
    invoicera_credentials_help = fields.Html(compute="_compute_invoicera_gateway_info")
    invoicera_webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_invoicera_gateway_info",
        help="Paste this address in the gateway's dashboard as the notification URL.",
    )

    def _auto_init(self):
        new_column = not sql.column_exists(self.env.cr, self._table, "invoicera_sandbox")
        result = super()._auto_init()
        if new_column:
            self.env.cr.execute("UPDATE payment_provider SET invoicera_sandbox = (state = 'test')")
        return result

    @api.model
    def _invoicera_sandbox_vals(self, vals):
        """The Sandbox mode that goes with the state in ``vals``: a provider
        disabled keeps the mode it was in, which its credentials are of."""
        if vals.get("state") in ("test", "enabled"):
            return dict(vals, invoicera_sandbox=vals["state"] == "test")
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._invoicera_sandbox_vals(vals) for vals in vals_list])

    def write(self, vals):
        vals = self._invoicera_sandbox_vals(vals)
        if TOKEN_SOURCES & set(vals) and "invoicera_access_token" not in vals:
            # an access token of other credentials (or of the sandbox)
            vals = dict(vals, invoicera_access_token=False, invoicera_access_token_expiry=False)
        return super().write(vals)

    @api.depends("code")
    @api.depends_context("lang")
    def _compute_invoicera_gateway_info(self):
        for provider in self:
            gateway = GATEWAYS.get(provider.code)
            provider.invoicera_is_gateway = bool(gateway)
            provider.invoicera_webhook_url = (
                provider._invoicera_url("webhook") if gateway and provider.id else False
            )
            # In the user's language: the fields' labels and the gateway's explanations.
            items = Markup("").join(
                Markup("<li><b>%s</b>: %s</li>")
                % (provider._fields[name]._description_string(self.env), self.env._(label))
                for name, label in (gateway.credentials.items() if gateway else ())
            )
            provider.invoicera_credentials_help = gateway and Markup("<ul>%s</ul>") % items

    def _compute_feature_support_fields(self):
        res = super()._compute_feature_support_fields()
        for provider in self:
            gateway = GATEWAYS.get(provider.code)
            if gateway:
                provider.update(
                    {
                        "support_tokenization": gateway.tokenization,
                        "support_refund": gateway.refunds,
                    }
                )
        return res

    @api.depends("code", "invoicera_secret_key", "invoicera_server_url")
    def _compute_available_currency_ids(self):
        # an account of one country takes its currency only: known once its key
        # (or host) is
        return super()._compute_available_currency_ids()

    def _get_supported_currencies(self):
        currencies = super()._get_supported_currencies()
        gateway = GATEWAYS.get(self.code)
        names = gateway and gateway(self).account_currencies()
        if names:
            currencies = currencies.filtered(lambda c: c.name in names)
        return currencies

    def _get_default_payment_method_codes(self):
        gateway = GATEWAYS.get(self.code)
        if not gateway:
            return super()._get_default_payment_method_codes()
        return set(gateway.payment_methods)

    @api.model
    def _invoicera_setup_gateways(self):
        """Set up every gateway as Odoo does for a provider module (its accounting
        payment method, among others). Run at each install and update of the
        addon, so a gateway added in an update is ready too; idempotent."""
        for code in GATEWAYS:
            self._setup_provider(code)

    def _invoicera_gateway(self):
        """The gateway adapter of this provider, working on a sudo-ed provider."""
        self.ensure_one()
        return GATEWAYS[self.code](self.sudo())

    def _invoicera_url(self, kind):
        """Public URL of the provider's ``return`` or ``webhook`` route."""
        self.ensure_one()
        return f"{self.get_base_url()}/payment/invoicera/{self.code}/{kind}/{self.id}"

    @api.model
    def _get_removal_values(self):
        values = super()._get_removal_values()
        values.update(
            invoicera_secret_key=False,
            invoicera_refresh_token=False,
            invoicera_access_token=False,
            invoicera_webhook_secret=False,
        )
        return values
