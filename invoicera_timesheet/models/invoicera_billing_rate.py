from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.sql import create_unique_index


class InvoiceraBillingRate(models.Model):
    """The hourly rate of an employee on a project, or on one task of it.

    The most specific rate wins: employee on the task, employee on the
    project, then the project's rate, the employee's default rate, and last the
    project's service product priced in the client's pricelist.
    """

    _name = "invoicera.billing.rate"
    _description = "Billing Rate"
    _order = "project_id, task_id, employee_id"
    _check_company_auto = True

    project_id = fields.Many2one(
        "project.project", required=True, ondelete="cascade", index=True, check_company=True
    )
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, precompute=True, index=True
    )
    task_id = fields.Many2one(
        "project.task",
        domain="[('project_id', '=', project_id)]",
        help="Leave empty for the employee's rate on the whole project.",
        check_company=True,
        # a rate on a deleted task goes with it (not the employee's rate on the
        # whole project)
        ondelete="cascade",
    )
    # Odoo lets an employee log time on a project of another of their companies
    # (hr_timesheet: an employee in the selected companies): their rate on it is
    # set as anyone's, in the project's company (billing items likewise)
    employee_id = fields.Many2one("hr.employee", required=True)
    price_unit = fields.Monetary("Hourly Rate", required=True)
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
    )

    def init(self):
        # One rate per employee and project, and one per employee and task
        # (task_id is NULL for the project-wide rate, hence COALESCE).
        create_unique_index(
            self.env.cr,
            "invoicera_billing_rate_uniq",
            self._table,
            ["project_id", "COALESCE(task_id, 0)", "employee_id"],
        )

    @api.depends("project_id.company_id", "employee_id.company_id")
    def _compute_company_id(self):
        for rate in self:
            rate.company_id = rate.project_id.company_id or rate.employee_id.company_id

    # the currency of the project's rates when the rate is made (or moved to
    # another project): its company's, or on a project of every company the one
    # its hourly rate is in; kept when the project goes to a company of another
    # currency: 130 dollars never become 130 euros
    @api.depends("project_id")
    def _compute_currency_id(self):
        for rate in self:
            rate.currency_id = (
                rate.project_id.invoicera_rate_currency_id or self.env.company.currency_id
            )

    @api.constrains("price_unit")
    def _check_price_unit(self):
        # A rate of 0 bills nothing, and its time would refuse the client's
        # whole invoice (a zero rate): refused when entered.
        unpriced = self.filtered(lambda rate: rate.price_unit <= 0)
        if unpriced:
            raise ValidationError(
                _(
                    "A billing rate must be above zero: %(rates)s. To bill none of an"
                    " employee's time, exclude or write off their work in Unbilled Work.",
                    rates=", ".join(
                        f"{rate.employee_id.name} ({rate.task_id.name or rate.project_id.name})"
                        for rate in unpriced
                    ),
                )
            )

    @api.constrains("task_id", "project_id")
    def _check_task_project(self):
        for rate in self:
            if rate.task_id and rate.task_id.project_id != rate.project_id:
                raise ValidationError(
                    _(
                        "The task %(task)s is not a task of %(project)s.",
                        task=rate.task_id.display_name,
                        project=rate.project_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_unique_keys(
            [
                (v.get("project_id"), v.get("task_id") or False, v.get("employee_id"))
                for v in vals_list
            ]
        )
        rates = super().create(vals_list)
        rates.project_id._invoicera_resync_time()
        return rates

    def write(self, vals):
        if {"project_id", "task_id", "employee_id"} & set(vals):
            self._check_unique_keys(
                [
                    (
                        vals.get("project_id", rate.project_id.id),
                        vals.get("task_id", rate.task_id.id) or False,
                        vals.get("employee_id", rate.employee_id.id),
                    )
                    for rate in self
                ],
                exclude=self,
            )
        projects = self.project_id
        res = super().write(vals)
        (projects | self.project_id)._invoicera_resync_time()
        return res

    @api.model
    def _check_unique_keys(self, keys, exclude=None):
        """Refuse a second rate for an employee on a project or a task, by name.

        The database refuses it too (unique index); this says it clearly.
        """
        seen = set()
        for project_id, task_id, employee_id in keys:
            key = (project_id, task_id, employee_id)
            duplicate = key in seen or self.search_count(
                [
                    ("id", "not in", exclude.ids if exclude else []),
                    ("project_id", "=", project_id),
                    ("task_id", "=", task_id),
                    ("employee_id", "=", employee_id),
                ],
                limit=1,
            )
            seen.add(key)
            if duplicate:
                employee = self.env["hr.employee"].browse(employee_id)
                where = self.env["project.task"].browse(task_id) or self.env[
                    "project.project"
                ].browse(project_id)
                raise ValidationError(
                    _(
                        "%(employee)s already has a rate on %(what)s.",
                        employee=employee.name,
                        what=where.display_name,
                    )
                )

    def unlink(self):
        projects = self.project_id
        res = super().unlink()
        projects._invoicera_resync_time()
        return res
