from odoo import _, api, fields, models
from odoo.exceptions import UserError


class ReportStatement(models.AbstractModel):
    """Values of the statement of account PDF (``invoicera_portal.report_statement``)."""

    _name = "report.invoicera_portal.report_statement"
    _description = "Statement of Account"

    @api.model
    def _get_report_values(self, docids, data=None):
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
