from odoo.tests import new_test_user, tagged

from .. import post_init_hook
from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestTimeInvoiceType(InvoiceraTimesheetCase):
    """Odoo's timesheet reports and project profitability group time by its
    "Billable Type": time billed here at its rates is "Billed on Timesheets", not
    "Non-Billable"; time sold on an order keeps the type Odoo gives it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.hourly_cost = 50
        cls.internal = cls.env["project.project"].create(
            {"name": "Internal", "allow_billable": False, "allow_timesheets": True}
        )

    def billable_types(self, project):
        """{Billable Type: hours} of the project's time, as Odoo's timesheet report
        groups it (Timesheets ▸ Reporting, grouped by Billing Type)."""
        groups = self.env["account.analytic.line"]._read_group(
            [("project_id", "=", project.id)], ["timesheet_invoice_type"], ["unit_amount:sum"]
        )
        return dict(groups)

    def test_time_billed_here_is_billed_on_timesheets(self):
        line = self.log_time(self.alice, 3, name="Homepage")
        self.assertTrue(self.item_of(line), "billed here")
        self.assertEqual(line.timesheet_invoice_type, "billable_time")
        self.assertEqual(self.billable_types(self.project), {"billable_time": 3})

    def test_time_billed_here_in_project_profitability(self):
        self.log_time(self.alice, 3, name="Homepage")
        costs = self.project._get_profitability_items(with_action=False)["costs"]["data"]
        self.assertEqual(
            [(cost["id"], cost["billed"]) for cost in costs],
            [("billable_time", -150)],
            "Timesheets (Billed on Timesheets), not (Non-Billable)",
        )

    def test_time_not_billed_here_stays_non_billable(self):
        self.log_time(self.alice, 2, project=self.internal)
        self.assertEqual(self.billable_types(self.internal), {"non_billable": 2})
        # a billable project without a client: nobody to bill
        no_client = self.env["project.project"].create(
            {"name": "Prospect", "allow_billable": True, "allow_timesheets": True}
        )
        line = self.log_time(self.alice, 1, project=no_client)
        self.assertEqual(line.timesheet_invoice_type, "non_billable")
        # the project stops being billable: its time is no longer billed
        line = self.log_time(self.alice, 1)
        self.project.allow_billable = False
        self.assertEqual(line.timesheet_invoice_type, "non_billable")

    def test_time_invoiced_here_stays_billed(self):
        line = self.log_time(self.alice, 3, name="Homepage")
        self.invoice(self.client, post=True)
        self.assertEqual(self.item_of(line).state, "invoiced")
        self.project.allow_billable = False
        self.assertEqual(line.timesheet_invoice_type, "billable_time", "it was billed")

    def test_project_reporting_its_time_billed_manually_keeps_it(self):
        # Project ▸ Settings: "Timesheets without a sales order item are
        # reported as billed manually"
        self.project.billing_type = "manually"
        line = self.log_time(self.alice, 3, name="Homepage")
        self.assertTrue(self.item_of(line), "billed here")
        self.assertEqual(line.timesheet_invoice_type, "billable_manual")

    def test_time_of_a_project_sold_on_order_lines_keeps_odoo_types(self):
        """A project with work on a sale order line is Odoo's to report (its
        profitability, its Timesheets): its time keeps the types Odoo gives it."""
        before = self.log_time(self.alice, 1, name="Kick-off")
        self.assertEqual(before.timesheet_invoice_type, "billable_time")
        self.task.sale_line_id = self.sold_hours()
        line = self.log_time(self.alice, 3, task=self.task)
        self.assertTrue(line.so_line)
        self.assertFalse(self.item_of(line), "billed by the order")
        self.assertEqual(line.timesheet_invoice_type, "billable_time")
        self.assertEqual(before.timesheet_invoice_type, "non_billable", "as Odoo reports it")
        other = self.log_time(self.bob, 2, name="Support")
        self.assertEqual(other.timesheet_invoice_type, "non_billable", "as Odoo reports it")

    def test_time_invoiced_here_on_a_project_sold_on_order_lines(self):
        """Invoiced here, the time of a project sold on order lines too is billed
        on timesheets (its invoice bills it hour by hour), as soon as invoiced."""
        self.task.sale_line_id = self.sold_hours()
        line = self.log_time(self.bob, 2, name="Support")
        self.assertEqual(line.timesheet_invoice_type, "non_billable", "as Odoo reports it")
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(line.timesheet_invoice_id, invoice)
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(line.timesheet_invoice_type, "billable_time")

    def test_time_invoiced_here_on_a_draft(self):
        """Invoiced on a draft, the time of a project sold on order lines is billed
        on timesheets already, as Odoo counts time on a draft invoice invoiced."""
        self.task.sale_line_id = self.sold_hours()
        line = self.log_time(self.bob, 2, name="Support")
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.state, "draft")
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(line.timesheet_invoice_id, invoice)
        self.assertEqual(self.billable_types(self.project), {"billable_time": 2})
        # the draft deleted: the time is back to what Odoo reports of it
        invoice.unlink()
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(self.billable_types(self.project), {"non_billable": 2})

    def test_time_of_a_client_given_later_becomes_billable(self):
        project = self.env["project.project"].create(
            {"name": "Prospect", "allow_billable": True, "allow_timesheets": True}
        )
        line = self.log_time(self.alice, 2, project=project)
        self.assertEqual(line.timesheet_invoice_type, "non_billable")
        project.partner_id = self.client
        self.assertTrue(self.item_of(line), "billed here")
        self.assertEqual(line.timesheet_invoice_type, "billable_time")

    def test_time_recorded_before_install_becomes_billed_on_timesheets(self):
        line = self.log_time(self.alice, 3, name="Homepage")
        internal = self.log_time(self.alice, 1, project=self.internal)
        # as Odoo stored it before Invoicera was installed
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE account_analytic_line SET timesheet_invoice_type = 'non_billable' "
            "WHERE id = ANY(%s)",
            [(line | internal).ids],
        )
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(line.timesheet_invoice_type, "billable_time")
        self.assertEqual(internal.timesheet_invoice_type, "non_billable")

    def test_time_billed_here_in_timesheets_analysis(self):
        self.log_time(self.alice, 3, name="Homepage")
        self.log_time(self.alice, 2, project=self.internal)
        self.env.flush_all()
        Report = self.env["timesheets.analysis.report"]
        hours = {
            project: (billable, non_billable)
            for project, billable, non_billable in Report._read_group(
                [("project_id", "in", (self.project | self.internal).ids)],
                ["project_id"],
                ["billable_time:sum", "non_billable_time:sum"],
            )
        }
        # Timesheets ▸ Reporting ▸ Timesheets Analysis: Billable / Non-billable Time
        self.assertEqual(hours, {self.project: (3, 0), self.internal: (0, 2)})

    def test_revenues_of_time_billed_here_in_timesheets_analysis(self):
        """Alice (cost 50 an hour, billed 90) works 3 h billed here: her time
        brings 270 of revenues, a margin of 120, not 0 and a loss of 150.
        Written off, it brings nothing."""
        self.alice.hourly_cost = 50
        billed = self.log_time(self.alice, 3, name="Homepage")
        written_off = self.log_time(self.alice, 1, name="Mistake", day="2026-03-11")
        self.item_of(written_off).action_write_off("Our mistake")
        self.invoice(self.client)
        self.env.flush_all()
        Report = self.env["timesheets.analysis.report"]
        rows = {
            row.id: (revenues, margin)
            for row, revenues, margin in Report._read_group(
                [("id", "in", (billed | written_off).ids)],
                ["id"],
                ["timesheet_revenues:sum", "margin:sum"],
            )
        }
        self.assertEqual(rows, {billed.id: (270, 120), written_off.id: (0, -50)})
        # time billed in euros: in the company's dollars, at today's rate (0.8)
        self.project_eur.write(
            {"invoicera_hourly_rate": 100, "invoicera_rate_currency_id": self.eur.id}
        )
        euros = self.log_time(self.alice, 2, project=self.project_eur, name="Rollout")
        item = self.item_of(euros)
        self.assertEqual(item.currency_id, self.eur)
        self.env.flush_all()
        [[revenues]] = Report._read_group([("id", "=", euros.id)], [], ["timesheet_revenues:sum"])
        self.assertEqual(item.amount, 200)
        self.assertAlmostEqual(revenues, 250, places=2)
        # read right after a change, in the same transaction
        item.action_write_off("Goodwill")
        [[revenues]] = Report._read_group([("id", "=", euros.id)], [], ["timesheet_revenues:sum"])
        self.assertEqual(revenues, 0)
        # a timesheet approver of the team reads the hours, not what they bill:
        # the rates are billing staff's and project managers'
        approver = new_test_user(
            self.env, login="ts_approver", groups="hr_timesheet.group_hr_timesheet_approver"
        )
        [[hours, revenues]] = Report.with_user(approver)._read_group(
            [("id", "=", billed.id)], [], ["unit_amount:sum", "timesheet_revenues:sum"]
        )
        self.assertEqual((hours, revenues), (3, 0))
