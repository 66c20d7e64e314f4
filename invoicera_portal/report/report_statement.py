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
        partners = self.env["res.partner"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "date_from": date_from,
            "date_to": date_to,
            "statements": {
                partner.id: partner.commercial_partner_id._invoicera_statement(date_from, date_to)
                for partner in partners
            },
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
