from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Delete the background jobs of billing runs: without their model, Odoo's
    Queue Jobs could no longer open them, nor run those still waiting."""
    env["queue.job"].search([("model_name", "=", "invoicera.billing.run")]).unlink()
