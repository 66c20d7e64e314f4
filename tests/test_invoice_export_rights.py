"""Who reads invoices without Billing rights exports and filters them as in Odoo."""

from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.invoicera_timesheet.tests.common import InvoiceraTimesheetCase

#: the fields this project adds to invoices and their lines that point at
#: billing records (runs, billable items, payment promises)
BILLING_LINKS = {
    "account.move": {"invoicera_run_id", "invoicera_promise_ids"},
    "account.move.line": {"invoicera_item_ids"},
}


@tagged("post_install", "-at_install")
class TestInvoiceExportRights(InvoiceraTimesheetCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.log_time(cls.alice, 3)
        run = (
            cls.env["invoicera.billing.run"]
            .with_user(cls.billing_user)
            .create({"invoice_date": "2026-03-31", "partner_ids": [Command.set(cls.client.ids)]})
        )
        run.action_start()
        cls.invoice = run.invoice_ids
        cls.accountant = new_test_user(
            cls.env,
            login="accountant_no_billing",
            groups="base.group_user,account.group_account_manager,base.group_allow_export",
        )
        cls.billing_user.groups_id += cls.env.ref("base.group_allow_export")

    def offered(self, user, model):
        """The fields of this project the Export dialog offers ``user`` on ``model``."""
        Model = self.env[model]
        return {
            fname
            for fname, desc in Model.with_user(user).fields_get().items()
            if desc.get("exportable", True)
            and (Model._fields[fname]._module or "").startswith("invoicera")
        }

    def test_accountant_exports_our_fields_of_a_billed_invoice(self):
        """Before, exporting the Billing Run or the Payment Promises of an invoice,
        or its lines' Billed Items, failed: 'You are not allowed to access
        Billing Run'. They are not offered to who cannot read them."""
        self.assertEqual(len(self.invoice), 1)
        for model, links in BILLING_LINKS.items():
            offered = self.offered(self.accountant, model)
            self.assertFalse(offered & links, model)
            self.assertTrue(links <= self.offered(self.billing_user, model), model)
        move_fields = ["name", *sorted(self.offered(self.accountant, "account.move"))]
        line_fields = sorted(self.offered(self.accountant, "account.move.line"))
        self.env.invalidate_all()
        exported = (
            self.invoice.with_user(self.accountant)
            .export_data(move_fields + [f"invoice_line_ids/{fname}" for fname in line_fields])
            .get("datas")
        )
        self.assertEqual(exported[0][move_fields.index("name")], self.invoice.name)

    def test_billing_user_exports_the_run_and_filters_on_it(self):
        run = self.invoice.invoicera_run_id
        Move = self.env["account.move"].with_user(self.billing_user)
        self.env.invalidate_all()
        self.assertEqual(
            Move.browse(self.invoice.id).export_data(["name", "invoicera_run_id"])["datas"],
            [[self.invoice.name, run.name]],
        )
        self.assertEqual(Move.search([("invoicera_run_id", "ilike", run.name)]), self.invoice)
