from odoo import fields, models

from .invoicera_billable_mixin import ENGINE


class ProjectProject(models.Model):
    _inherit = "project.project"

    invoicera_client_approval = fields.Boolean(
        "Client Approves Work Before Billing",
        help="The client approves or disputes this project's unbilled work in the "
        "portal; only approved work is invoiced.",
    )

    def unlink(self):
        # The work of deleted projects (costs, deliveries: Odoo deletes a project
        # without timesheets) is no longer billed to their clients: their
        # sources, synced again once the projects are gone, say what is left.
        # sudo: the work is everyone's, whoever deletes the project.
        items = (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=False)
            .search([("project_id", "in", self.ids), ("state", "!=", "invoiced")])
        )
        sources = items._sources()
        res = super().unlink()
        for records in sources.values():
            records.exists()._invoicera_sync_items()
        return res

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
        # work the client disputed stays out of billing until settled ("Ask the
        # Client Again"), with the client's comment
        released = Item.search(
            unbilled
            + [("project_id", "in", (self - asking).ids), ("client_approval", "!=", "not_required")]
        ).filtered(
            lambda item: item.client_approval != "disputed"
            or item.state not in ("to_bill", "deferred")
        )
        released.write({"client_approval": "not_required"})
        # the client's comment on work still to bill goes with the question; on
        # work put aside (a dispute written off), it says why
        released.filtered(lambda item: item.state in ("to_bill", "deferred")).client_comment = False
