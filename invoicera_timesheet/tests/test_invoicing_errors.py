from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestInvoicingErrors(InvoiceraTimesheetCase):
    """Bad input: a clear error naming what is wrong, and nothing half-created."""

    def assertRefused(self, partner, message):
        before = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(Exception, message):
            self.invoice(partner)
        self.assertEqual(self.env["account.move"].search_count([]), before, "nothing created")
        items = self.Item.search([("partner_id", "=", partner.id)])
        self.assertNotIn("invoiced", items.mapped("state"))

    def test_negative_hours(self):
        self.log_time(self.alice, 2)
        self.log_time(self.alice, -1, name="Correction")
        self.assertRefused(
            self.client, r"negative quantity:\n- Acme Analytics · 03/10/2026 · Correction"
        )

    def test_small_negative_hours_rounded_to_nothing(self):
        """A correction of -0.1 h, rounded to the nearest quarter hour, is 0 h to
        bill: refused as negative hours, not billed as a line of nothing."""
        self.project.write({"invoicera_rounding": 0.25, "invoicera_rounding_method": "nearest"})
        self.log_time(self.alice, 2)
        correction = self.log_time(self.alice, -0.1, name="Correction")
        self.assertEqual(self.item_of(correction).quantity, 0)
        self.assertRefused(
            self.client, r"negative quantity:\n- Acme Analytics · 03/10/2026 · Correction"
        )
        self.Item._audit(self.item_of(correction))
        self.assertIn("Negative quantity.", self.item_of(correction).audit_warning)

    def test_zero_rate(self):
        self.log_time(self.alice, 2, name="Pro bono?")
        self.service.lst_price = 0
        self.alice.invoicera_billing_rate = 0
        self.assertRefused(self.client, r"zero or negative rate:\n- .*Pro bono\?")

    def test_archived_client(self):
        self.log_time(self.alice, 2)
        self.client.active = False
        self.assertRefused(self.client, "The client Acme Analytics is archived")

    def test_client_without_receivable_account(self):
        self.log_time(self.alice, 2)
        field = self.env["res.partner"]._fields["property_account_receivable_id"]
        self.env["ir.default"].search([("field_id.name", "=", field.name)]).unlink()
        self.client.with_company(self.company).property_account_receivable_id = False
        self.assertRefused(self.client, "has no receivable account")

    def test_client_with_a_deprecated_receivable_account(self):
        """A receivable account set but deprecated (a renumbered chart): the client
        is named, not only the account (before: Odoo's "The account ... is
        deprecated.", for every client of a run alike)."""
        self.log_time(self.alice, 2)
        old = self.env["account.account"].create(
            {
                "name": "Old receivables",
                "code": "121999",
                "account_type": "asset_receivable",
                "reconcile": True,
            }
        )
        self.client.with_company(self.company).property_account_receivable_id = old
        old.deprecated = True
        self.assertRefused(
            self.client,
            "The receivable account 121999 Old receivables of the client Acme Analytics "
            "is deprecated",
        )

    def test_deprecated_income_account(self):
        """The product's income account deprecated: the product and its items are
        named (before: Odoo's "The account ... is deprecated." alone)."""
        old = self.env["account.account"].create(
            {"name": "Old services", "code": "700999", "account_type": "income"}
        )
        self.service.with_company(self.company).property_account_income_id = old
        old.deprecated = True
        self.log_time(self.alice, 2, name="Design review")
        self.assertRefused(
            self.client,
            r"income account 700999 Old services is deprecated, so these items cannot be "
            r"invoiced:\n- .*Design review",
        )

    def test_a_rate_converted_to_nothing(self):
        """0.01 USD an hour billed to a client in euros at 0.4 EUR per USD: 0.004 EUR,
        an invoice line's price of 0.00, the work locked as invoiced; refused,
        naming the items (before: invoiced at 0)."""
        self.env["res.currency.rate"].create(
            {"currency_id": self.eur.id, "name": "2026-03-15", "rate": 0.4}
        )
        self.alice.invoicera_billing_rate = 0.01
        line = self.log_time(self.alice, 10, project=self.project_eur, name="Data entry")
        self.assertEqual(
            (self.item_of(line).price_unit, self.item_of(line).currency_id), (0.01, self.usd)
        )
        self.assertRefused(
            self.client_eur, r"rounds to 0: they would be billed nothing:\n- .*Data entry"
        )

    def test_currency_without_rate(self):
        self.env["res.currency.rate"].search([("currency_id", "=", self.eur.id)]).unlink()
        self.env["res.currency.rate"].create(
            {"currency_id": self.eur.id, "name": "2026-06-01", "rate": 0.9}
        )
        self.log_time(self.alice, 2, project=self.project_eur)
        self.assertRefused(self.client_eur, f"{self.eur.name} has no exchange rate on or before")

    def test_items_currency_without_rate_names_the_items(self):
        """A project's rate in euros for a dollar client, the euro without a rate
        on the invoice date: the refusal names the items to convert (before: the
        client alone, as if its own currency had no rate)."""
        self.env["res.currency.rate"].search([("currency_id", "=", self.eur.id)]).unlink()
        self.project.write({"invoicera_rate_currency_id": self.eur.id, "invoicera_hourly_rate": 90})
        self.log_time(self.alice, 2, name="Workshop")
        self.assertRefused(
            self.client,
            rf"{self.eur.name} has no exchange rate on or before 03/31/2026, to convert these "
            rf"items' rates into {self.usd.name} \(the client's currency\):\n- .*Workshop",
        )

    def test_missing_income_account(self):
        product = self.env["product.product"].create(
            {"name": "No account service", "type": "service", "list_price": 50}
        )
        product.categ_id = self.env["product.category"].create({"name": "No accounts"})
        self.project.invoicera_service_product_id = product
        self.env["ir.default"].search(
            [("field_id.name", "=", "property_account_income_categ_id")]
        ).unlink()
        product.categ_id.property_account_income_categ_id = False
        self.log_time(self.alice, 2)
        self.assertRefused(self.client, "No account service has no income account")

    def test_service_not_sold_in_hours(self):
        """Time is billed in hours: a Billed Service sold in units cannot bill it."""
        units = self.env["product.product"].create(
            {"name": "Consulting pack", "type": "service", "list_price": 50}
        )
        self.assertNotEqual(units.uom_id.category_id, self.hour.category_id)
        self.project.invoicera_service_product_id = units
        self.log_time(self.alice, 2, name="Workshop")
        self.assertRefused(
            self.client,
            r"Consulting pack is sold in Units, these items are in Hours:\n"
            r"- Acme Analytics · 03/10/2026 · Workshop",
        )

    def test_item_of_another_company(self):
        other = self.env["res.company"].create({"name": "Other Co", "currency_id": self.usd.id})
        item = self.item_of(self.log_time(self.alice, 2))
        with self.assertRaisesRegex(Exception, "belong to another company than Other Co"):
            item._invoice(other, date(2026, 3, 31))
        self.assertEqual(item.state, "to_bill")


@tagged("post_install", "-at_install")
class TestInvoicingPrivateWork(InvoiceraTimesheetCase):
    """A Billing User invoices every client, whatever projects and employees
    they may read: billable items have no project-based rule, nor do invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # "Invited internal users": the Billing User follows neither project nor task
        cls.project.privacy_visibility = "followers"
        cls.env = cls.env(context=dict(cls.env.context, mail_notrack=True))

    def run_as_billing_user(self, **vals):
        run = (
            self.env["invoicera.billing.run"]
            .with_user(self.billing_user)
            .create(
                {
                    "invoice_date": date(2026, 3, 31),
                    "cutoff_date": date(2026, 3, 31),
                    "partner_ids": [Command.set(self.client.ids)],
                    **vals,
                }
            )
        )
        self.env.invalidate_all()  # nothing read by the superuser beforehand
        run.action_start()
        return run

    def test_billing_user_invoices_a_private_project(self):
        self.log_time(self.alice, 2, task=self.task)
        self.assertFalse(self.project.with_user(self.billing_user).has_access("read"))
        self.assertFalse(self.task.with_user(self.billing_user).has_access("read"))
        self.client.invoicera_annex_detail = "task"
        run = self.run_as_billing_user(post=True, send=True)
        self.assertEqual(run.log_ids.status, "invoiced")
        invoice = run.invoice_ids
        self.assertEqual(invoice.state, "posted")
        self.assertTrue(invoice.is_move_sent)
        self.assertEqual(invoice.invoice_origin, "Website")
        self.assertEqual(
            invoice.invoice_line_ids.name, "Website · [TIME] Professional Services (03/10/2026)"
        )
        self.assertEqual(
            invoice.invoice_line_ids.analytic_distribution,
            {str(self.project.account_id.id): 100},
        )
        self.assertEqual(invoice.amount_untaxed, 2 * 90)

    def line_names(self, detail):
        """The lines a Billing User's run makes at that line detail, of Alice's
        time on the private task and Bob's on the private project."""
        self.client.invoicera_invoice_detail = detail
        self.log_time(self.alice, 2, task=self.task)
        self.log_time(self.bob, 1, day="2026-03-11")
        run = self.run_as_billing_user()
        self.assertEqual(run.log_ids.status, "invoiced")
        return run.invoice_ids.invoice_line_ids.sorted("sequence").mapped("name")

    def test_billing_user_invoices_private_tasks_line_per_task(self):
        self.assertEqual(
            self.line_names("task"),
            [
                "Website · Design · [TIME] Professional Services (03/10/2026)",
                "Website · [TIME] Professional Services (03/11/2026)",
            ],
        )

    def test_billing_user_without_hr_rights_invoices_a_line_per_employee(self):
        self.assertFalse(self.billing_user.has_group("hr.group_hr_user"))
        self.assertEqual(
            self.line_names("employee"),
            [
                "Website · Alice Dev · [TIME] Professional Services (03/10/2026)",
                "Website · Bob Design · [TIME] Professional Services (03/11/2026)",
            ],
        )

    def test_billing_user_without_hr_rights_invoices_a_line_per_item(self):
        self.client.invoicera_invoice_detail = "item"
        self.client.invoicera_annex_detail = "entry"
        self.log_time(self.alice, 2, task=self.task, name="Mock-ups")
        run = self.run_as_billing_user(post=True, send=True)
        self.assertEqual(run.log_ids.status, "invoiced")
        self.assertEqual(run.invoice_ids.invoice_line_ids.name, "03/10/2026 · Alice Dev · Mock-ups")
        self.assertTrue(run.invoice_ids.is_move_sent)

    def test_billing_user_audits_the_work_of_a_private_project(self):
        """The audit names the private task the Billing User may not open."""
        with freeze_time("2026-03-05"):
            self.task.state = "1_done"
        self.log_time(self.alice, 2, task=self.task, name="Design")  # on 10 March
        self.env.invalidate_all()  # nothing read by the superuser beforehand
        Item = self.env["invoicera.billable.item"].with_user(self.billing_user)
        self.assertEqual(Item.action_audit()["params"]["type"], "warning")
        (item,) = Item.search([("partner_id", "=", self.client.id)])
        warnings = item.audit_warning.split("\n")
        self.assertIn("No description of the work.", warnings)
        self.assertIn("Time on the closed task Design.", warnings)
