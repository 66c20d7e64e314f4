from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE, engine_flag
from odoo.addons.invoicera_billing.tools import changed_by, created_with

from .account_analytic_line import round_time

#: project fields whose change re-prices or re-rounds the project's unbilled
#: time, or decides whether it is billed here (Odoo gives its timesheets the
#: order line of a project sold on a sale order; its employee mapping writes
#: the timesheets' order line itself, which syncs them)
RATE_FIELDS = {
    "sale_line_id",
    "invoicera_hourly_rate",
    "invoicera_rate_currency_id",
    "invoicera_service_product_id",
    "invoicera_rounding",
    "invoicera_rounding_method",
    "invoicera_minimum_time",
    "invoicera_cost_markup",
    "invoicera_time_approval",
    "allow_billable",
    "partner_id",
}
#: project fields that decide whether its work is billed here, to whom, or which
#: costs are its own (its analytic account): work recorded before the change
#: may be billable now without an item yet
BILLABLE_FIELDS = {"allow_billable", "partner_id", "sale_line_id", "account_id"}
#: who reads a project's internal rates and markup (not its team, nor portal
#: followers); the engine reads them as superuser, for whoever records the work
RATE_GROUPS = "invoicera_billing.group_billing_user,project.group_project_manager"
#: the project's prices, configured by billing managers only (as its employees'
#: rates, ``invoicera.billing.rate``): a project manager picks the work, not its
#: price (in Odoo, a project's price is its order line's, set by sales)
PRICE_FIELDS = ("invoicera_hourly_rate", "invoicera_cost_markup")
#: ... and the currency of its rates (on a project of every company): 100
#: dollars an hour do not become 100 rupees but by a billing manager
REPRICING_FIELDS = (*PRICE_FIELDS, "invoicera_rate_currency_id")
#: how the project's work is billed (its Billing tab), set by billing staff: a
#: project manager who is not picks the work, not how it is billed
BILLING_SETTINGS = (
    "invoicera_service_product_id",
    "invoicera_rounding",
    "invoicera_rounding_method",
    "invoicera_minimum_time",
    "invoicera_time_approval",
    "invoicera_client_approval",
)


class ProjectProject(models.Model):
    _inherit = "project.project"

    invoicera_hourly_rate = fields.Monetary(
        "Hourly Rate",
        currency_field="invoicera_rate_currency_id",
        help="Rate of every employee's time on this project, unless the employee "
        "has a rate of their own below.",
        groups=RATE_GROUPS,
    )
    invoicera_rate_currency_id = fields.Many2one(
        "res.currency",
        "Rate Currency",
        compute="_compute_invoicera_rate_currency_id",
        store=True,
        readonly=False,
        copy=True,  # a copy's rate is the same amount of the same money
        help="The currency of the hourly rate: its company's; on a project of every "
        "company, the one it was entered in, whichever company bills the time.",
    )
    invoicera_can_price = fields.Boolean(
        compute="_compute_invoicera_can_price",
        help="Whether the user sets the project's prices (a billing manager).",
    )
    invoicera_rate_ids = fields.One2many(
        "invoicera.billing.rate",
        "project_id",
        string="Employee Rates",
        copy=False,  # see copy(): the rates on tasks stay with their tasks
        groups=RATE_GROUPS,
    )
    invoicera_service_product_id = fields.Many2one(
        "product.product",
        "Billed Service",
        domain=lambda self: [
            ("type", "=", "service"),
            ("uom_id.category_id", "=", self.env.ref("uom.uom_categ_wtime").id),
        ],
        default=lambda self: self.env.ref(
            "invoicera_timesheet.product_invoicera_time", raise_if_not_found=False
        ),
        help="The service time is invoiced as (its income account and taxes), "
        "sold in a unit of time. "
        "Without any rate, its price in the client's pricelist is used.",
        check_company=True,
    )
    invoicera_rounding = fields.Float(
        "Round Time To",
        help="Billable time of each entry is rounded to a multiple of this many "
        "hours (e.g. 0.25 for quarter hours). 0: no rounding.",
    )
    invoicera_rounding_method = fields.Selection(
        [("up", "Up"), ("nearest", "Nearest"), ("down", "Down")],
        string="Rounding",
        default="up",
        required=True,
    )
    invoicera_minimum_time = fields.Float(
        "Minimum per Entry", help="Bill at least this many hours for any entry."
    )
    invoicera_time_approval = fields.Boolean(
        "Approve Time Before Billing",
        help="Employees submit their time; the project manager approves it. Only "
        "approved time is billed.",
    )
    invoicera_cost_markup = fields.Float(
        "Markup on Costs (%)",
        help="Added to re-billed expenses and vendor costs billed at cost.",
        groups=RATE_GROUPS,
    )

    @api.depends("company_id")
    def _compute_invoicera_rate_currency_id(self):
        # A project of every company keeps the currency its rate was entered in
        # (its former company's when it had one): 100 dollars are not billed
        # 100 euros by a euro company's staff.
        for project in self:
            project.invoicera_rate_currency_id = (
                project.company_id.currency_id
                or project._origin.invoicera_rate_currency_id
                or self.env.company.currency_id
            )

    @api.constrains("invoicera_rounding", "invoicera_minimum_time", "invoicera_hourly_rate")
    def _check_invoicera_time_settings(self):
        for project in self:
            if project.invoicera_rounding < 0 or project.invoicera_minimum_time < 0:
                raise ValidationError(
                    _(
                        "Rounding and minimum time of %(project)s cannot be negative.",
                        project=project.display_name,
                    )
                )
            if project.invoicera_hourly_rate < 0:
                raise ValidationError(
                    _(
                        "The hourly rate of %(project)s cannot be negative.",
                        project=project.display_name,
                    )
                )

    @api.constrains("invoicera_cost_markup")
    def _check_invoicera_cost_markup(self):
        # a markup of -100% or below bills costs at zero or as credits to the
        # client (a zero or negative rate, which invoicing refuses, holding back
        # the client's other work): refused when entered, naming the project
        below = self.filtered(lambda project: project.invoicera_cost_markup <= -100)
        if below:
            raise ValidationError(
                _(
                    "The markup on costs of %(projects)s must be above -100%%: at -100%% "
                    "or below, the client would be billed each cost at zero or as a "
                    "credit, which cannot be invoiced.",
                    projects=", ".join(below.mapped("display_name")),
                )
            )

    @api.constrains("invoicera_service_product_id", "company_id")
    def _check_invoicera_service_company(self):
        # The project's time is billed by its company (by any company's staff on
        # a project of every company): a service of another company would refuse
        # the time its items ("incompatible companies"), whoever logs it.
        for project in self:
            product_company = project.invoicera_service_product_id.sudo().company_id
            if product_company and product_company != project.company_id:
                raise ValidationError(
                    _(
                        "The billed service %(service)s of %(project)s belongs to "
                        "%(company)s: choose a service of the project's company, or one "
                        "of every company.",
                        service=project.invoicera_service_product_id.sudo().display_name,
                        project=project.display_name,
                        company=product_company.name,
                    )
                )

    @api.depends_context("uid")
    def _compute_invoicera_can_price(self):
        self.invoicera_can_price = self._invoicera_sets_prices()

    @api.model_create_multi
    def create(self, vals_list):
        priced = [
            vals.get("name") or ""
            for vals in vals_list
            if any(created_with(self.env, vals, fname) for fname in PRICE_FIELDS)
        ]
        if priced:
            self._invoicera_check_price_access(priced)
        if not engine_flag(self.env, "invoicera_project_copy"):
            # (a copy keeps the original's settings, checked in copy()). The
            # defaults compared with are the settings' own, not the caller's
            # context defaults, which default_get would return.
            own_defaults = self.env(
                context={
                    key: value
                    for key, value in self.env.context.items()
                    if not key.startswith("default_")
                }
            )
            defaults = self.with_env(own_defaults).default_get(list(BILLING_SETTINGS))
            configured = [
                vals.get("name") or ""
                for vals in vals_list
                if any(
                    (created_with(self.env, vals, fname) or False) != defaults.get(fname, False)
                    for fname in BILLING_SETTINGS
                    if fname in vals or f"default_{fname}" in self.env.context
                )
            ]
            if configured:
                self._invoicera_check_billing_settings_access(configured)
        # Made on an analytic account in use (Settings: the account of work
        # recorded before the project): the work already on it is billed, as
        # when the account is given to a project later (write). (Read before
        # Odoo's create, which writes the accounts it makes into vals_list.)
        given = {vals["account_id"] for vals in vals_list if vals.get("account_id")}
        projects = super().create(vals_list)
        projects.filtered(lambda project: project.account_id.id in given)._invoicera_resync_time(
            recorded=True
        )
        return projects

    def write(self, vals):
        # a write of the prices they have (a form, an import sending them again)
        # changes nothing
        repriced = changed_by(self, vals, REPRICING_FIELDS)
        if repriced:
            self._invoicera_check_price_access(repriced.mapped("display_name"))
        configured = changed_by(self, vals, BILLING_SETTINGS)
        if configured:
            self._invoicera_check_billing_settings_access(configured.mapped("display_name"))
        if "company_id" in vals:
            self._invoicera_check_company_currency(vals["company_id"])
        res = super().write(vals)
        changed = set(vals)
        # renamed: its time without a description of its own is named after it
        if (RATE_FIELDS | BILLABLE_FIELDS | {"name"}) & changed:
            self._invoicera_resync_time(recorded=bool(BILLABLE_FIELDS & changed))
        if "company_id" in changed:
            # its work is billed by its company (_invoicera_billing_company):
            # what is not invoiced yet follows it
            self._invoicera_resync_time(recorded=True)
        return res

    def copy(self, default=None):
        """The copy has the employees' rates on the whole project; rates on the
        original's tasks stay there (the copy's tasks are new ones). Copied as
        superuser: whoever duplicates the project reads its rates, only billing
        managers configure rates."""
        default = dict(default or {})
        # settings given here that the copy would not have from its original
        # are checked as a write would check them (create does not: a copy
        # keeps the original's settings), and so is its rate's currency: the
        # original's rate, kept below, would be billed in another money
        configured = changed_by(self, default, BILLING_SETTINGS)
        if configured:
            self._invoicera_check_billing_settings_access(configured.mapped("display_name"))
        repriced = changed_by(self, default, ("invoicera_rate_currency_id",))
        if repriced:
            self._invoicera_check_price_access(repriced.mapped("display_name"))
        # prices given here are checked as any (create); the original's are kept
        kept = [fname for fname in PRICE_FIELDS if fname not in default]
        # its milestones' copies keep their fees (project.milestone.copy)
        projects = self.with_context(invoicera_project_copy=ENGINE)
        new_projects = super(ProjectProject, projects).copy(
            default=dict(dict.fromkeys(kept, 0.0), **default)
        )
        # sudo: the copy keeps the original's prices, whoever duplicates it (a
        # project manager, who reads them but does not set them)
        for project, new_project in zip(self.sudo(), new_projects.sudo(), strict=True):
            prices = {fname: project[fname] for fname in kept if project[fname]}
            if prices:
                new_project.write(prices)
        if "invoicera_rate_ids" not in default:
            for project, new_project in zip(self.sudo(), new_projects, strict=True):
                project.invoicera_rate_ids.filtered(lambda rate: not rate.task_id).copy(
                    {"project_id": new_project.id}
                )
        return new_projects

    @api.model
    def _invoicera_sets_prices(self):
        """Whether the current user prices projects: billing managers."""
        return self.env.su or self.env.user.has_group("invoicera_billing.group_billing_manager")

    @api.model
    def _invoicera_check_price_access(self, projects):
        """Refuse to price the projects named ``projects`` (their hourly rate, its
        currency, their markup on costs) but to billing managers."""
        if self._invoicera_sets_prices():
            return
        raise AccessError(
            _(
                "Only billing managers set the hourly rate (and its currency) and the "
                "markup on costs of a project: %(projects)s.",
                projects=", ".join(projects),
            )
        )

    @api.model
    def _invoicera_check_billing_settings_access(self, projects):
        """Refuse to set how the projects named ``projects`` are billed (time
        rounding, minimum, billed service, approvals) but to billing staff."""
        if self.env.su or self.env.user.has_group("invoicera_billing.group_billing_user"):
            return
        raise AccessError(
            _(
                "Only billing staff set how a project's work is billed (time rounding, "
                "minimum per entry, billed service, time and client approval): "
                "%(projects)s.",
                projects=", ".join(projects),
            )
        )

    def _invoicera_check_company_currency(self, company_id):
        """Refuse to move priced projects to the company ``company_id`` but to
        billing managers, when that changes their rate's currency (their rate
        would be billed in the new company's money: 100 dollars, 100 rupees)."""
        company = self.env["res.company"].browse(company_id)
        if not company or self._invoicera_sets_prices():
            return
        repriced = self.filtered(
            lambda project: project.sudo().invoicera_hourly_rate
            and project.invoicera_rate_currency_id != company.currency_id
        )
        if repriced:
            raise AccessError(
                _(
                    "Moving %(projects)s to %(company)s would bill its hourly rate in "
                    "%(currency)s: only billing managers change the currency of a "
                    "project's rate.",
                    projects=", ".join(repriced.mapped("display_name")),
                    company=company.name,
                    currency=company.currency_id.name,
                )
            )

    def _update_timesheets_sale_line_id(self):
        """Odoo gives the projects' unbilled time the order line of its employee
        (employee mapping): not the time written off or written down here, nor
        the time an order line paid for (``account.analytic.line._compute_so_line``),
        which the order would bill again."""
        # (as Odoo, only of billable projects with timesheets)
        timesheets = self.filtered(
            lambda project: project.allow_billable and project.allow_timesheets
        ).timesheet_ids
        kept = timesheets._invoicera_settled_here() | timesheets._invoicera_paid_by(
            {line: line.so_line for line in timesheets}
        )
        return super(
            ProjectProject, self.with_context(invoicera_kept_ids=kept.ids)
        )._update_timesheets_sale_line_id()

    @api.ondelete(at_uninstall=False)
    def _unlink_invoicera_milestone_items(self):
        # The database deletes the project's milestones (cascade) without their
        # own hook: drop their items here, refused when invoiced.
        self.env["project.milestone"].sudo().search(
            [("project_id", "in", self.ids)]
        )._invoicera_unlink_items()

    def _invoicera_sold_on_order_lines(self):
        """Projects of ``self`` with work on a sale order line: their own, one
        of their tasks', one of their employees' (Odoo's project sale items)."""
        if not self:
            return self
        # sudo: whoever logs time, whatever they may read of the sales
        with_task_lines = {
            project.id
            for (project,) in self.env["project.task"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(
                [("project_id", "in", self.ids), ("sale_line_id", "!=", False)], ["project_id"]
            )
        }
        return self.filtered(
            lambda project: project.id in with_task_lines
            or project.sudo().sale_line_id
            or project.sudo().sale_line_employee_ids.sale_line_id
        )

    def _invoicera_billing_company(self, company):
        """The company billing this project's work recorded by ``company``: the
        project's, whichever company recorded it (a sister company's warehouse,
        vendor or employee, as its time); of ``company`` for a project of every
        company."""
        self.ensure_one()
        return self.sudo().company_id.with_env(self.env) or company

    def _invoicera_round_time(self, hours):
        """Billable hours of one entry of this project's time."""
        self.ensure_one()
        return round_time(
            hours,
            self.invoicera_rounding,
            self.invoicera_rounding_method,
            self.invoicera_minimum_time,
        )

    def _invoicera_resync_time(self, recorded=False):
        """Re-price the unbilled work of these projects (time and costs).

        ``recorded``: also find the work of every other source that may be billed
        on them (``_invoicera_project_records``), not only that of their items:
        work recorded while a project was not billed here (no client, not
        billable, sold) or on another analytic account has no item yet.
        """
        if not self:
            return
        Mixin = self.env["invoicera.billable.mixin"]
        # sudo: a project's work is everyone's (timesheets, expenses, vendor
        # bills, deliveries), whoever changes the project; its items follow it
        found = {
            model: self.env[model].sudo()._invoicera_project_records(self)
            for model in (
                Mixin._invoicera_source_models() if recorded else ["account.analytic.line"]
            )
        }
        # all the time of the projects is found (but what Odoo invoiced); the
        # other sources' items are read too: re-priced by the markup, or leaving
        # the project (a cost no longer on its analytic account)
        items = (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=False)  # archived: back if billable again
            .search(
                [
                    ("project_id", "in", self.ids),
                    ("source", "!=", "time"),
                    ("state", "!=", "invoiced"),
                ]
            )
        )
        for model, sources in items._sources().items():
            found[model] = found.get(model, sources.browse()) | sources
        for records in found.values():
            records._invoicera_sync_items()

    def _invoicera_billable_projects(self, sold_too=False):
        """Projects of ``self`` whose work Invoicera bills: billable, with a client,
        and, unless ``sold_too``, not sold through a sale order (those go through
        Odoo's own flow).

        ``sold_too``: for work that Odoo bills on a sold project only where it is
        on an order line itself: a milestone's fee (through the milestone's order
        line), a cost billed here before the sale (:meth:`_invoicera_cost_shares`),
        a delivery not validated for a sold project (``stock.move._invoicera_billed_here``).
        """
        candidates = self.filtered(lambda p: p.allow_billable and p.partner_id)
        if not candidates or sold_too:
            return candidates
        return candidates - candidates._invoicera_sold_projects()

    def _invoicera_sold_projects(self):
        """Projects of ``self`` sold through a sale order: a confirmed order of the
        project, or the project's own order line."""
        if not self:
            return self
        sold = {
            project.id
            for (project,) in self.env["sale.order"]
            .sudo()
            ._read_group([("project_id", "in", self.ids), ("state", "=", "sale")], ["project_id"])
        }
        return self.filtered(lambda p: p.id in sold or p.sudo().sale_line_id)

    @api.model
    def _invoicera_cost_shares(self, costs):
        """For cost records (expenses, vendor bill lines), ``{id: (project, share)}``:
        the billable project each one bills and its share (``_invoicera_project_shares``).

        A cost billed here before its project was sold through a sale order is
        still billed here, on that project, for its share of it: Odoo re-invoices
        a vendor cost when it is posted (or its distribution changes), an
        expense when it has a *Customer to Reinvoice*, not because its project
        was sold since. Where Odoo re-invoices it, its source says so and it is
        not billed here (the order line of its analytic entries, the expense's
        order).
        """
        distributions = costs.mapped("analytic_distribution")
        shares = dict(zip(costs.ids, self._invoicera_project_shares(distributions), strict=True))
        # billed on a project sold since: it competes for the cost as before
        # the sale (a cost split with another client's project stays on it, not
        # moved to the other client for its smaller share)
        billed_on = self._invoicera_billed_on(costs)
        if not billed_on:
            return shares
        sold = self.union(*billed_on.values())._invoicera_sold_projects()
        for cost in costs:
            project = billed_on.get(cost.id)
            best, best_share = shares[cost.id]
            if not project or project == best or (best and project not in sold):
                continue
            share = self._invoicera_account_shares(cost.analytic_distribution).get(
                project.account_id.id
            )
            if share and share >= best_share:
                shares[cost.id] = (project, share)
        return shares

    @api.model
    def _invoicera_billed_on(self, records):
        """``{record id: project}``: for source records that were billed here, the
        project of their item (archived ones too), where that project's work
        may still be billed here though sold (``sold_too``)."""
        billed_on = {
            item.source_id: item.project_id.with_env(self.env)
            for item in records._invoicera_items()
        }
        still_billable = self.union(*billed_on.values())._invoicera_billable_projects(sold_too=True)
        return {
            record_id: project
            for record_id, project in billed_on.items()
            if project in still_billable
        }

    @api.model
    def _invoicera_account_shares(self, distribution):
        """``{analytic account id: percentage}`` of an analytic distribution, in
        the order of its keys. A key is a combination of accounts, one per plan
        (``"project,department"``): an account's share is the sum of the keys
        with it (a cost all on the project, split between two departments, is
        100% the project's)."""
        shares = {}
        for key, percentage in (distribution or {}).items():
            for account_id in key.split(","):
                if account_id.isdigit():
                    shares[int(account_id)] = shares.get(int(account_id), 0.0) + percentage
        return shares

    @api.model
    def _invoicera_project_shares(self, distributions):
        """For analytic distributions, the billable project each one bills and its
        share (``_invoicera_account_shares``).

        Returns one ``(project, percentage)`` per distribution, in order; the
        project with the largest share wins (the first one on a tie);
        ``(empty, 0)`` when none is billable.
        """
        account_shares = [self._invoicera_account_shares(d) for d in distributions]
        account_ids = {account_id for shares in account_shares for account_id in shares}
        # archived projects too: a closed project's last costs are billed, as its time
        projects = (
            self.sudo()
            .with_context(active_test=False)
            .search([("account_id", "in", list(account_ids))])
        )
        # an active project sharing the account with an archived one wins
        by_account = {
            p.account_id.id: p
            for p in projects._invoicera_billable_projects().sorted(lambda p: p.active)
        }
        result = []
        for shares in account_shares:
            best, share = self.browse(), 0.0
            for account_id, account_share in shares.items():
                if account_id in by_account and account_share > share:
                    best, share = by_account[account_id], account_share
            result.append((best.with_env(self.env), share))
        return result

    def _invoicera_cost_price(self, unit_cost, share):
        """What a unit of cost is billed at: its share of the project, with the markup."""
        self.ensure_one()
        return unit_cost * share / 100.0 * (1 + self.sudo().invoicera_cost_markup / 100.0)
