from odoo import _, models
from odoo.exceptions import UserError


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def write(self, vals):
        if vals.get("state") == "sale":
            self.filtered(lambda order: order.state != "sale")._invoicera_check_fees_not_billed()
        cancelled = self.filtered(lambda order: order.state == "cancel")
        res = super().write(vals)
        if "state" in vals:
            # Odoo leaves the milestones on the lines of a cancelled order: their
            # fees are billed here then, and the order's again once confirmed
            (
                cancelled | self.filtered(lambda order: order.state == "cancel")
            ).order_line.sudo()._invoicera_sync_milestones()
        return res

    def unlink(self):
        # The database deletes the lines and clears the order line of their
        # milestones and time without the ORM: these are then billed here (but
        # the milestones the order invoiced).
        lines = self.order_line
        leaving = lines._invoicera_before_unlink()
        result = super().unlink()
        lines._invoicera_after_unlink(*leaving)
        return result

    def _invoicera_check_fees_not_billed(self):
        """Refuse to confirm again orders whose milestones' fees were invoiced here
        while they were cancelled: the orders would bill them a second time
        (UserError naming the milestones and their invoices)."""
        # sudo: whoever confirms an order need not read projects or invoices
        milestones = (
            self.env["project.milestone"]
            .sudo()
            .search([("sale_line_id", "in", self.order_line.ids)])
        )
        if not milestones:
            return
        items = milestones._invoicera_items().filtered(lambda item: item.state == "invoiced")
        if not items:
            return
        billed = milestones.browse(items.mapped("source_id"))
        raise UserError(
            _(
                "%(orders)s cannot be confirmed again: %(invoices)s billed the fees of its "
                "milestones %(milestones)s from Billing ▸ Unbilled Work while it was cancelled, "
                "and the order would bill them a second time. Cancel or credit those invoices "
                "first (the fees go back to Unbilled Work), or delete the order lines of these "
                "milestones.",
                orders=", ".join(billed.sale_line_id.order_id.mapped("display_name")),
                milestones=", ".join(billed.mapped("display_name")),
                invoices=items.invoice_id._invoicera_names(),
            )
        )
