from odoo import _, models


class InvoiceraBillingRun(models.Model):
    _inherit = "invoicera.billing.run"

    def _no_billable_work_other_reasons(self, partners):
        """Time awaiting approval: on a project that approves time, time not
        approved yet has no item to bill (nor to list); the clerk is told it
        awaits approval rather than that the client has no unbilled work."""
        result = super()._no_billable_work_other_reasons(partners)
        awaiting = self.env["account.analytic.line"]._invoicera_awaiting_approval(
            partners, self.company_id, self.cutoff_date
        )
        for partner, count in awaiting.items():
            result.setdefault(partner, []).append(
                _("%(count)s timesheet line(s) await approval on their project.", count=count)
            )
        return result
