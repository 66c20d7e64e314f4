from odoo import models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

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
