from odoo import api, fields, models
from odoo.tools import SQL

from .report_currency import currency_rate_table


class InvoiceraUnbilledAging(models.Model):
    """How long work waits to be billed: unbilled items by age, client, project, employee."""

    _name = "invoicera.unbilled.aging"
    _description = "Unbilled Work Aging"
    _inherit = ["invoicera.currency.amounts.mixin"]
    _invoicera_currency_amounts = ("amount_currency",)
    _auto = False
    _order = "date"
    _depends = {
        "invoicera.billable.item": [
            "active",
            "partner_id",
            "project_id",
            "employee_id",
            "source",
            "company_id",
            "currency_id",
            "date",
            "state",
            "quantity",
            "uom_id",
            "amount",
        ],
    }

    partner_id = fields.Many2one("res.partner", "Client", readonly=True)
    # searched by name without the project's access rules (as on billable items)
    project_id = fields.Many2one("project.project", readonly=True, auto_join=True)
    employee_id = fields.Many2one("hr.employee", readonly=True)
    source = fields.Selection(selection="_selection_source", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", "Item Currency", readonly=True)
    company_currency_id = fields.Many2one(
        "res.currency", "Report Currency", readonly=True, help="The current company's currency."
    )
    date = fields.Date(readonly=True)
    age = fields.Integer(
        "Age (days)",
        readonly=True,
        aggregator="max",
        help="Days since the work's date; 0 for work dated after today.",
    )
    age_bucket = fields.Selection(
        [
            # dated after today (planned work, a date typed ahead): not aging
            # yet, as Odoo's aged reports keep what is not due apart
            # (keys sorting in this order: the pivot and the graph show the
            # groups in the order of their keys)
            ("0_future", "Future"),
            ("1_0_30", "0-30 days"),
            ("2_31_60", "31-60 days"),
            ("3_61_90", "61-90 days"),
            ("4_91", "Over 90 days"),
        ],
        string="Age",
        readonly=True,
    )
    # items of different units (hours, days, units): never added up
    quantity = fields.Float(readonly=True, aggregator=False)
    uom_id = fields.Many2one("uom.uom", "Unit", readonly=True)
    amount = fields.Monetary(
        readonly=True,
        currency_field="company_currency_id",
        help="In the current company's currency, at today's rate: amounts of "
        "several currencies add up.",
    )
    amount_currency = fields.Monetary(
        "Amount in Item Currency", readonly=True, currency_field="currency_id"
    )

    @api.model
    def _selection_source(self):
        return (
            self.env["invoicera.billable.item"]._fields["source"]._description_selection(self.env)
        )

    @property
    def _table_query(self):
        # The user's today (not the database server's), so that ages match what
        # the user sees.
        today = fields.Date.context_today(self)
        return SQL(
            """
            SELECT item.id,
                   item.partner_id,
                   item.project_id,
                   item.employee_id,
                   item.source,
                   item.company_id,
                   item.currency_id,
                   item.date,
                   GREATEST(%(today)s - item.date, 0) AS age,
                   CASE WHEN item.date > %(today)s THEN '0_future'
                        WHEN %(today)s - item.date <= 30 THEN '1_0_30'
                        WHEN %(today)s - item.date <= 60 THEN '2_31_60'
                        WHEN %(today)s - item.date <= 90 THEN '3_61_90'
                        ELSE '4_91' END AS age_bucket,
                   item.quantity,
                   item.uom_id,
                   item.amount AS amount_currency,
                   %(company_currency)s AS company_currency_id,
                   item.amount * COALESCE(currency_rate.rate, 1) AS amount
              FROM invoicera_billable_item item
         LEFT JOIN %(currency_rate)s
                ON currency_rate.company_id = item.company_id
               AND currency_rate.currency_id = item.currency_id
             WHERE item.state IN ('to_bill', 'deferred') AND item.active
            """,
            today=today,
            company_currency=self.env.company.currency_id.id,
            currency_rate=currency_rate_table(self.env, ("to_bill", "deferred")),
        )
