from odoo import api, models

#: Odoo's billable hours of the Timesheets Analysis: those on an order line
ODOO_BILLABLE_TIME = "CASE WHEN A.order_id IS NULL THEN 0 ELSE A.unit_amount END AS billable_time"


class TimesheetsAnalysisReport(models.Model):
    _inherit = "timesheets.analysis.report"

    @api.model
    def _select(self):
        # The hours billed here (on no order line, "Billed on Timesheets": see
        # account.analytic.line._compute_timesheet_invoice_type) are billable
        # time too, not non-billable time.
        return (
            super()
            ._select()
            .replace(
                ODOO_BILLABLE_TIME,
                """CASE WHEN A.order_id IS NULL
                         AND A.timesheet_invoice_type IS DISTINCT FROM 'billable_time'
                        THEN 0 ELSE A.unit_amount END AS billable_time""",
            )
        )
