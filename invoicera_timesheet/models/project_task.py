from odoo import models

#: task fields Odoo recomputes the unbilled timesheets of the task and of its
#: subtasks from (sale order line, project, client), without writing them
TIMESHEET_FIELDS = {"sale_line_id", "project_id", "partner_id", "parent_id", "milestone_id"}


class ProjectTask(models.Model):
    _inherit = "project.task"

    def write(self, vals):
        # a task moved to another project (or under another parent) moves its time
        moving = {"project_id", "parent_id"} & set(vals) and not self.env.su
        if moving:
            tasks = self.sudo()
            lines = (tasks | tasks._get_all_subtasks()).timesheet_ids.filtered(
                lambda line: line.invoicera_approval_state == "approved"
            )
            projects = {line.id: line.project_id for line in lines}
        res = super().write(vals)
        if moving:
            lines._invoicera_check_approved_move(projects)
        if TIMESHEET_FIELDS & set(vals):
            self._invoicera_sync_timesheets()
        return res

    def _invoicera_sync_timesheets(self):
        """A task sold on an order line (itself, through its parent task or its
        milestone) hands its time to the order; a task moved to another project
        or client moves its time's items. Subtasks follow their task."""
        tasks = self.sudo()
        (tasks | tasks._get_all_subtasks()).timesheet_ids._invoicera_sync_items()
