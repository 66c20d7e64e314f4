from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class InvoiceraStatementWizard(models.TransientModel):
    """Print the statement of account of contacts for a period (back office).

    The report needs a period, which the Print menu of a contact cannot give:
    billing staff choose it here, as clients do on their dashboard.
    """

    _name = "invoicera.statement.wizard"
    _description = "Print Statements of Account"

    partner_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        required=True,
        default=lambda self: self._default_partners(),
    )
    date_from = fields.Date(
        "From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1),
    )
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)

    @api.model
    def _default_partners(self):
        if self.env.context.get("active_model") == "res.partner":
            return self.env["res.partner"].browse(self.env.context.get("active_ids", []))
        return self.env["res.partner"]

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        if any(wizard.date_from > wizard.date_to for wizard in self):
            raise ValidationError(
                _("The statement's start date must be on or before its end date.")
            )

    def action_print(self):
        """Print a statement per client (contacts of one client print its statement
        once) and per company ticked in the company switcher (the report's)."""
        self.ensure_one()
        clients = self.partner_ids.commercial_partner_id
        # The web client prints a report action with data from the data and
        # context alone (no record ids in the URL): the clients go in the data.
        return self.env.ref("invoicera_portal.action_report_statement").report_action(
            clients,
            data={
                "partner_ids": clients.ids,
                "date_from": self.date_from.isoformat(),
                "date_to": self.date_to.isoformat(),
            },
        )
