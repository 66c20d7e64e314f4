from odoo import api, fields, models

from ..models.project_project import RATE_GROUPS

#: Odoo's billable hours of the Timesheets Analysis: those on an order line
ODOO_BILLABLE_TIME = "CASE WHEN A.order_id IS NULL THEN 0 ELSE A.unit_amount END AS billable_time"
#: the first case of Odoo's timesheet revenues: none without an order line
ODOO_NO_REVENUE = "WHEN A.order_id IS NULL OR T.service_type in ('manual', 'milestones')"
#: what time billed here brings: its item's amount (0 once written off or
#: excluded), in the time's company currency
ITEM_REVENUE = """WHEN A.order_id IS NULL AND invoicera_item.id IS NOT NULL
                THEN invoicera_item.amount * COALESCE(invoicera_rate.rate, 1)
                """


class TimesheetsAnalysisReport(models.Model):
    _inherit = "timesheets.analysis.report"

    @api.model
    def _invoicera_reads_rates(self):
        """Whether the user reads what time is billed here (its rate times its
        hours): billing staff and project managers, as the projects' rates."""
        return any(self.env.user.has_group(group) for group in RATE_GROUPS.split(","))

    @api.model
    def _select(self):
        select = super()._select()
        # Odoo's expressions are completed, not rewritten: were they to change,
        # the tests of the hours and the revenues billed here fail.
        revenue = ITEM_REVENUE if self._invoicera_reads_rates() else ""
        return select.replace(
            # The hours billed here (on no order line, "Billed on Timesheets": see
            # account.analytic.line._compute_timesheet_invoice_type) are billable
            # time too, not non-billable time.
            ODOO_BILLABLE_TIME,
            """CASE WHEN A.order_id IS NULL
                         AND A.timesheet_invoice_type IS DISTINCT FROM 'billable_time'
                        THEN 0 ELSE A.unit_amount END AS billable_time""",
        ).replace(
            # and they bring revenues (the margin is the revenues less their cost)
            ODOO_NO_REVENUE,
            revenue + ODOO_NO_REVENUE,
        )

    @api.model
    def _from(self):
        if not self._invoicera_reads_rates():
            return super()._from()
        return (
            super()._from()
            + """
            LEFT JOIN invoicera_billable_item invoicera_item
                   ON invoicera_item.source_model = 'account.analytic.line'
                  AND invoicera_item.source_id = A.id
                  AND invoicera_item.active
                  AND invoicera_item.state IN ('to_bill', 'deferred', 'invoiced')
            LEFT JOIN %s AS invoicera_rate(company_id, currency_id, rate)
                   ON invoicera_rate.company_id = A.company_id
                  AND invoicera_rate.currency_id = invoicera_item.currency_id
            """
            % self._invoicera_rate_table()
        )

    @api.model
    def _invoicera_rate_table(self):
        """SQL of a table ``(company_id, currency_id, rate)``: today's rate from the
        currency of time items into the currency of their time's company, the
        row's (Odoo's revenues of time sold are not converted at all)."""
        # the report's query reads the items too (their state and amount)
        self.env["invoicera.billable.item"].flush_model()
        self.env["account.analytic.line"].flush_model(["company_id"])
        self.env.cr.execute(
            "SELECT DISTINCT line.company_id, item.currency_id"
            " FROM invoicera_billable_item item"
            " JOIN account_analytic_line line ON line.id = item.source_id"
            " WHERE item.source_model = 'account.analytic.line' AND item.active"
        )
        pairs = self.env.cr.fetchall()
        # sudo: the rates of the items' companies, the report's rules filter the rows
        Currency = self.env["res.currency"].sudo()
        Company = self.env["res.company"].sudo()
        today = fields.Date.context_today(self)
        rows = []
        for company_id, currency_id in pairs:
            company = Company.browse(company_id)
            rate = Currency._get_conversion_rate(
                Currency.browse(currency_id), company.currency_id, company, today
            )
            rows.append(f"({int(company_id)}, {int(currency_id)}, {float(rate)!r}::numeric)")
        rows = rows or ["(NULL::integer, NULL::integer, 1::numeric)"]
        return "(VALUES %s)" % ", ".join(rows)
