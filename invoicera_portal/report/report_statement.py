from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError


class ReportStatement(models.AbstractModel):
    """Values of the statement of account PDF (``invoicera_portal.report_statement``)."""

    _name = "report.invoicera_portal.report_statement"
    _description = "Statement of Account"

    @api.model
    def _get_report_values(self, docids, data=None):
        self._check_printable()
        data = data or {}
        try:
            date_from = fields.Date.to_date(data.get("date_from"))
            date_to = fields.Date.to_date(data.get("date_to"))
        except ValueError:
            date_from = date_to = None
        if not date_from or not date_to or date_from > date_to:
            raise UserError(_("Give a period: a start date on or before the end date."))
        # One statement per client (two contacts of a client print its statement
        # once), per company: as Odoo's documents, each under the letterhead of
        # the company whose entries it lists, with its own balances (the companies
        # ticked in the switcher; the current one first).
        # docids: printed by the portal or Odoo's Print; the data's partner_ids:
        # by the wizard through the web client (whose URL names no record)
        partner_ids = docids or data.get("partner_ids") or []
        clients = self.env["res.partner"].browse(partner_ids).commercial_partner_id
        documents = []
        for client in clients:
            documents += [
                {"client": client, "company": company, "statements": statements}
                for company, statements in client._invoicera_statements(date_from, date_to).items()
            ] or [{"client": client, "company": self.env.company, "statements": []}]
        return {
            "doc_ids": clients.ids,
            "doc_model": "res.partner",
            "docs": clients,
            "documents": documents,
            "date_from": date_from,
            "date_to": date_to,
        }

    @api.model
    def _check_printable(self):
        """The statement reads the client's entries as superuser: it is printed by
        the portal (for the logged-in client, as superuser) or by the users the
        report is for (billing staff), not by whoever may read a partner."""
        groups = self.env.ref("invoicera_portal.action_report_statement").sudo().groups_id
        if not self.env.su and groups and not groups & self.env.user.groups_id:
            raise AccessError(
                _(
                    "Statements of account are printed by billing staff (%(groups)s), "
                    "and by clients from their portal.",
                    groups=", ".join(groups.mapped("full_name")),
                )
            )
