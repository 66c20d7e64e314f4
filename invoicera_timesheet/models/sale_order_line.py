from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    def unlink(self):
        milestones = self._invoicera_unbilled_milestones()
        timesheets = self._invoicera_unbilled_timesheets()
        result = super().unlink()
        milestones.exists()._invoicera_sync_items()
        # The database cleared their order line (no write): Odoo's rule gives
        # them another line of the project if any (the ORM is not told), else
        # they are billed here.
        timesheets = timesheets.exists()
        self.env.add_to_compute(timesheets._fields["so_line"], timesheets)
        timesheets._invoicera_sync_items()
        return result

    def _invoicera_unbilled_timesheets(self):
        """The time of these lines that Odoo did not invoice: once the lines are
        deleted it has no order line, and its billable project's time is billed
        here. Time an invoice of the order bills stays off (billed once)."""
        # sudo: deleting an order line may be a salesperson's, who need not read
        # the time
        return (
            self.env["account.analytic.line"]
            .sudo()
            .search([("so_line", "in", self.ids), ("project_id", "!=", False)])
            .filtered(lambda line: line._is_not_billed())
        )

    def _invoicera_unbilled_milestones(self):
        """The milestones of these lines that the order did not invoice: once the
        lines are deleted they have no order line, and are billed here. A
        milestone whose line was invoiced stays off (its fee is Odoo's invoice's)."""
        # sudo: deleting an order may be a salesperson's, who need not read projects
        lines_sudo = self.sudo().filtered(
            lambda line: not line.invoice_lines.filtered(
                lambda invoice_line: invoice_line.parent_state != "cancel"
            )
        )
        if not lines_sudo:
            return self.env["project.milestone"].sudo()
        return self.env["project.milestone"].sudo().search([("sale_line_id", "in", lines_sudo.ids)])

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
