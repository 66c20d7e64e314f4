from odoo import _, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import groupby

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import (
    InvoiceraBillableMixin,
    engine_flag,
)
from odoo.addons.invoicera_billing.tools import changed_by, created_with

#: milestone fields whose change changes what its item bills: locked once invoiced
BILLED_FIELDS = {"invoicera_amount", "invoicera_currency_id", "project_id", "sale_line_id"}
SYNC_FIELDS = BILLED_FIELDS | {"is_reached", "name", "deadline"}
#: what the client is billed: set by billing staff (the form shows it to them
#: only), not by the project's team, who may write the rest of a milestone
FEE_FIELDS = ("invoicera_amount", "invoicera_currency_id")
FEE_GROUP = "invoicera_billing.group_billing_user"
#: who reads the fee: billing staff and project managers, as a project's rates
#: (not its team, who marks milestones reached, nor its portal collaborators)
FEE_READERS = "invoicera_billing.group_billing_user,project.group_project_manager"


class ProjectMilestone(models.Model):
    """Reached fixed-fee milestones are a source: "milestone".

    A milestone with a fixed fee is billed once reached, on a billable project
    of a client. Milestones tied to a sale order line keep Odoo's own flow.
    """

    _name = "project.milestone"
    _inherit = ["project.milestone", "invoicera.billable.mixin"]

    _invoicera_source = "milestone"
    #: a fee is billed by its project's company: a milestone moved to a project
    #: of another company (or its project given to one) moves its unbilled fee
    _invoicera_synced_fields = (*InvoiceraBillableMixin._invoicera_synced_fields, "company_id")

    invoicera_amount = fields.Monetary(
        "Fixed Fee",
        currency_field="invoicera_currency_id",
        groups=FEE_READERS,
        help="Billed to the project's client once the milestone is reached.",
    )
    invoicera_order_invoiced = fields.Boolean(
        "Invoiced on Its Order",
        readonly=True,
        copy=False,
        groups=FEE_READERS,
        help="The order line this milestone was on invoiced it before the milestone left"
        " it (the line deleted, or the milestone taken off it): its fee is not billed"
        " again here while that line's invoices bill it, net of credit notes.",
    )
    invoicera_order_line_id = fields.Many2one(
        "sale.order.line",
        "Invoicing Order Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups=FEE_READERS,
        help="The order line that invoiced this milestone before the milestone left it:"
        " while its invoices, net of credit notes, still bill the milestone's share, the"
        " fee is not billed here.",
    )
    invoicera_order_qty = fields.Float(
        "Share of the Invoicing Order Line",
        digits="Product Unit of Measure",
        readonly=True,
        copy=False,
        groups=FEE_READERS,
        help="The quantity of that order line this milestone delivered, in the line's unit.",
    )
    invoicera_currency_id = fields.Many2one(
        "res.currency",
        "Fee Currency",
        compute="_compute_invoicera_currency_id",
        store=True,
        readonly=False,
        copy=True,
        help="The currency the fixed fee was agreed in: by default its project company's"
        " (on a project of every company, the company's it was entered in). It stays"
        " when the project or the milestone moves to a company of another currency:"
        " the fee is converted on the invoice.",
    )

    @api.depends("project_id.company_id")
    def _compute_invoicera_currency_id(self):
        # A fee keeps the currency it was agreed in, whichever company its project
        # (or the users who change it) later work in: 5,000 dollars never become
        # 5,000 euros. A new fee takes its project company's.
        unset = self.filtered(lambda m: not m._origin.invoicera_currency_id)
        shared = unset.filtered(lambda m: not m.project_id.company_id)._origin
        billed_in = {}
        if shared:  # before the field was stored: the currency of its item
            billed_in = {item.source_id: item.currency_id for item in shared._invoicera_items()}
        for milestone in unset:
            milestone.invoicera_currency_id = (
                milestone.project_id.company_id.currency_id
                or milestone.invoicera_currency_id
                or billed_in.get(milestone._origin.id)
                or self.env.company.currency_id
            )
        for milestone in self - unset:
            milestone.invoicera_currency_id = milestone._origin.invoicera_currency_id

    @api.constrains("invoicera_amount")
    def _check_invoicera_amount(self):
        # never billed (no item bills a rate below zero): refused when entered
        for milestone in self:
            if milestone.invoicera_amount < 0:
                raise ValidationError(
                    _(
                        "The fixed fee of %(milestone)s cannot be negative.",
                        milestone=milestone.display_name,
                    )
                )

    def _invoicera_companies(self):
        """``{milestone id: the company billing its fee}``: its project's; for a
        project of every company (none set), the company its fee was billable in
        first (its item's), else the current one."""
        shared = self.filtered(lambda m: not m.project_id.company_id)
        first = {}
        if shared:
            first = {item.source_id: item.company_id for item in shared._invoicera_items()}
        return {
            milestone.id: milestone.project_id.company_id
            or first.get(milestone.id)
            or self.env.company
            for milestone in self
        }

    @api.model_create_multi
    def create(self, vals_list):
        priced = [
            vals.get("name") or ""
            for vals in vals_list
            if created_with(self.env, vals, "invoicera_amount")
        ]
        if priced:
            self._invoicera_check_fee_access(priced)
        milestones = super().create(vals_list)
        milestones._invoicera_sync_items()
        return milestones

    def copy(self, default=None):
        """A copy keeps the fee: made by billing staff, or with its project by
        whoever duplicates the project (``project.project.copy``). A milestone
        copied alone by the project's team has none (it would be billed again
        once reached)."""
        default = dict(default or {})
        if "invoicera_amount" in default or self.env.su or self.env.user.has_group(FEE_GROUP):
            return super().copy(default)
        new_milestones = super().copy(dict(default, invoicera_amount=0.0))
        if not engine_flag(self.env, "invoicera_project_copy"):
            return new_milestones
        # sudo: the fee copied as it was, by a project manager who does not set fees
        for milestone, new_milestone in zip(self.sudo(), new_milestones.sudo(), strict=True):
            if milestone.invoicera_amount:
                new_milestone.invoicera_amount = milestone.invoicera_amount
        return new_milestones

    def write(self, vals):
        repriced = changed_by(self, vals, FEE_FIELDS)
        if repriced:
            self._invoicera_check_fee_access(repriced.mapped("display_name"))
        if BILLED_FIELDS & set(vals) or ("is_reached" in vals and not vals["is_reached"]):
            self._invoicera_check_not_billed()
        leaving = {}
        if "sale_line_id" in vals:
            # sudo: whoever moves a milestone need not read the order's invoices
            invoiced = (
                self.sudo()
                .filtered(lambda m: m.sale_line_id and m.sale_line_id.id != vals["sale_line_id"])
                .sale_line_id._invoicera_invoiced_milestones()
                & self.sudo()
            )
            # the line and the share of it each leaves: its invoices keep deciding
            leaving = {
                milestone: (
                    milestone.sale_line_id,
                    milestone.quantity_percentage * milestone.sale_line_id.product_uom_qty,
                )
                for milestone in invoiced
            }
        res = super().write(vals)
        if "sale_line_id" in vals:
            for (line, share), milestones in groupby(leaving, key=leaving.get):
                self.sudo().browse([m.id for m in milestones]).write(
                    {"invoicera_order_line_id": line.id, "invoicera_order_qty": share}
                )
            self._invoicera_update_order_invoiced()
        if SYNC_FIELDS & set(vals):
            self._invoicera_sync_items()
        if {"is_reached", "quantity_percentage"} & set(vals):
            # what the line's invoices cover of the milestones that left it
            # changed with what it delivers (sudo: as the line's invoices)
            lines = self.sudo().sale_line_id
            lines._invoicera_sync_milestones(carrying=lines.browse())
        if "sale_line_id" in vals:
            # Odoo gives the milestone's tasks (and their time) its order line
            self.task_ids._invoicera_sync_timesheets()
        return res

    def _invoicera_update_order_invoiced(self):
        """Mark "Invoiced on Its Order" the milestones of ``self`` that left an
        order line once it invoiced them, while that line's invoices, net of
        credit notes, still bill them (``sale.order.line``'s
        ``_invoicera_invoiced_milestones``); unmark them once they no longer do
        (cancelled, credited, a draft deleted): the fee is then billed here. One
        back on the line it left is that line's again."""
        linked = self.sudo().filtered("invoicera_order_line_id")
        back = linked.filtered(lambda m: m.sale_line_id == m.invoicera_order_line_id)
        if back:
            back.write(
                {
                    "invoicera_order_line_id": False,
                    "invoicera_order_qty": 0.0,
                    "invoicera_order_invoiced": False,
                }
            )
        departed = linked - back
        invoiced = departed.invoicera_order_line_id._invoicera_invoiced_milestones()
        marked = departed.filtered("invoicera_order_invoiced")
        if to_mark := (departed & invoiced) - marked:
            to_mark.write({"invoicera_order_invoiced": True})
        if to_unmark := marked - invoiced:
            to_unmark.write({"invoicera_order_invoiced": False})

    def _invoicera_sync_items(self):
        # The invoiced quantity of their order lines decides (_invoicera_billable):
        # computed first, as computing it brings these fees up to date in its
        # turn (sale.order.line._compute_qty_invoiced), before this sync reads
        # their items (else both would create the same one).
        (self.sudo().sale_line_id | self.sudo().invoicera_order_line_id).mapped("qty_invoiced")
        return super()._invoicera_sync_items()

    @api.model
    def _invoicera_check_fee_access(self, names):
        """Refuse to set the fixed fee of the milestones named ``names`` but to
        billing staff."""
        if self.env.su or self.env.user.has_group(FEE_GROUP):
            return
        raise AccessError(
            _(
                "Only billing staff set the fixed fee of a milestone (and its currency): "
                "%(milestones)s.",
                milestones=", ".join(names),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_invoicera_items(self):
        self._invoicera_unlink_items()

    @api.model
    def _invoicera_project_records(self, projects):
        return self.search([("project_id", "in", projects.ids), ("is_reached", "=", True)])

    def _invoicera_billable(self):
        # A fee is Odoo's while the milestone is on a line of an order that is not
        # cancelled. Odoo leaves it on the line of a cancelled order, which bills
        # nothing more: it is billed here but for what that line's invoices bill.
        billable_projects = self.project_id._invoicera_billable_projects(sold_too=True)
        cancelled = self.sudo().sale_line_id.filtered(lambda line: line.state == "cancel")
        invoiced = cancelled._invoicera_invoiced_milestones()
        return self.filtered(
            lambda m: m.is_reached
            and m.invoicera_amount > 0
            and m.project_id in billable_projects
            and (not m.sudo().sale_line_id or m.sudo().sale_line_id in cancelled)
            and m not in invoiced
            and not m.sudo().invoicera_order_invoiced
        )

    def _invoicera_item_values(self):
        product = self.env.ref("invoicera_timesheet.product_invoicera_milestone")
        today = fields.Date.context_today(self)
        companies = self._invoicera_companies()
        return [
            {
                "source_id": milestone.id,
                "name": milestone.name,
                "date": milestone.reached_date or milestone.deadline or today,
                "company_id": companies[milestone.id].id,
                "partner_id": milestone.project_id.partner_id.commercial_partner_id.id,
                "project_id": milestone.project_id.id,
                "product_id": product.id,
                "worked_quantity": 1.0,
                "quantity": 1.0,
                "uom_id": product.uom_id.id,
                "price_unit": milestone.invoicera_amount,
                "standard_price_unit": milestone.invoicera_amount,
                "currency_id": milestone.invoicera_currency_id.id,
            }
            for milestone in self
        ]
