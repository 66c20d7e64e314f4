"""The database `make run` and `make test` build holds the demo data of data/."""

from datetime import timedelta

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    def test_a_service_company_to_bill(self):
        env = self.env
        clients = env["res.partner"].search([("is_company", "=", True), ("customer_rank", ">", 0)])
        self.assertGreaterEqual(len(clients), 20)
        self.assertGreaterEqual(len(set(clients.mapped("lang"))), 2, "clients in 2+ languages")
        currencies = clients.mapped("property_product_pricelist.currency_id")
        self.assertGreaterEqual(len(currencies), 2, "clients billed in 2+ currencies")
        self.assertTrue(
            clients.child_ids.filtered(lambda c: c.type == "contact"),
            "companies with contacts",
        )

        projects = env["project.project"].search(
            [("partner_id", "in", clients.ids), ("allow_billable", "=", True)]
        )
        self.assertGreaterEqual(len(projects), 5)
        self.assertTrue(all(project.task_ids for project in projects), "every project has tasks")
        self.assertTrue(
            all(project.milestone_ids for project in projects),
            "every project has milestones",
        )

        employees = env["hr.employee"].search([("hourly_cost", ">", 0)])
        self.assertGreaterEqual(
            len(set(employees.mapped("hourly_cost"))),
            4,
            "4+ employees, different rates",
        )

        timesheets = env["account.analytic.line"].search([("project_id", "in", projects.ids)])
        dates = timesheets.mapped("date")
        self.assertGreaterEqual(
            max(dates) - min(dates), timedelta(days=25), "a month of timesheets"
        )
        self.assertGreaterEqual(len(timesheets.employee_id), 4)

        expenses = env["hr.expense"].search([("sheet_id.approval_state", "=", "approve")])
        self.assertTrue(expenses.filtered("analytic_distribution"), "approved expenses on projects")
        bills = env["account.move"].search(
            [("move_type", "=", "in_invoice"), ("state", "=", "posted")]
        )
        self.assertTrue(
            bills.invoice_line_ids.filtered("analytic_distribution"),
            "vendor costs on projects",
        )
        storable = env["product.product"].search(
            [("is_storable", "=", True), ("qty_available", ">", 0)]
        )
        self.assertTrue(storable, "stock products")

        invoices = env["account.move"].search(
            [("move_type", "=", "out_invoice"), ("state", "=", "posted")]
        )
        self.assertTrue(
            invoices.filtered(lambda inv: inv.payment_state in ("paid", "in_payment")),
            "paid invoices",
        )
        today = max(dates)
        overdue = invoices.filtered(
            lambda inv: inv.payment_state == "not_paid" and inv.invoice_date_due < today
        )
        self.assertTrue(overdue, "overdue invoices")

        portal_users = env["res.users"].search(
            [("share", "=", True), ("partner_id.parent_id", "in", clients.ids)]
        )
        self.assertGreaterEqual(
            len(portal_users.partner_id.commercial_partner_id),
            2,
            "portal users of two clients",
        )

    def test_unbilled_work_from_every_source(self):
        """The Unbilled Work screen has something to show from each source."""
        items = self.env["invoicera.billable.item"].search([("state", "=", "to_bill")])
        self.assertEqual(
            set(items.mapped("source")), {"time", "expense", "vendor_cost", "milestone", "material"}
        )
        screen = self.env["invoicera.unbilled.client"].search([("item_count", ">", 0)])
        self.assertGreaterEqual(len(screen.partner_id), 5)
        self.assertGreaterEqual(len(set(items.mapped("price_unit"))), 4, "different rates")

    def test_billing_menu_is_there(self):
        menu = self.env.ref("invoicera_billing.menu_billing_root")
        self.assertEqual(menu.name, "Billing")
        self.assertIn(menu.id, self.env["ir.ui.menu"]._visible_menu_ids())
