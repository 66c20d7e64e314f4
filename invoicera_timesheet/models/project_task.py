from odoo import models

#: task fields Odoo recomputes the unbilled timesheets of the task and of its
#: subtasks from (sale order line, project, client), without writing them
TIMESHEET_FIELDS = {"sale_line_id", "project_id", "partner_id", "parent_id", "milestone_id"}
#: what time without a description of its own is described by (its item's name)
DESCRIBING_FIELDS = {"name"}


class ProjectTask(models.Model):
    _inherit = "project.task"

    def write(self, vals):
        synced = (TIMESHEET_FIELDS | DESCRIBING_FIELDS) & set(vals)
        timesheets = self._invoicera_timesheets() if synced else None
        # a task moved to another project (or under another parent) moves its time
        moving = {"project_id", "parent_id"} & set(vals) and not self.env.su
        if moving:
            approved = timesheets.filtered(lambda line: line.invoicera_approval_state == "approved")
            projects = {line.id: line.project_id for line in approved}
            # as moving the lines themselves (judged by who the user is)
            released = approved._invoicera_released()
        res = super().write(vals)
        if moving:
            released.filtered(
                lambda line: line.project_id != projects[line.id]
            )._invoicera_release()
            approved._invoicera_check_approved_move(projects)
        if synced:
            timesheets._invoicera_sync_items()
        return res

    def _invoicera_timesheets(self):
        """The time of these tasks and of their subtasks (sudo: all of it)."""
        tasks = self.sudo()
        return (tasks | tasks._get_all_subtasks()).timesheet_ids

    def _invoicera_sync_timesheets(self):
        """A task sold on an order line (itself, through its parent task or its
        milestone) hands its time to the order; a task moved to another project
        or client moves its time's items. Subtasks follow their task."""
        self._invoicera_timesheets()._invoicera_sync_items()
