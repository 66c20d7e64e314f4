def post_init_hook(env):
    """Give the work already recorded on billable projects its billable items."""
    env["account.analytic.line"]._invoicera_collect([("project_id", "!=", False)])
    env["hr.expense"]._invoicera_collect(
        [("state", "in", ("approved", "done")), ("analytic_distribution", "!=", False)]
    )
    env["account.move.line"]._invoicera_collect(
        [
            ("move_id.move_type", "=", "in_invoice"),
            ("parent_state", "=", "posted"),
            ("display_type", "=", "product"),
            ("analytic_distribution", "!=", False),
        ]
    )
    env["project.milestone"]._invoicera_collect([("is_reached", "=", True)])
    env["stock.move"]._invoicera_collect(
        [("state", "=", "done"), ("picking_id.project_id", "!=", False)]
    )
