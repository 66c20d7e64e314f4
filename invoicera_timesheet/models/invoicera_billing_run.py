from odoo import _, models
from odoo.osv import expression

from .account_analytic_line import NOT_INVOICED


class InvoiceraBillingRun(models.Model):
    _inherit = "invoicera.billing.run"

    def _no_billable_work_other_reasons(self, partners):
        """Time awaiting approval: on a project that approves time, time not
        approved yet has no item to bill (nor to list); the clerk is told it
        awaits approval rather than that the client has no unbilled work."""
        result = super()._no_billable_work_other_reasons(partners)
        for partner, count in self._invoicera_time_awaiting_approval(partners).items():
            result.setdefault(partner, []).append(
                _("%(count)s timesheet line(s) await approval on their project.", count=count)
            )
        return result

    def _invoicera_time_awaiting_approval(self, partners):
        """``{client: count}``: the time of ``partners`` (clients) that the run's
        company bills once approved (``account.analytic.line._invoicera_billable``),
        to submit or submitted on a project that approves time, up to the run's
        cut-off date, not invoiced, on no sale order line (Odoo's flow bills
        that time). One query."""
        self.ensure_one()
        if not partners:
            return {}
        company = self.company_id
        domain = expression.AND(
            [
                [
                    ("project_id.invoicera_time_approval", "=", True),
                    ("project_id.allow_billable", "=", True),
                    ("invoicera_approval_state", "in", ("draft", "submitted")),
                    ("so_line", "=", False),
                    ("employee_id", "!=", False),
                    # once approved, billed by this run
                    ("date", "<=", self.cutoff_date),
                    # billed by its project's company, else by its own
                    "|",
                    ("project_id.company_id", "=", company.id),
                    "&",
                    ("project_id.company_id", "=", False),
                    ("company_id", "=", company.id),
                    # for its client, else its project's
                    "|",
                    ("partner_id.commercial_partner_id", "in", partners.ids),
                    "&",
                    ("partner_id", "=", False),
                    ("project_id.partner_id.commercial_partner_id", "in", partners.ids),
                ],
                NOT_INVOICED,
            ]
        )
        # sudo: a Billing User need not read timesheets; only how many there are
        counts = {}
        for partner, project, count in (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(domain, ["partner_id", "project_id"], ["__count"])
        ):
            client = (partner or project.partner_id).commercial_partner_id.with_env(self.env)
            counts[client] = counts.get(client, 0) + count
        return counts
