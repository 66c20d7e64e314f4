from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestRunTimeAwaitingApproval(InvoiceraTimesheetCase):
    """A client chosen for a run whose only work is time awaiting approval (no
    item to bill until approved) is told so, not that it has no unbilled work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project.invoicera_time_approval = True
        cls.draft = cls.log_time(cls.alice, 2)
        cls.submitted = cls.log_time(cls.bob, 1, day="2026-03-12")
        cls.submitted.action_invoicera_submit()

    def test_nothing_to_invoice_says_the_time_awaits_approval(self):
        # not counted: time on a sale order line (Odoo's flow bills it), time
        # of another company, time of a project that approves no time, time
        # after the run's cut-off date (approved, the run would not bill it)
        self.log_time(self.bob, 3, day="2026-04-15", name="April")
        order_line = self.sold_hours()
        sold = self.log_time(self.alice, 4, name="Sold")
        sold.so_line = order_line
        europe = self.euro_company()
        paris = self.client_project("Paris office", europe)
        paris.invoicera_time_approval = True
        claire = self.env["hr.employee"].create({"name": "Claire", "company_id": europe.id})
        self.env["account.analytic.line"].with_company(europe).create(
            {
                "project_id": paris.id,
                "employee_id": claire.id,
                "unit_amount": 2,
                "date": "2026-03-10",
                "name": "Europe work",
            }
        )
        self.assertFalse(self.Item.search([("partner_id", "=", self.client.id)]))
        run = self.billing_user_run(self.client)
        with self.assertRaises(UserError) as caught:
            run.action_start()
        self.assertEqual(
            str(caught.exception),
            "There is nothing to invoice for Acme Analytics up to the cut-off date "
            "(03/31/2026).\n"
            "Acme Analytics: 2 timesheet line(s) await approval on their project.",
        )

    def test_a_run_logs_the_time_awaiting_approval_with_the_other_reasons(self):
        """Acme has an item dated after the cut-off date too; Lumière is invoiced."""
        support = self.client_project("Support", self.company)
        self.log_time(self.bob, 3, day="2026-04-02", project=support)
        self.log_time(self.alice, 1, project=self.project_eur)
        run = self.billing_user_run(self.client | self.client_eur, cutoff_date=date(2026, 3, 31))
        run.action_start()
        self.assertEqual(run.state, "done", run.log_ids.mapped("message"))
        logs = {log.partner_id: log for log in run.log_ids}
        self.assertEqual(logs[self.client_eur].status, "invoiced")
        self.assertEqual(
            (logs[self.client].status, logs[self.client].message),
            (
                "nothing",
                "1 item(s) are dated after the cut-off date (03/31/2026). "
                "2 timesheet line(s) await approval on their project.",
            ),
        )

    def test_an_invoiced_client_is_told_of_its_time_awaiting_approval(self):
        """Its invoice bills its approved time only: the log says the rest waits.
        Before, nothing said the invoice billed part of the month."""
        approved = self.log_time(self.alice, 5, name="Approved")
        approved.action_invoicera_submit()
        approved.action_invoicera_approve()
        run = self.billing_user_run(self.client | self.client_eur)
        self.log_time(self.alice, 1, project=self.project_eur)
        run.action_start()
        logs = {log.partner_id: log for log in run.log_ids}
        self.assertEqual(
            (logs[self.client].status, logs[self.client].message),
            ("invoiced", "2 timesheet line(s) await approval on their project."),
        )
        self.assertEqual(logs[self.client].invoice_ids.invoice_line_ids.quantity, 5)
        self.assertEqual(
            (logs[self.client_eur].status, logs[self.client_eur].message), ("invoiced", False)
        )

    def test_unbilled_work_counts_the_time_awaiting_approval(self):
        """Before a run, the screen's client line says how much of the client's
        time waits for approval (not billed yet). Before, nothing did."""
        approved = self.log_time(self.alice, 5, name="Approved")
        approved.action_invoicera_submit()
        approved.action_invoicera_approve()
        self.log_time(self.alice, 1, project=self.project_eur)
        lines = self.env["invoicera.unbilled.client"].with_user(self.billing_user).search([])
        counts = {line.partner_id: line.approval_count for line in lines}
        self.assertEqual(counts[self.client], 2)
        self.assertEqual(counts[self.client_eur], 0)
