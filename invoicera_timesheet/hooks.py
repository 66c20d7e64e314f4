def post_init_hook(env):
    """Give the time already recorded on billable projects its billable items."""
    env["account.analytic.line"]._invoicera_collect([("project_id", "!=", False)])
