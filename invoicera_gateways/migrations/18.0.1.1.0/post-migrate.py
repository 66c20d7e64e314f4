"""1.1.0 brings the gateways: set them up as a fresh install's hook would."""

from odoo import SUPERUSER_ID, api

from odoo.addons.invoicera_gateways import post_init_hook


def migrate(cr, version):
    post_init_hook(api.Environment(cr, SUPERUSER_ID, {}))
