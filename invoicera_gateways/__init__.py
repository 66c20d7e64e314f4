from . import controllers
from . import gateways
from . import models

from odoo.addons.payment import reset_payment_provider, setup_provider


def post_init_hook(env):
    for code in gateways.GATEWAYS:
        setup_provider(env, code)


def uninstall_hook(env):
    for code in gateways.GATEWAYS:
        reset_payment_provider(env, code)
