from odoo import api, fields, models
from odoo.tools import SQL


class InvoiceraRealizationReport(models.Model):
    """Realization: what work was worth at standard rates, what was billed, what was
    collected, and what was written down or off, with the reasons given."""

    _name = "invoicera.realization.report"
    _description = "Realization Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "invoicera.billable.item": [
            "partner_id",
            "project_id",
            "employee_id",
            "source",
            "company_id",
            "currency_id",
            "date",
            "state",
            "amount",
            "standard_amount",
            "adjustment_reason",
            "write_off_reason",
            "invoice_id",
        ],
        "account.move": ["amount_total", "amount_residual", "state"],
    }

    partner_id = fields.Many2one("res.partner", "Client", readonly=True)
    project_id = fields.Many2one("project.project", readonly=True)
    employee_id = fields.Many2one("hr.employee", readonly=True)
    source = fields.Selection(selection="_selection_source", readonly=True)
    state = fields.Selection(selection="_selection_state", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(readonly=True)
    invoice_id = fields.Many2one("account.move", readonly=True)
    worked_value = fields.Monetary(
        "Value at Standard Rates", readonly=True, help="Worked quantity at the standard rate."
    )
    billed_value = fields.Monetary("Billed", readonly=True)
    written_down_value = fields.Monetary(
        "Written Down or Off",
        readonly=True,
        help="Value at standard rates not billed: write-downs of billed items, and "
        "items written off.",
    )
    collected_value = fields.Monetary(
        "Collected", readonly=True, help="The billed value, in the proportion its invoice is paid."
    )
    reason = fields.Char(readonly=True)

    @api.model
    def _selection_source(self):
        return (
            self.env["invoicera.billable.item"]._fields["source"]._description_selection(self.env)
        )

    @api.model
    def _selection_state(self):
        return self.env["invoicera.billable.item"]._fields["state"]._description_selection(self.env)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT item.id,
                   item.partner_id,
                   item.project_id,
                   item.employee_id,
                   item.source,
                   item.state,
                   item.company_id,
                   item.currency_id,
                   item.date,
                   item.invoice_id,
                   item.standard_amount AS worked_value,
                   CASE WHEN item.state = 'invoiced' THEN item.amount ELSE 0 END AS billed_value,
                   CASE WHEN item.state = 'written_off' THEN item.standard_amount
                        WHEN item.state = 'invoiced'
                             THEN GREATEST(item.standard_amount - item.amount, 0)
                        ELSE 0 END AS written_down_value,
                   CASE WHEN item.state = 'invoiced' AND move.state = 'posted'
                             AND move.amount_total != 0
                        THEN item.amount * (1 - move.amount_residual / move.amount_total)
                        ELSE 0 END AS collected_value,
                   COALESCE(item.write_off_reason, item.adjustment_reason) AS reason
              FROM invoicera_billable_item item
         LEFT JOIN account_move move ON move.id = item.invoice_id
             WHERE item.state IN ('invoiced', 'written_off')
            """
        )
