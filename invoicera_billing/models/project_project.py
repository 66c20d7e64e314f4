from odoo import fields, models

from .invoicera_billable_mixin import ENGINE


class ProjectProject(models.Model):
    _inherit = "project.project"

    invoicera_client_approval = fields.Boolean(
        "Client Approves Work Before Billing",
        help="The client approves or disputes this project's unbilled work in the "
        "portal; only approved work is invoiced.",
    )

    def write(self, vals):
        res = super().write(vals)
        if "invoicera_client_approval" in vals:
            self._invoicera_update_client_approval()
        return res

    def _invoicera_update_client_approval(self):
        """Unbilled items follow their project's client approval setting, those put
        aside (excluded, written off) too: they may come back to bill."""
        # archived items too: they come back following their project
        Item = (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(invoicera_engine=ENGINE, active_test=False)
        )
        unbilled = [("state", "!=", "invoiced"), ("project_id", "in", self.ids)]
        asking = self.filtered("invoicera_client_approval")
        Item.search(
            unbilled + [("project_id", "in", asking.ids), ("client_approval", "=", "not_required")]
        ).write({"client_approval": "pending"})
        released = Item.search(
            unbilled
            + [("project_id", "in", (self - asking).ids), ("client_approval", "!=", "not_required")]
        )
        released.write({"client_approval": "not_required"})
        # the client's comment on work still to bill goes with the question; on
        # work put aside (a dispute written off), it says why
        released.filtered(lambda item: item.state in ("to_bill", "deferred")).client_comment = False
