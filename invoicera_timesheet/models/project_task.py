from odoo import models

#: task fields Odoo recomputes its unbilled timesheets from (sale order line,
#: project, client), without writing the timesheets
TIMESHEET_FIELDS = {"sale_line_id", "project_id", "partner_id"}


class ProjectTask(models.Model):
    _inherit = "project.task"

    def write(self, vals):
        res = super().write(vals)
        if TIMESHEET_FIELDS & set(vals):
            # A task sold on an order line hands its time to the order; a task
            # moved to another project or client moves its time's items.
            self.sudo().timesheet_ids._invoicera_sync_items()
        return res
