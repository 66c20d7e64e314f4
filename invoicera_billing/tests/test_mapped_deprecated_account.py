from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from ..models.invoicera_billable_mixin import ENGINE

#: a source of billable work for these tests alone (the billing addon has none):
#: its records are the mixin's, whose hooks do nothing
SOURCE = "invoicera_test_work"


@tagged("post_install", "-at_install")
class TestMappedDeprecatedAccount(TransactionCase):
    """The account an invoice line gets is the product's income account mapped by
    the client's fiscal position: mapped to a deprecated account, the client's
    items are refused by name before anything is created (before: Odoo's "The
    account ... is deprecated." naming neither the client nor its items)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.hour = cls.env.ref("uom.product_uom_hour")
        Account = cls.env["account.account"]
        cls.services = Account.create(
            {"name": "Consulting revenue", "code": "700951", "account_type": "income"}
        )
        cls.old_export = Account.create(
            {"name": "Old export revenue", "code": "700952", "account_type": "income"}
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "Advisory hours",
                "type": "service",
                "uom_id": cls.hour.id,
                "uom_po_id": cls.hour.id,
                "list_price": 100,
                "taxes_id": [Command.clear()],
            }
        )
        cls.product.with_company(cls.company).property_account_income_id = cls.services
        cls.export = cls.env["account.fiscal.position"].create(
            {
                "name": "Export clients",
                "account_ids": [
                    Command.create(
                        {"account_src_id": cls.services.id, "account_dest_id": cls.old_export.id}
                    )
                ],
            }
        )
        # the chart renumbered: the position still maps to the old account
        cls.old_export.deprecated = True
        cls.exporter = cls.env["res.partner"].create({"name": "Harbor Exports", "is_company": True})
        cls.exporter.with_company(cls.company).property_account_position_id = cls.export
        cls.local = cls.env["res.partner"].create(
            {"name": "Main Street Bakery", "is_company": True}
        )
        cls.Item = cls.env["invoicera.billable.item"]
        cls.source_ids = iter(range(1, 1000))

    def setUp(self):
        super().setUp()
        field = self.Item._fields["source"]
        self.startPatcher(patch.dict(field._selection, {SOURCE: "Test work"}))

    def work(self, partner, hours, name, day="2026-03-10"):
        """A billable item of ``hours`` advisory hours for ``partner``."""
        return self.Item.with_context(invoicera_engine=ENGINE).create(
            {
                "source": SOURCE,
                "source_model": "invoicera.billable.mixin",
                "source_id": next(self.source_ids),
                "company_id": self.company.id,
                "partner_id": partner.id,
                "product_id": self.product.id,
                "name": name,
                "date": day,
                "worked_quantity": hours,
                "quantity": hours,
                "uom_id": self.hour.id,
                "currency_id": self.company.currency_id.id,
                "price_unit": 100,
            }
        )

    def assertRefused(self, items, message):
        """Invoicing ``items`` is refused with ``message`` (a regex); nothing is
        created, they stay to bill."""
        moves = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, message):
            items._invoice(self.company, date(2026, 3, 31))
        self.assertEqual(self.env["account.move"].search_count([]), moves, "nothing created")
        self.assertEqual(set(items.mapped("state")), {"to_bill"})

    def invoices_of(self, partner):
        return self.env["account.move"].search([("partner_id", "child_of", partner.id)])

    def test_run_fails_the_client_naming_its_items_and_invoices_the_other(self):
        exported = self.work(self.exporter, 3, "Customs review") | self.work(
            self.exporter, 2, "Incoterms workshop", day="2026-03-12"
        )
        baked = self.work(self.local, 1, "Menu costing")
        run = self.env["invoicera.billing.run"].create(
            {
                "invoice_date": date(2026, 3, 31),
                "cutoff_date": date(2026, 3, 31),
                "partner_ids": [Command.set((self.exporter | self.local).ids)],
            }
        )
        run.action_start()
        logs = {log.partner_id: log for log in run.log_ids}
        self.assertEqual(logs[self.exporter].status, "failed")
        self.assertRegex(
            logs[self.exporter].message,
            r"^The fiscal position Export clients maps the product Advisory hours's income "
            r"account 700951 Consulting revenue to 700952 Old export revenue, which is "
            r"deprecated, so these items cannot be invoiced:\n"
            r"- Harbor Exports · 03/1\d/2026 · (Customs review|Incoterms workshop)\n"
            r"- Harbor Exports · 03/1\d/2026 · (Customs review|Incoterms workshop)$",
        )
        self.assertIn("Customs review", logs[self.exporter].message)
        self.assertIn("Incoterms workshop", logs[self.exporter].message)
        self.assertFalse(self.invoices_of(self.exporter), "nothing created for the client")
        self.assertEqual(set(exported.mapped("state")), {"to_bill"})
        # the other client of the run is invoiced
        self.assertEqual(logs[self.local].status, "invoiced")
        self.assertEqual(baked.state, "invoiced")
        self.assertEqual(run.invoice_ids, self.invoices_of(self.local))
        self.assertEqual(run.invoice_ids.invoice_line_ids.account_id, self.services)
        self.assertEqual(run.invoice_ids.amount_untaxed, 100)

    def test_invoicing_the_items_refuses_them_and_creates_nothing(self):
        self.assertRefused(
            self.work(self.exporter, 3, "Customs review"),
            r"fiscal position Export clients maps .* to 700952 Old export revenue, which is "
            r"deprecated, so these items cannot be invoiced:\n"
            r"- Harbor Exports · 03/10/2026 · Customs review",
        )

    def test_a_position_mapping_to_a_valid_account_invoices(self):
        """The check looks at the mapped account: a valid one is invoiced, on it."""
        self.old_export.deprecated = False
        items = self.work(self.exporter, 3, "Customs review")
        invoice = items._invoice(self.company, date(2026, 3, 31))
        self.assertEqual(invoice.fiscal_position_id, self.export)
        self.assertEqual(invoice.invoice_line_ids.account_id, self.old_export)
        self.assertEqual(items.state, "invoiced")

    def test_a_deprecated_account_mapped_to_a_valid_one_invoices(self):
        """The product's own account deprecated, the client's position mapping it
        to a valid one: Odoo invoices on the mapped account, so does the engine
        (it refused the product for its own account)."""
        self.old_export.deprecated = False
        self.services.deprecated = True
        items = self.work(self.exporter, 3, "Customs review")
        invoice = items._invoice(self.company, date(2026, 3, 31))
        self.assertEqual(invoice.invoice_line_ids.account_id, self.old_export)
        self.assertEqual(items.state, "invoiced")
        # a client without that position gets the deprecated account: refused
        local = self.work(self.local, 1, "Menu costing")
        with self.assertRaisesRegex(
            UserError,
            r"The product Advisory hours's income account 700951 Consulting revenue is "
            r"deprecated, so these items cannot be invoiced:\n- Main Street Bakery",
        ):
            local._invoice(self.company, date(2026, 3, 31))

    def receivables(self):
        """The company's receivable and another one, which the export position
        maps it to."""
        receivable = self.exporter.with_company(self.company).property_account_receivable_id
        export_receivable = self.env["account.account"].create(
            {
                "name": "Export receivables",
                "code": "121951",
                "account_type": "asset_receivable",
                "reconcile": True,
            }
        )
        self.export.account_ids = [
            Command.create(
                {"account_src_id": receivable.id, "account_dest_id": export_receivable.id}
            )
        ]
        return receivable, export_receivable

    def test_a_receivable_mapped_to_a_deprecated_one_is_refused(self):
        """The receivable the invoice gets is the client's, mapped by its fiscal
        position (Odoo's payment term line): mapped to a deprecated account, the
        client is refused by name before anything is created (Odoo's create
        named the account alone)."""
        self.old_export.deprecated = False
        receivable, export_receivable = self.receivables()
        export_receivable.deprecated = True
        self.assertRefused(
            self.work(self.exporter, 3, "Customs review"),
            rf"The fiscal position Export clients maps the receivable account "
            rf"{receivable.code} .* of the client Harbor Exports to 121951 Export "
            rf"receivables, which is deprecated",
        )

    def test_a_deprecated_receivable_mapped_to_a_valid_one_invoices(self):
        """The client's receivable deprecated, its position mapping it to a valid
        one: Odoo invoices on the mapped account, so does the engine (it refused
        the client for its own account)."""
        self.old_export.deprecated = False
        receivable, export_receivable = self.receivables()
        receivable.deprecated = True
        items = self.work(self.exporter, 3, "Customs review")
        invoice = items._invoice(self.company, date(2026, 3, 31))
        self.assertEqual(invoice.line_ids.filtered("date_maturity").account_id, export_receivable)
        self.assertEqual(items.state, "invoiced")
