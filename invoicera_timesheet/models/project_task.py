from odoo import models

#: task fields Odoo recomputes the unbilled timesheets of the task and of its
#: subtasks from (sale order line, project, client), without writing them
TIMESHEET_FIELDS = {"sale_line_id", "project_id", "partner_id", "parent_id", "milestone_id"}


class ProjectTask(models.Model):
    _inherit = "project.task"

    def write(self, vals):
        res = super().write(vals)
        if TIMESHEET_FIELDS & set(vals):
            self._invoicera_sync_timesheets()
        return res

    def _invoicera_sync_timesheets(self):
        """A task sold on an order line (itself, through its parent task or its
        milestone) hands its time to the order; a task moved to another project
        or client moves its time's items. Subtasks follow their task."""
        tasks = self.sudo()
        (tasks | tasks._get_all_subtasks()).timesheet_ids._invoicera_sync_items()
