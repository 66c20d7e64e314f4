from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL, float_round, format_date

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import (
    ENGINE,
    InvoiceraBillableMixin,
    engine_flag,
)
from odoo.addons.invoicera_billing.tools import changed_by, created_with, named_for_message

#: timesheet fields that billing depends on (hours and their unit, client,
#: company...): locked once the time is approved (but for its approvers) or
#: invoiced. Odoo itself only recomputes the client of unbilled time (from its
#: task or project), which is no write and is not refused.
BILLED_FIELDS = {
    "unit_amount",
    "product_uom_id",
    "date",
    "project_id",
    "task_id",
    "employee_id",
    "partner_id",
    "company_id",
    "so_line",
}
#: timesheet fields locked once the time is approved (but for its approvers):
#: its description too, printed on the client's invoice as it was approved
APPROVED_FIELDS = BILLED_FIELDS | {"name"}
#: timesheet fields whose change may change the billable item
SYNC_FIELDS = BILLED_FIELDS | {"name", "invoicera_approval_state"}
#: timesheet fields whose change changes the hours of its employee's day
HOURS_FIELDS = {"unit_amount", "date", "employee_id", "product_uom_id", "project_id"}
#: who approved the time, and when: changed by the project's approvers only
APPROVAL_FIELDS = {"invoicera_approval_state", "invoicera_approved_by_id", "invoicera_approved_on"}
ROUNDING_METHODS = {"up": "UP", "nearest": "HALF-UP", "down": "DOWN"}
#: time no invoice bills: linked to none, or to one cancelled or credited in
#: full (as Odoo's sale_timesheet counts the time it invoices again)
NOT_INVOICED = [
    "|",
    "|",
    ("timesheet_invoice_id", "=", False),
    ("timesheet_invoice_id.state", "=", "cancel"),
    ("timesheet_invoice_id.payment_state", "=", "reversed"),
]


class AccountAnalyticLine(models.Model):
    """Timesheet lines are a source of billable work: the "time" source.

    A line is billed by Invoicera when its project is billable and it does not
    belong to a sale order line: time sold through sale orders keeps going
    through Odoo's own flow (sale_timesheet), never through both.
    """

    _name = "account.analytic.line"
    _inherit = ["account.analytic.line", "invoicera.billable.mixin"]

    _invoicera_source = "time"
    #: time is billed by its project's company: moved to a project of another
    #: company (the line, or its task), its unbilled item follows
    _invoicera_synced_fields = (*InvoiceraBillableMixin._invoicera_synced_fields, "company_id")

    invoicera_approval_state = fields.Selection(
        [("draft", "To Submit"), ("submitted", "Submitted"), ("approved", "Approved")],
        string="Approval",
        default="draft",
        required=True,
        copy=False,
        index=True,
        help="On projects that approve time before billing, only approved time is billed.",
    )
    invoicera_approved_by_id = fields.Many2one(
        "res.users", "Approved by", readonly=True, copy=False
    )
    invoicera_approved_on = fields.Datetime("Approved on", readonly=True, copy=False)
    invoicera_needs_approval = fields.Boolean(related="project_id.invoicera_time_approval")
    invoicera_can_approve = fields.Boolean(
        "Can Approve",
        compute="_compute_invoicera_can_approve",
        search="_search_invoicera_can_approve",
        help="You approve this time: you manage its project and it is not your own "
        "time, or you are a timesheet administrator or a billing manager.",
    )

    @api.depends_context("uid")
    def _compute_invoicera_can_approve(self):
        approvable = self._invoicera_can_approve()
        for line in self:
            line.invoicera_can_approve = line in approvable

    def _search_invoicera_can_approve(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                _("Operation not supported: %(operator)s %(value)s", operator=operator, value=value)
            )
        if self._invoicera_approves_all():
            domain = [(1, "=", 1)]
        else:
            # sudo: the projects the user manages and the employees they are,
            # whatever they may read of projects and employees (as
            # _invoicera_can_approve)
            user = self.env.user
            projects = (
                self.env["project.project"]
                .sudo()
                .with_context(active_test=False)
                ._search([("user_id", "=", user.id)])
            )
            employees = (
                self.env["hr.employee"]
                .sudo()
                .with_context(active_test=False)
                ._search([("user_id", "=", user.id)])
            )
            domain = [("project_id", "in", projects), ("employee_id", "not in", employees)]
        if (operator == "=") == value:
            return domain
        return ["!", *expression.normalize_domain(domain)]

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # what create gives the approval fields by the caller's hand: the values,
        # else the context's defaults (which a request may send; an empty one,
        # as a list grouped by approver gives its "None" group, gives nothing)
        given = [
            {
                fname: created_with(self.env, vals, fname)
                for fname in APPROVAL_FIELDS
                if fname in vals or self.env.context.get(f"default_{fname}")
            }
            for vals in vals_list
        ]
        # created approved (an import): who and when, as the button says
        vals_list = [
            dict(
                vals,
                invoicera_approved_by_id=self.env.uid,
                invoicera_approved_on=fields.Datetime.now(),
            )
            if approval.get("invoicera_approval_state") == "approved"
            and "invoicera_approved_by_id" not in approval
            else vals
            for vals, approval in zip(vals_list, given, strict=True)
        ]
        lines = super().create(vals_list)
        for line, approval in zip(lines, given, strict=True):
            line._invoicera_check_approval_change(approval)
        # new time has no item yet: only the billable time gets one (the rest,
        # internal time or time off, reads no item)
        lines.filtered("project_id")._invoicera_billable()._invoicera_sync_items()
        return lines

    def write(self, vals):
        released = self.browse()
        if not engine_flag(self.env, "invoicera_sync") and APPROVED_FIELDS & set(vals):
            changing = changed_by(self, vals, APPROVED_FIELDS)
            changed_by(changing, vals, BILLED_FIELDS)._invoicera_check_not_billed()
            changing._invoicera_check_not_approved()
            released = changing._invoicera_released()
        # written as it is (an import sending approved time again): no change
        changed_by(self, vals, APPROVAL_FIELDS)._invoicera_check_approval_change(vals)
        if vals.get("invoicera_approval_state", "approved") != "approved":
            # invoiced time is not sent back, whatever the way in (RPC, import),
            # as "Send Back" refuses it: it would be billed unapproved
            approved = self.filtered(lambda line: line.invoicera_approval_state == "approved")
            approved._invoicera_check_not_billed()
            approved._invoicera_check_not_invoiced_by_order()
        # A vendor cost's analytic entry given an order line is billed on that
        # order (as Odoo re-invoices it): not here too, refused once invoiced here.
        costs = (
            self.filtered("move_line_id").move_line_id._invoicera_vendor_lines()
            if "so_line" in vals and not engine_flag(self.env, "invoicera_sync")
            else self.env["account.move.line"]
        )
        costs._invoicera_check_not_billed()
        # approved time moved to another project, or given to another employee
        moving = {"project_id", "task_id", "employee_id"} & set(vals) and not self.env.su
        projects = {line.id: line.project_id for line in self} if moving else {}
        employees = {line.id: line.employee_id for line in self} if moving else {}
        # the days whose hours this changes, of time with no item (its own are
        # audited again with their items: _invoicera_sync_items)
        hours_changed = HOURS_FIELDS & set(vals) and not engine_flag(self.env, "invoicera_sync")
        days = self._invoicera_days_not_billed() if hours_changed else set()
        approving = self.browse()
        if (
            vals.get("invoicera_approval_state") == "approved"
            and "invoicera_approved_by_id" not in vals
        ):
            # approved by a write (RPC, import): who and when, as the button says;
            # time approved already keeps who approved it
            approving = self.filtered(lambda line: line.invoicera_approval_state != "approved")
        res = super().write(vals)
        released._invoicera_release()
        if approving:
            super(AccountAnalyticLine, approving).write(
                {
                    "invoicera_approved_by_id": self.env.uid,
                    "invoicera_approved_on": fields.Datetime.now(),
                }
            )
        if moving:
            self._invoicera_check_approved_move(projects)
            self._invoicera_check_approved_employee(employees)
        if SYNC_FIELDS & set(vals) and not engine_flag(self.env, "invoicera_sync"):
            # time taken off its project too (no timesheet any more: not billed)
            (self if "project_id" in vals else self.filtered("project_id"))._invoicera_sync_items()
        costs._invoicera_sync_items()
        if hours_changed and (days := days | self._invoicera_days_not_billed()):
            # sudo: whoever records time need not read the items of its day
            self.env["invoicera.billable.item"].sudo()._audit_twins(days, company_language=True)
        return res

    @api.depends(
        "project_id.allow_billable",
        "project_id.partner_id",
        "partner_id",
        "timesheet_invoice_id",
        "project_id.sale_line_id",
        "project_id.sale_line_employee_ids",
        "project_id.task_ids.sale_line_id",
    )
    def _compute_timesheet_invoice_type(self):
        # Time billed here is billed by the hour at its rates, as time sold on an
        # order line delivered by timesheets: "Billed on Timesheets" in Odoo's
        # timesheet reports and project profitability, not "Non-Billable" (what
        # Odoo says of time without an order line), and so is the time invoiced
        # here. Time not invoiced yet of a project sold through order lines (its
        # own, its tasks', its employees') keeps the type Odoo reports; so does
        # the time of a project its user set to report "billed manually". (Not
        # given Odoo's type first: the time invoiced here would be written again.)
        candidates = self.filtered(
            lambda line: line.project_id
            and not line.so_line
            and line.project_id.billing_type != "manually"
        )
        invoiced = candidates.filtered(lambda line: not line._is_not_billed())
        unbilled = (candidates - invoiced).filtered(lambda line: line._invoicera_billed_here())
        sold = unbilled.project_id._invoicera_sold_on_order_lines()
        billed_here = invoiced | unbilled.filtered(lambda line: line.project_id not in sold)
        billed_here.timesheet_invoice_type = "billable_time"
        return super(AccountAnalyticLine, self - billed_here)._compute_timesheet_invoice_type()

    def _compute_so_line(self):
        # Time written off here (never to bill), or whose hours or rate were
        # set here (a write-down), stays off the order line its task or project
        # is sold on since, as invoiced time does (Odoo leaves it) and as a
        # written-off milestone's fee does: the order would bill it in full.
        # (asked of the time Odoo computes only: not of invoiced time, nor of the
        # analytic entries of journal items, which are no time, nor of time on a
        # project that is not billable, which Odoo takes off any order line)
        # Time an order line invoiced by the quantity ordered (a prepaid pack, a
        # fixed price) stays on it too (_invoicera_paid_by).
        candidates = self.filtered(
            lambda line: line.project_id.allow_billable
            and not line.is_so_line_edited
            and line._is_not_billed()
        )
        kept = candidates._invoicera_settled_here() | candidates._invoicera_paid_by(
            {line: line._origin.so_line for line in candidates}
        )
        return super(AccountAnalyticLine, self - kept)._compute_so_line()

    def _is_updatable_timesheet(self):
        # nor the order line of its employee (the project's employee mapping,
        # project.project._update_timesheets_sale_line_id)
        return super()._is_updatable_timesheet() and self.id not in self.env.context.get(
            "invoicera_kept_ids", ()
        )

    @api.depends(
        "invoicera_approval_state", "project_id.user_id", "project_id.invoicera_time_approval"
    )
    @api.depends_context("uid")
    def _compute_readonly_timesheet(self):
        # approved time is locked but for who approves it (_is_readonly)
        res = super()._compute_readonly_timesheet()
        # time the user reads but may not change (the project's manager with
        # rights on their own timesheets only, approving their team's time):
        # locked, rather than refused once typed in
        lines = self.filtered(lambda line: not line.readonly_timesheet and line._origin)
        if lines and not self.env.user._is_superuser():
            as_user = lines._origin.with_env(self.env(su=False))
            writable = as_user._filtered_access("write")
            lines.filtered(lambda line: line._origin not in writable).readonly_timesheet = True
        return res

    def _is_readonly(self):
        """Approved time is read-only for all but its approvers while its project
        approves time, as ``write`` refuses their changes (invoiced time is, by
        sale_timesheet)."""
        return super()._is_readonly() or (
            self.invoicera_approval_state == "approved"
            and self.project_id.sudo().invoicera_time_approval
            and not self._invoicera_can_approve()
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_approved(self):
        """Approved time is deleted only by its approvers, as it is changed: its
        employee has it sent back first (it is billable work)."""
        if not self.env.su:
            self._invoicera_check_not_approved(deleting=True)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_billed_here(self):
        """Time invoiced here is refused with the items' message, before Odoo's
        own check of its invoice (``_unlink_except_invoiced``, which reads the
        invoice as the employee, who may not read invoices: an access error)."""
        self._invoicera_check_not_billed()

    @api.ondelete(at_uninstall=False)
    def _unlink_invoicera_items(self):
        self._invoicera_unlink_items()
        # time with no item counts in its day all the same: the day's items are
        # audited again without it (a long day made short by deleting internal time)
        if days := self._invoicera_days_not_billed():
            # sudo: whoever records time need not read the items of its day
            self.env["invoicera.billable.item"].sudo()._audit_twins(
                days, leaving=self, company_language=True
            )

    def _invoicera_days_not_billed(self):
        """``{(employee id, day)}`` of the time of ``self`` not billed here
        (internal time, time of an order): it has no item, but counts in its
        employee's hours of the day, which the audit checks."""
        return {
            (line.employee_id.id, line.date)
            for line in self
            if line.project_id and line.employee_id and not line._invoicera_billed_here()
        }

    # ------------------------------------------------------------------
    # Time approval
    # ------------------------------------------------------------------
    def action_invoicera_submit(self):
        """Submit time for approval (on projects that approve time): whoever may
        change it (its employee; not the project manager who only reads it, in
        the employee's place). Not invoiced time (approval switched on since):
        billed already, there is nothing left to approve."""
        lines = self._invoicera_not_invoiced().filtered(
            lambda line: line.invoicera_needs_approval and line.invoicera_approval_state == "draft"
        )
        lines.check_access("write")
        lines.sudo().with_context(invoicera_sync=ENGINE).write(
            {"invoicera_approval_state": "submitted"}
        )
        if not lines:
            return self._invoicera_notify(
                _(
                    "None of these entries is to submit: only time To Submit on a project "
                    "that approves time, not invoiced, is submitted."
                ),
                "warning",
            )
        return self._invoicera_notify(_("%(count)s entries submitted.", count=len(lines)))

    def action_invoicera_approve(self):
        """Approve submitted time: it becomes billable. For the project's manager."""
        lines = self.filtered(lambda line: line.invoicera_approval_state == "submitted")
        lines._invoicera_check_approver()
        lines.sudo().write(
            {
                "invoicera_approval_state": "approved",
                "invoicera_approved_by_id": self.env.uid,
                "invoicera_approved_on": fields.Datetime.now(),
            }
        )
        if not lines:
            return self._invoicera_notify(
                _("None of these entries awaits approval: only submitted time is approved."),
                "warning",
            )
        return self._invoicera_notify(_("%(count)s entries approved.", count=len(lines)))

    def action_invoicera_reset(self):
        """Send submitted or approved time back to its employee (not once invoiced)."""
        lines = self.filtered(lambda line: line.invoicera_approval_state != "draft")
        lines._invoicera_check_approver()
        lines._invoicera_check_not_billed()
        lines._invoicera_check_not_invoiced_by_order()
        lines.sudo().write(
            {
                "invoicera_approval_state": "draft",
                "invoicera_approved_by_id": False,
                "invoicera_approved_on": False,
            }
        )
        if not lines:
            return self._invoicera_notify(
                _("None of these entries is sent back: only submitted or approved time is."),
                "warning",
            )
        return self._invoicera_notify(_("%(count)s entries sent back.", count=len(lines)))

    def _invoicera_released(self):
        """Lines of ``self``, about to change, whose approval no longer holds once
        changed: approved on a project that approves time no more, changed by
        someone who does not approve it (its employee): back to To Submit, to be
        submitted again if the project approves time again. Not invoiced time
        (here or by its order), which stays as it was billed."""
        released = self.filtered(
            lambda line: line.invoicera_approval_state == "approved"
            and not line.project_id.sudo().invoicera_time_approval
        )
        released -= released._invoicera_can_approve()
        return released._invoicera_not_invoiced() - released._invoicera_billed()

    def _invoicera_not_invoiced(self):
        """The lines of ``self`` no invoice bills (``NOT_INVOICED``), read as
        superuser: whoever records or approves time need not read invoices."""
        return self & self.sudo().filtered_domain(NOT_INVOICED)

    def _invoicera_release(self):
        """Take the approval of these lines back (:meth:`_invoicera_released`)."""
        if not self:
            return True
        return super().write(
            {
                "invoicera_approval_state": "draft",
                "invoicera_approved_by_id": False,
                "invoicera_approved_on": False,
            }
        )

    def _invoicera_check_not_invoiced_by_order(self):
        """Time an invoice of its sale order bills (Odoo's flow) is not sent back:
        billed approved, it would be unapproved work on an invoice."""
        invoiced = self - self._invoicera_not_invoiced()
        if invoiced:
            raise UserError(
                _(
                    "This time is invoiced (%(invoices)s): it is not sent back. Cancel "
                    "or credit the invoice first.%(lines)s",
                    invoices=", ".join(invoiced.sudo().timesheet_invoice_id.mapped("display_name")),
                    lines=invoiced._invoicera_names(),
                )
            )

    def _invoicera_can_approve(self, projects=None):
        """Lines of ``self`` the current user may approve: managers of their project,
        but for their own time, timesheet administrators and billing managers.
        ``projects``: {line id: the project to judge by} (the one it was on)."""
        if self._invoicera_approves_all():
            return self
        user = self.env.user
        return self.filtered(
            lambda line: (projects[line.id] if projects else line.project_id).sudo().user_id == user
            and line.sudo().employee_id.user_id != user
        )

    def _invoicera_approves_all(self):
        """Whether the current user approves all time: timesheet administrators
        and billing managers (their own time included)."""
        user = self.env.user
        return user.has_group("hr_timesheet.group_timesheet_manager") or user.has_group(
            "invoicera_billing.group_billing_manager"
        )

    def _invoicera_own_time(self, projects=None):
        """Lines of ``self`` that are the current user's own time on projects they
        manage (approved by a timesheet administrator or a billing manager).
        ``projects``: as for :meth:`_invoicera_can_approve`."""
        user = self.env.user
        return self.filtered(
            lambda line: (projects[line.id] if projects else line.project_id).sudo().user_id == user
            and line.sudo().employee_id.user_id == user
        )

    def _invoicera_check_approver(self):
        refused = self - self._invoicera_can_approve()
        own = refused._invoicera_own_time()
        if own:
            raise AccessError(
                _(
                    "You cannot approve or send back your own time: a timesheet "
                    "administrator or a billing manager does.%(lines)s",
                    lines=own._invoicera_names(),
                )
            )
        if refused:
            raise AccessError(
                _(
                    "Only the manager of the project approves its time: %(projects)s.%(lines)s",
                    projects=", ".join(refused.project_id.mapped("display_name")),
                    lines=refused._invoicera_names(),
                )
            )

    def _invoicera_source_action(self, item):
        """Time opens in the timesheet form of Timesheets ▸ All Timesheets."""
        return item._source_action(
            self,
            view="hr_timesheet.timesheet_view_form_user",
            denied=_(
                "You cannot open this time entry: it needs Timesheets access; its details are on "
                "the item."
            ),
        )

    def _invoicera_names(self, projects=None):
        """The lines, named for an error message. ``projects``: {line id: the
        project to name it under} (the one it was on, moved with its task)."""
        return named_for_message(
            self,
            lambda t: f"{format_date(self.env, t.date)} · "
            f"{(projects[t.id] if projects else t.project_id).sudo().display_name} · {t.name}",
        )

    def _invoicera_check_approval_change(self, vals):
        """Anyone who may change the time submits it; only its approvers approve it,
        send it back or say who approved it — whatever the way in (buttons, RPC,
        import). The buttons write as superuser once they have checked."""
        changed = APPROVAL_FIELDS & set(vals)
        if not changed or self.env.su:
            return
        if changed == {"invoicera_approval_state"} and vals["invoicera_approval_state"] in (
            "draft",
            "submitted",
        ):
            # draft: only for time not approved yet (approved time is sent back
            # by its approvers)
            self.filtered(
                lambda line: line.invoicera_approval_state == "approved"
            )._invoicera_check_approver()
            return
        self._invoicera_check_approver()

    def _invoicera_check_not_approved(self, deleting=False, projects=None):
        """Approved time changes (or is deleted) only through its approvers (it is
        billable). ``projects``: {line id: the project it was on}, for time moved
        already (with its task): its approvers there."""
        # on a project that approves time (approved time stays free once its
        # project approves time no more)
        approved = self.filtered(
            lambda line: line.invoicera_approval_state == "approved"
            and (projects[line.id] if projects else line.project_id).sudo().invoicera_time_approval
        )
        refused = approved - approved._invoicera_can_approve(projects)
        if not refused:
            return
        own = refused._invoicera_own_time(projects)
        if own:
            # not theirs to send back
            raise UserError(
                _(
                    "This time of yours is approved: a timesheet administrator or a "
                    "billing manager sends it back before it is changed or deleted.%(lines)s",
                    lines=own._invoicera_names(projects),
                )
            )
        names = ", ".join(
            dict.fromkeys(
                (projects[line.id] if projects else line.project_id).sudo().display_name
                for line in refused
            )
        )
        if deleting:
            raise UserError(
                _(
                    "This time is approved: ask the manager of %(projects)s to send it "
                    "back before deleting it.%(lines)s",
                    projects=names,
                    lines=refused._invoicera_names(projects),
                )
            )
        raise UserError(
            _(
                "This time is approved: ask the manager of %(projects)s to send it "
                "back before changing it.%(lines)s",
                projects=names,
                lines=refused._invoicera_names(projects),
            )
        )

    def _invoicera_check_approved_employee(self, employees):
        """Approved time given to another employee stays approved only for whom
        could approve it so: not a project manager making it their own time
        (``employees``: {line id: its employee before the change})."""
        changed = self.filtered(
            lambda line: line.invoicera_approval_state == "approved"
            and line.employee_id != employees[line.id]
        )
        refused = changed - changed._invoicera_can_approve()
        if refused:
            raise UserError(
                _(
                    "This time is approved: given to %(employees)s, it would be approved "
                    "by you for your own time, which a timesheet administrator or a "
                    "billing manager approves. Send it back before changing its "
                    "employee.%(lines)s",
                    employees=", ".join(refused.sudo().employee_id.mapped("name")),
                    lines=refused._invoicera_names(),
                )
            )

    def _invoicera_check_approved_move(self, projects):
        """Approved time lands on another project only through that project's
        approvers: it would be billed there unapproved. ``projects``: {line id:
        its project before the move} (the line, or its task, moved)."""
        moved = self.filtered(
            lambda line: line.invoicera_approval_state == "approved"
            and line.project_id
            and line.project_id != projects[line.id]
        )
        # nor leaves its project but through its approvers there (moved with
        # its task, by the manager of the task's new project)
        moved._invoicera_check_not_approved(projects=projects)
        # to a project that approves time, only through its approvers there
        approving = moved.filtered(lambda line: line.project_id.sudo().invoicera_time_approval)
        refused = approving - approving._invoicera_can_approve()
        if refused:
            raise UserError(
                _(
                    "This time is approved: only the manager of %(projects)s approves "
                    "time there. Send it back before moving it.%(lines)s",
                    projects=", ".join(refused.project_id.mapped("display_name")),
                    lines=refused._invoicera_names(),
                )
            )

    @api.model
    def _invoicera_awaiting_approval(self, partners, company, cutoff_date):
        """``{client: count}``: the time of ``partners`` (clients) that
        ``company`` bills once approved (:meth:`_invoicera_billable`), to submit
        or submitted on a project that approves time, up to ``cutoff_date``,
        not invoiced, on no sale order line (Odoo's flow bills that time). One
        query."""
        if not partners:
            return {}
        domain = expression.AND(
            [
                [
                    ("project_id.invoicera_time_approval", "=", True),
                    ("project_id.allow_billable", "=", True),
                    ("invoicera_approval_state", "in", ("draft", "submitted")),
                    ("so_line", "=", False),
                    ("employee_id", "!=", False),
                    # once approved, billed up to that date
                    ("date", "<=", cutoff_date),
                    # billed by its project's company, else by its own
                    "|",
                    ("project_id.company_id", "=", company.id),
                    "&",
                    ("project_id.company_id", "=", False),
                    ("company_id", "=", company.id),
                    # for its client, else its project's
                    "|",
                    ("partner_id.commercial_partner_id", "in", partners.ids),
                    "&",
                    ("partner_id", "=", False),
                    ("project_id.partner_id.commercial_partner_id", "in", partners.ids),
                ],
                NOT_INVOICED,
            ]
        )
        # sudo: billing staff need not read timesheets; only how many there are
        counts = {}
        for partner, project, count in self.sudo()._read_group(
            domain, ["partner_id", "project_id"], ["__count"]
        ):
            client = (partner or project.partner_id).commercial_partner_id.with_env(self.env)
            counts[client] = counts.get(client, 0) + count
        return counts

    def _invoicera_notify(self, message, kind="success"):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": kind,
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # Source interface (invoicera.billable.mixin)
    # ------------------------------------------------------------------
    @api.model
    def _invoicera_project_records(self, projects):
        # time an invoice bills is not read again (Odoo's: sale_timesheet)
        return self.search(expression.AND([[("project_id", "in", projects.ids)], NOT_INVOICED]))

    def _invoicera_billed_here(self):
        """Whether this time is billed here (once approved, on projects that
        approve time): on a billable project, for a client, on no order line."""
        self.ensure_one()
        return bool(
            self.project_id.allow_billable
            and not self.so_line
            and (self.partner_id or self.project_id.partner_id)
        )

    def _invoicera_billable(self):
        invoiced_by_odoo = self._invoicera_invoiced_by_odoo()
        return self.filtered(
            lambda line: line._invoicera_billed_here()
            and line.employee_id
            and (
                not line.project_id.invoicera_time_approval
                or line.invoicera_approval_state == "approved"
            )
            and line not in invoiced_by_odoo
        )

    def _invoicera_invoiced_by_odoo(self):
        """The lines of ``self`` that Odoo's sale flow invoiced (sale_timesheet's
        ``timesheet_invoice_id``, on an invoice neither cancelled nor reversed,
        as Odoo counts them), not this engine: the time of an order cancelled
        and deleted since, its invoice kept, is not billed here again."""
        # sudo: whoever records time need not read invoices; only whose they are
        linked = self.sudo().filtered("timesheet_invoice_id")
        if not linked:
            return self.browse()
        ours = set(
            self.env["invoicera.billable.item"]
            .sudo()
            .search(
                [
                    ("source_model", "=", self._name),
                    ("source_id", "in", linked.ids),
                    ("state", "=", "invoiced"),
                ]
            )
            .mapped("source_id")
        )
        return self.browse(
            [
                line.id
                for line in linked
                if line.id not in ours
                and line.timesheet_invoice_id.state != "cancel"
                and line.timesheet_invoice_id.payment_state != "reversed"
            ]
        )

    def _invoicera_item_values(self):
        hour = self.env.ref("uom.product_uom_hour")
        rates = self._invoicera_rates()
        values = []
        for line in self:
            project = line.project_id
            partner = (line.partner_id or project.partner_id).commercial_partner_id
            price, currency = rates[line.id]
            uom = line.product_uom_id or hour
            hours = uom._compute_quantity(line.unit_amount, hour, round=False)
            values.append(
                {
                    "source_id": line.id,
                    "name": line._invoicera_description(),
                    "date": line.date,
                    "company_id": line._invoicera_company().id,
                    "partner_id": partner.id,
                    "project_id": project.id,
                    "task_id": line.task_id.id,
                    "employee_id": line.employee_id.id,
                    "product_id": line._invoicera_product().id,
                    "worked_quantity": hours,
                    "quantity": project._invoicera_round_time(hours),
                    "uom_id": hour.id,
                    "price_unit": price,
                    "standard_price_unit": price,
                    "currency_id": currency.id,
                }
            )
        return values

    def _invoicera_on_invoiced(self, items):
        """Set Odoo's own marker of invoiced time, ``timesheet_invoice_id``.

        The line becomes read-only in the timesheet views and the invoice's
        Timesheets button lists it. One UPDATE for all lines; what the ORM
        would recompute from it is frozen for billed lines (partner, project)
        but for the Billable Type: invoiced here, time is billed on timesheets,
        on a draft too, so the lines reported otherwise until now have theirs
        recomputed.
        """
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_analytic_line AS line
                   SET timesheet_invoice_id = item.invoice_id
                  FROM invoicera_billable_item AS item
                 WHERE line.id = ANY(%(lines)s)
                   AND item.source_model = %(model)s
                   AND item.source_id = line.id
                   AND item.id = ANY(%(items)s)
             RETURNING line.id, line.timesheet_invoice_type
                """,
                lines=self.ids,
                model=self._name,
                items=items.ids,
            )
        )
        retyped = [line_id for line_id, type_ in self.env.cr.fetchall() if type_ != "billable_time"]
        self.invalidate_recordset(["timesheet_invoice_id"])
        self.env["account.move"].invalidate_model(["timesheet_ids"])
        self.browse(retyped).modified(["timesheet_invoice_id"])

    def _invoicera_paid_by(self, order_lines):
        """The lines of ``self`` that their order line (``order_lines``: {line:
        order line}) paid for, and that stay on it: a line billed by the
        quantity ordered (a prepaid pack, a fixed price) that invoiced any of
        it, while the time is still work for that order's client. Odoo links
        that time to no invoice: put on another order line, or on none, it
        would be billed again (``sale.order.line._invoicera_pays_its_time``).
        Time moved to another client's work follows its task, as in Odoo."""
        paying = (
            self.env["sale.order.line"]
            .union(*order_lines.values())
            .exists()
            ._invoicera_pays_its_time()
        )
        return self.filtered(
            lambda line: order_lines[line] in paying
            and order_lines[line].sudo().order_id.partner_id.commercial_partner_id
            == (line.partner_id or line.project_id.partner_id).commercial_partner_id
        )

    def _invoicera_settled_here(self):
        """The lines of ``self`` whose item is written off, or has its hours or
        rate set by hand (in a form too: the record's), in one query."""
        stored = self._origin.filtered("id")
        if not stored:
            return self.browse()
        items = (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("source_model", "=", self._name),
                    ("source_id", "in", stored.ids),
                    "|",
                    "|",
                    ("state", "=", "written_off"),
                    ("quantity_manual", "=", True),
                    ("price_manual", "=", True),
                ]
            )
        )
        ids = set(items.mapped("source_id"))
        return self.filtered(lambda line: line._origin.id in ids)

    def _invoicera_on_released(self, items):
        lines = self.browse(items.mapped("source_id")) & self
        lines.sudo().with_context(invoicera_sync=ENGINE).write({"timesheet_invoice_id": False})

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _invoicera_description(self):
        self.ensure_one()
        if self.name and self.name.strip() not in ("", "/"):
            return self.name.strip()
        return self.task_id.name or self.project_id.name

    def _invoicera_company(self):
        """The company billing this time: its project's (Odoo gives the line
        that company, but not when its task moves to a project of another
        company); on a project of every company, the line's (its employee's)."""
        self.ensure_one()
        return self.project_id.sudo().company_id.with_env(self.env) or self.company_id

    def _invoicera_product(self):
        self.ensure_one()
        return self.project_id.invoicera_service_product_id or self.env.ref(
            "invoicera_timesheet.product_invoicera_time"
        )

    def _invoicera_rates(self):
        """{line id: (hourly rate, currency)}, the most specific rate first.

        Employee on the task, employee on the project, the project's rate, the
        employee's default rate, the service's price in the client's pricelist.
        """
        Rate = self.env["invoicera.billing.rate"].sudo()
        hour = self.env.ref("uom.product_uom_hour")
        specific = {
            (rate.project_id.id, rate.task_id.id, rate.employee_id.id): rate
            # a rate of 0 (entered before such rates were refused) is no rate, as a
            # project's or an employee's rate of 0: it would refuse the invoice
            for rate in Rate.search(
                [("project_id", "in", self.project_id.ids), ("price_unit", ">", 0)]
            )
        }
        pricelist_prices = {}
        result = {}
        for line in self:
            project, employee = line.project_id.sudo(), line.employee_id.sudo()
            company = line._invoicera_company()
            company_currency = company.currency_id
            # the employee's rate on the task, else on its parent task (a
            # subtask is billed as its task), else on the whole project
            rate = False
            task = line.task_id.sudo()
            while task and not rate:
                rate = specific.get((project.id, task.id, employee.id))
                task = task.parent_id
            rate = rate or specific.get((project.id, False, employee.id))
            if rate:
                result[line.id] = (rate.price_unit, rate.currency_id)
            elif project.invoicera_hourly_rate:
                # in the currency it was entered in (a project of every company
                # is billed by each company in that currency)
                result[line.id] = (
                    project.invoicera_hourly_rate,
                    project.invoicera_rate_currency_id or company_currency,
                )
            elif employee.invoicera_billing_rate:
                # in the currency of the employee's company (of the project's
                # company when they work for a sister company)
                result[line.id] = (
                    employee.invoicera_billing_rate,
                    employee.currency_id or company_currency,
                )
            else:
                partner = (line.partner_id or project.partner_id).commercial_partner_id
                pricelist = partner.with_company(company).property_product_pricelist
                product = line._invoicera_product()
                # the price on the day of the work (as Odoo's sale prices at the
                # order's date): the pricelist's rules valid then, converted at
                # that day's rate by the line's company; without a pricelist,
                # the service's price in the company's currency (a service sold
                # per day priced per hour: 8 hours a day)
                currency = pricelist.currency_id or company_currency
                key = (pricelist.id, product.id, line.date, company.id)
                if key not in pricelist_prices:
                    price = pricelist.with_company(company)._get_product_price(
                        product, 1.0, currency=currency, uom=hour, date=line.date
                    )
                    pricelist_prices[key] = (price, currency)
                result[line.id] = pricelist_prices[key]
        return result


def round_time(hours, increment, method, minimum):
    """Billable hours of an entry: rounded to ``increment``, at least ``minimum``."""
    worked = hours
    if increment > 0:
        hours = float_round(
            hours, precision_rounding=increment, rounding_method=ROUNDING_METHODS[method]
        )
    # any time worked bills the minimum, even when rounding takes it to nothing
    if minimum and worked > 0 and hours < minimum:
        hours = minimum
    return hours
