from datetime import date

from odoo.tests import new_test_user, tagged

from odoo.addons.invoicera_billing.tests.common import InvoiceraHttpCase


@tagged("post_install", "-at_install")
class TestUnbilledWorkTour(InvoiceraHttpCase):
    def test_review_write_down_and_invoice(self):
        """In headless Chromium: Unbilled Work → Review → write down → Invoice."""
        clerk = new_test_user(
            self.env,
            login="tour_clerk",
            groups="base.group_user,invoicera_billing.group_billing_user,project.group_project_user",
        )
        client = self.env["res.partner"].create({"name": "Tour Client Ltd", "is_company": True})
        project = self.env["project.project"].create(
            {
                "name": "Tour Project",
                "partner_id": client.id,
                "allow_billable": True,
                "invoicera_hourly_rate": 100,
            }
        )
        employee = self.env["hr.employee"].create({"name": "Tour Employee"})
        self.env["account.analytic.line"].create(
            [
                {
                    "project_id": project.id,
                    "employee_id": employee.id,
                    "unit_amount": hours,
                    "date": date(2026, 3, day),
                    "name": name,
                }
                for hours, day, name in ((2, 2, "Tour entry A"), (3, 3, "Tour entry B"))
            ]
        )
        path = self.start_tour_with_screenshot(
            "/odoo", "invoicera_unbilled_work", "unbilled_work_run", login=clerk.login
        )
        invoice = self.env["account.move"].search([("partner_id", "=", client.id)])
        self.assertEqual(invoice.amount_untaxed, (1.5 + 3) * 100)
        item = self.env["invoicera.billable.item"].search([("name", "=", "Tour entry A")])
        self.assertEqual(
            (item.state, item.adjustment_reason), ("invoiced", "Capped by the estimate")
        )
        self.assertTrue(path.exists())
