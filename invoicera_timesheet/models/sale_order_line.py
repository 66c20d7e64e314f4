from odoo import api, models
from odoo.osv import expression
from odoo.tools import float_compare

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE

from .account_analytic_line import NOT_INVOICED

#: time a sale order line delivers by timesheets, as the engine bills time
#: (``account.analytic.line._invoicera_billable``): on a project that approves
#: time, approved time only
APPROVED_TIME = [
    "|",
    ("project_id.invoicera_time_approval", "=", False),
    ("invoicera_approval_state", "=", "approved"),
]
#: ...or time an invoice bills already (approval switched on since: delivered
#: and invoiced, not taken back by a credit note the order would then propose)
DELIVERED_TIME = expression.OR(
    [
        APPROVED_TIME,
        [
            ("timesheet_invoice_id", "!=", False),
            ("timesheet_invoice_id.state", "!=", "cancel"),
            ("timesheet_invoice_id.payment_state", "!=", "reversed"),
        ],
    ]
)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def write(self, vals):
        res = super().write(vals)
        if "product_uom_qty" in vals:
            # each milestone's share of the line changed: what its invoices
            # cover of the milestones that left it too
            lines = self.filtered(lambda line: line.qty_delivered_method == "milestones")
            lines._invoicera_sync_milestones(carrying=lines.browse())
        return res

    def unlink(self):
        leaving = self._invoicera_before_unlink()
        result = super().unlink()
        self._invoicera_after_unlink(*leaving)
        return result

    @api.depends(
        "analytic_line_ids.invoicera_approval_state",
        "analytic_line_ids.project_id.invoicera_time_approval",
        "analytic_line_ids.timesheet_invoice_id.state",
        "analytic_line_ids.timesheet_invoice_id.payment_state",
    )
    def _compute_qty_delivered(self):
        # time approved (or sent back) is delivered (or no longer), and so is
        # time its invoice bills until cancelled or credited in full: its hours
        # counted as _timesheet_compute_delivered_quantity_domain says
        return super()._compute_qty_delivered()

    def _compute_qty_invoiced(self):
        # Odoo recomputes it whenever an invoice of these lines is posted, reset,
        # cancelled, credited or deleted: the fees that follow their invoices
        # (on a cancelled order's line, or taken off the line) follow it too
        res = super()._compute_qty_invoiced()
        lines = self.filtered(
            lambda line: isinstance(line.id, int) and line.qty_delivered_method == "milestones"
        )
        lines._invoicera_sync_milestones(lines.filtered(lambda line: line.state == "cancel"))
        return res

    def _timesheet_compute_delivered_quantity_domain(self):
        """On a project that approves time, only approved time is delivered (as
        only approved time is billable here): Odoo's "Create Invoices" bills it
        once approved."""
        return expression.AND(
            [super()._timesheet_compute_delivered_quantity_domain(), DELIVERED_TIME]
        )

    def _invoicera_before_unlink(self):
        """Before these lines are deleted (by themselves or with their order): the
        milestones and the time they leave, to sync once they are gone. The
        milestones they invoiced are marked so (their fee is Odoo's invoice's)."""
        milestones = self._invoicera_line_milestones()
        self._invoicera_invoiced_milestones().write({"invoicera_order_invoiced": True})
        timesheets = self._invoicera_unbilled_timesheets()
        paid = timesheets.browse()
        by_line = timesheets.grouped("so_line")
        for line in self._invoicera_pays_its_time():
            time = by_line.get(line, timesheets.browse())
            invoice = line._invoicera_last_invoice()
            if time and invoice:
                # Odoo links no invoice to it: linked, it stays billed by the
                # order's invoice once off the order line (as time sale_timesheet
                # invoiced, _invoicera_invoiced_by_odoo), not billed here again
                time.with_context(invoicera_sync=ENGINE).write({"timesheet_invoice_id": invoice.id})
                paid |= time
        return milestones, timesheets - paid

    @api.model
    def _invoicera_after_unlink(self, milestones, timesheets):
        milestones.exists()._invoicera_sync_items()
        # The database cleared their order line (no write): Odoo's rule gives
        # them another line of the project if any (the ORM is not told), else
        # they are billed here.
        timesheets = timesheets.exists()
        self.env.add_to_compute(timesheets._fields["so_line"], timesheets)
        timesheets._invoicera_sync_items()

    def _invoicera_unbilled_timesheets(self):
        """The time of these lines that Odoo did not invoice: once the lines are
        deleted it has no order line, and its billable project's time is billed
        here. Time an invoice of the order bills stays off (billed once)."""
        # sudo: deleting an order line may be a salesperson's, who need not read
        # the time
        return (
            self.env["account.analytic.line"]
            .sudo()
            .search(
                expression.AND(
                    [[("so_line", "in", self.ids), ("project_id", "!=", False)], NOT_INVOICED]
                )
            )
        )

    def _invoicera_pays_its_time(self):
        """The lines of ``self`` whose invoices paid for the time on them: lines
        billed by the quantity ordered or by milestones, not by the hours
        delivered (a prepaid pack, a fixed price), once they invoiced any of it.

        Odoo links that time to no invoice (sale_timesheet links the time of
        lines billing the hours delivered only): off its order line, it would
        be billed here again by the hour. So it stays on the line when its task
        or project leaves it (``account.analytic.line._compute_so_line``), and
        is linked to the line's invoice when the line is deleted.
        """
        return self.sudo().filtered(
            lambda line: line.qty_invoiced > 0
            and line.product_id.service_policy != "delivered_timesheet"
        )

    def _invoicera_last_invoice(self):
        """This line's last posted invoice that its credit notes left standing."""
        self.ensure_one()
        return self.invoice_lines.move_id.filtered(
            lambda move: move.move_type == "out_invoice"
            and move.state == "posted"
            and move.payment_state != "reversed"
        ).sorted(lambda move: (move.invoice_date, move.id))[-1:]

    def _invoicera_line_milestones(self):
        """The milestones of these lines: once the lines are deleted they have no
        order line, and are billed here but for those the lines invoiced
        (:meth:`_invoicera_invoiced_milestones`)."""
        # sudo: deleting an order may be a salesperson's, who need not read projects
        return self.env["project.milestone"].sudo().search([("sale_line_id", "in", self.ids)])

    def _invoicera_sync_milestones(self, carrying=None):
        """Bring up to date the fees that follow these lines: of the milestones
        that left them once invoiced (billed here once the lines' invoices no
        longer bill them), and of those on ``carrying`` (these lines by default;
        billed here while their order is cancelled, but for what the lines
        invoiced). One search."""
        if not self:
            return
        carrying = self if carrying is None else carrying
        # sudo: an order or its invoices changed by whoever may, not a project user
        milestones = (
            self.env["project.milestone"]
            .sudo()
            .search(
                [
                    "|",
                    ("invoicera_order_line_id", "in", self.ids),
                    ("sale_line_id", "in", carrying.ids),
                ]
            )
        )
        milestones._invoicera_update_order_invoiced()
        milestones._invoicera_sync_items()

    def _invoicera_invoiced_milestones(self):
        """The reached milestones of these lines that their invoices bill.

        A line billed on milestones delivers each one's share of its quantity
        once reached, and invoices what was delivered: its invoiced quantity
        (net of credit notes) covers its milestones in the order they were
        reached, then those that left it once invoiced (what it invoiced beyond
        what it delivers: Odoo's order proposes to credit it), in the same order.
        """
        Milestone = self.env["project.milestone"].sudo()
        invoiced = Milestone
        lines = self.sudo().filtered(
            lambda line: line.qty_delivered_method == "milestones" and line.qty_invoiced > 0
        )
        if not lines:
            return invoiced
        left = Milestone.search(
            [("invoicera_order_line_id", "in", lines.ids), ("is_reached", "=", True)]
        ).filtered(lambda m: m.sale_line_id != m.invoicera_order_line_id)
        left_by_line = left.grouped("invoicera_order_line_id")

        def by_reach(milestone):
            return (milestone.reached_date, milestone.id)

        for line in lines:
            covered = 0.0
            rounding = line.product_uom.rounding
            shares = [
                (milestone, milestone.quantity_percentage * line.product_uom_qty)
                for milestone in line.reached_milestones_ids.sorted(by_reach)
            ] + [
                (milestone, milestone.invoicera_order_qty)
                for milestone in left_by_line.get(line, Milestone).sorted(by_reach)
            ]
            for milestone, share in shares:
                if float_compare(share, 0.0, precision_rounding=rounding) <= 0:
                    continue  # delivers nothing: never invoiced by the line
                covered += share
                if float_compare(covered, line.qty_invoiced, precision_rounding=rounding) > 0:
                    break
                invoiced |= milestone
        return invoiced

    def _handle_milestones(self, project):
        """Odoo puts every milestone of ``project`` without an order line on a line
        billed on milestones; a milestone whose fee is invoiced here stays off it
        (on the line, the order would bill its share again), as does one whose
        fee is written off here (never to bill).

        Odoo's rule then applies to the other milestones (the line's quantity
        shared among them) or, where there are none, to a project without any (a
        milestone made for the line).
        """
        self.ensure_one()
        if self.product_id.service_policy != "delivered_milestones" or not project:
            return super()._handle_milestones(project)
        free = project.milestone_ids.filtered(lambda milestone: not milestone.sale_line_id)
        settled = free._invoicera_items().filtered(
            lambda item: item.state in ("invoiced", "written_off")
        )
        kept_off = free.browse(settled.mapped("source_id"))
        if not kept_off:
            return super()._handle_milestones(project)
        if others := free - kept_off:
            others.write(
                {"sale_line_id": self.id, "product_uom_qty": self.product_uom_qty / len(others)}
            )
            return None
        return super()._handle_milestones(project.browse())
