from odoo import api, fields, models
from odoo.exceptions import ValidationError


class InvoiceraItemDecisionWizard(models.TransientModel):
    """Defer or write off billable items, with the date or the reason it takes."""

    _name = "invoicera.item.decision.wizard"
    _description = "Defer or Write Off Billable Items"

    item_ids = fields.Many2many(
        "invoicera.billable.item",
        string="Items",
        default=lambda self: self.env.context.get("active_ids"),
        context={"active_test": False},  # archived items keep decisions too
    )
    decision = fields.Selection(
        [("defer", "Defer"), ("write_off", "Write off")], required=True, default="defer"
    )
    deferred_until = fields.Date("Defer Until")
    reason = fields.Char()

    @api.constrains("decision", "deferred_until")
    def _check_deferred_until(self):
        for wizard in self.filtered(lambda w: w.decision == "defer"):
            error = self.env["invoicera.billable.item"]._defer_date_error(wizard.deferred_until)
            if error:
                raise ValidationError(error)

    def action_apply(self):
        self.ensure_one()
        if self.decision == "defer":
            self.item_ids.action_defer(self.deferred_until)
        else:
            self.item_ids.action_write_off(self.reason)
        return {"type": "ir.actions.act_window_close"}
