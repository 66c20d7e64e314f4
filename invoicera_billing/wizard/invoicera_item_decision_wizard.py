from ast import literal_eval
from datetime import timedelta

from lxml import etree

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

    @api.model
    def get_view(self, view_id=None, view_type="form", **options):
        """The Defer date picker starts on the first day the wizard accepts:
        tomorrow in the user's time zone (its ``'today'`` is the browser's, and
        deferring until today defers nothing)."""
        result = super().get_view(view_id, view_type, **options)
        if view_type != "form":
            return result
        arch = etree.fromstring(result["arch"])
        first_day = fields.Date.context_today(self) + timedelta(days=1)
        for node in arch.xpath("//field[@name='deferred_until']"):
            picker = literal_eval(node.get("options") or "{}")
            picker["min_date"] = fields.Date.to_string(first_day)
            node.set("options", repr(picker))
        result["arch"] = etree.tostring(arch, encoding="unicode")
        return result

    def action_apply(self):
        self.ensure_one()
        if self.decision == "defer":
            self.item_ids.action_defer(self.deferred_until)
        else:
            self.item_ids.action_write_off(self.reason)
        return {"type": "ir.actions.act_window_close"}
