from . import controllers
from . import gateways
from . import models

from odoo.addons.payment import reset_payment_provider


def uninstall_hook(env):
    for code in gateways.GATEWAYS:
        reset_payment_provider(env, code)
