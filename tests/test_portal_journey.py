"""The client portal's "done when": a whole visit in headless Chromium, desktop and phone."""

from datetime import date, timedelta

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.invoicera_billing.tests.common import InvoiceraHttpCase, png_size


@tagged("post_install", "-at_install")
class TestPortalJourney(InvoiceraHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        today = fields.Date.context_today(env.user)
        cls.client = env["res.partner"].create(
            {"name": "Journey Ltd", "is_company": True, "email": "ap@journey.example.com"}
        )
        contact = env["res.partner"].create(
            {"name": "Jo Journey", "parent_id": cls.client.id, "email": "jo@journey.example.com"}
        )
        cls.user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": contact.name,
                    "login": contact.email,
                    "password": contact.email,
                    "partner_id": contact.id,
                    "groups_id": [Command.set(env.ref("base.group_portal").ids)],
                }
            )
        )
        project = env["project.project"].create(
            {
                "name": "Journey Rebrand",
                "partner_id": cls.client.id,
                "allow_billable": True,
                "invoicera_client_approval": True,
                "invoicera_hourly_rate": 100,
            }
        )
        employee = env["hr.employee"].create({"name": "Journey Designer"})
        env["account.analytic.line"].create(
            [
                {
                    "project_id": project.id,
                    "employee_id": employee.id,
                    "unit_amount": hours,
                    "date": date(2026, 3, 2),
                    "name": name,
                }
                for hours, name in (
                    (2, "Journey moodboard"),
                    (3, "Journey logo"),
                    (4, "Journey brand book"),
                )
            ]
        )
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1
        )
        cls.invoices = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.client.id,
                    "journal_id": journal.id,
                    "invoice_date": today - timedelta(days=40),
                    "invoice_date_due": today + timedelta(days=due),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Retainer",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": False,
                            }
                        )
                    ],
                }
                for amount, due in ((100, -20), (200, -5), (300, 10))
            ]
        )
        cls.invoices.action_post()
        for number, invoice in enumerate(cls.invoices, start=1):
            invoice.name = f"JOURNEY/{number}"
        product = env["product.product"].create({"name": "Brand workshop", "list_price": 800})
        cls.order = env["sale.order"].create(
            {
                "name": "Journey estimate",
                "partner_id": cls.client.id,
                "require_signature": True,
                "require_payment": False,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        cls.order.action_quotation_sent()
        provider = env.ref("payment.payment_provider_demo")
        provider.write({"state": "test", "is_published": True})
        cls.items = env["invoicera.billable.item"].search([("project_id", "=", project.id)])

    def check_outcome(self):
        decisions = {item.name: item.client_approval for item in self.items}
        self.assertEqual(
            decisions,
            {
                "Journey moodboard": "approved",
                "Journey logo": "approved",
                "Journey brand book": "disputed",
            },
        )
        self.assertEqual(
            self.items.filtered(lambda i: i.client_approval == "disputed").client_comment,
            "We agreed on two hours.",
        )
        self.assertEqual(self.order.state, "sale", "the estimate is accepted")
        self.assertEqual(
            sum(self.invoices.mapped("amount_residual")), 0, "the three invoices are paid"
        )
        tx = self.env["payment.transaction"].search([("invoice_ids", "in", self.invoices.ids)])
        self.assertEqual(len(tx), 1, "in one payment")
        self.assertEqual(tx.amount, 600)

    def test_journey_desktop(self):
        path = self.start_tour_with_screenshot(
            "/my/billing",
            "invoicera_portal_journey",
            "portal_journey_desktop",
            login=self.user.login,
            timeout=180,
        )
        self.check_outcome()
        self.assertEqual(png_size(path)[0], 1366)

    def test_journey_phone(self):
        self.touch_enabled = True
        path = self.start_tour_with_screenshot(
            "/my/billing",
            "invoicera_portal_journey",
            "portal_journey_phone",
            viewport=(390, 844),
            login=self.user.login,
            timeout=180,
        )
        self.check_outcome()
        self.assertEqual(png_size(path), (390, 844))
