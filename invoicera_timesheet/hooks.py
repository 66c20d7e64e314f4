def post_init_hook(env):
    """Give the work already recorded on billable projects its billable items."""
    env["account.analytic.line"]._invoicera_collect([("project_id", "!=", False)])
    recompute_billed_time_type(env)
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


def recompute_billed_time_type(env):
    """Show the time billed here as "Billed on Timesheets" in Odoo's reports, not
    "Non-Billable" (account.analytic.line._compute_timesheet_invoice_type): at
    install, and by the migration to 18.0.1.1.0 for a database that had the module."""
    time = env["account.analytic.line"].search(
        [
            ("project_id.allow_billable", "=", True),
            ("so_line", "=", False),
            ("timesheet_invoice_type", "=", "non_billable"),
        ]
    )
    env.add_to_compute(time._fields["timesheet_invoice_type"], time)
