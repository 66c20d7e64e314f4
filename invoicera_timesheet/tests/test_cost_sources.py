import importlib.util
from datetime import date, timedelta
from pathlib import Path

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE

from .common import InvoiceraTimesheetCase


class CostSourcesCase(InvoiceraTimesheetCase):
    """What the tests of the sources other than time share: a marked-up project,
    an expensed product, a vendor, the warehouse; expenses, bills, deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.project.invoicera_cost_markup = 10
        cls.account = cls.project.account_id
        cls.travel = cls.env["product.product"].create(
            {
                "name": "Train tickets",
                "type": "service",
                "can_be_expensed": True,
                "expense_policy": "cost",
                "standard_price": 0,
                "supplier_taxes_id": False,
            }
        )
        cls.vendor = cls.env["res.partner"].create({"name": "Freelance Studio", "is_company": True})
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )

    def approved_expense(self, amount, distribution=None, **vals):
        expense = self.env["hr.expense"].create(
            dict(
                {
                    "name": "Train to client",
                    "employee_id": self.alice.id,
                    "product_id": self.travel.id,
                    "total_amount_currency": amount,
                    "date": date(2026, 3, 9),
                    "payment_mode": "own_account",
                    "analytic_distribution": distribution or {str(self.account.id): 100},
                },
                **vals,
            )
        )
        sheet = self.env["hr.expense.sheet"].create(
            {
                "name": "March",
                "employee_id": self.alice.id,
                "expense_line_ids": [Command.set(expense.ids)],
            }
        )
        sheet.action_submit_sheet()
        self.assertFalse(self.item_of(expense), "a submitted expense is not billable yet")
        sheet.action_approve_expense_sheets()
        return expense

    def vendor_bill(self, amount, rebill=True, product=None, post=True, env=None):
        """A bill of ``amount`` for the project (in ``env``'s current company)."""
        bill = (env or self.env)["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.vendor.id,
                "invoice_date": date(2026, 3, 12),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Illustrations",
                            "product_id": product.id if product else False,
                            "quantity": 2,
                            "price_unit": amount / 2,
                            "tax_ids": False,
                            "analytic_distribution": {str(self.account.id): 100},
                            "invoicera_rebill": rebill,
                        }
                    )
                ],
            }
        )
        if post:
            bill.action_post()
        return bill

    def project_picking(
        self, picking_type, partner, source, destination, quantity, env=None, stock=None, **product
    ):
        """A picking of ``quantity`` routers for the project, validated (in ``env``,
        with the routers in ``stock``: the warehouse's by default); its moves make
        no item before that."""
        env = env or self.env
        product = env["product.product"].create(
            dict(
                {"name": "Router", "type": "consu", "is_storable": True, "list_price": 150},
                **product,
            )
        )
        stock = stock or self.warehouse.lot_stock_id
        env["stock.quant"]._update_available_quantity(product, stock, 10)
        picking = env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "project_id": self.project.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        picking.move_ids.quantity = quantity
        self.assertFalse(self.item_of(picking.move_ids))
        picking.button_validate()
        return picking

    def deliver_to_project(self, quantity, **product):
        return self.project_picking(
            self.warehouse.out_type_id,
            self.client,
            self.warehouse.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
            quantity,
            **product,
        )

    @classmethod
    def dozen_product(cls, **vals):
        """A product sold 10 per Unit, re-invoiced at its sales price."""
        return cls.env["product.product"].create(
            dict(
                {
                    "name": "Printer paper",
                    "type": "consu",
                    "can_be_expensed": True,
                    "expense_policy": "sales_price",
                    "list_price": 10,
                    "standard_price": 8,
                    "supplier_taxes_id": False,
                },
                **vals,
            )
        )

    def return_from_project(self, picking, quantity):
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=picking.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = quantity
        returned = wizard._create_return()
        returned.move_ids.quantity = quantity
        returned.button_validate()
        return returned


@tagged("post_install", "-at_install")
class TestCostSources(CostSourcesCase):
    """Expenses, vendor costs, milestones and materials: the other sources."""

    def sell(self, project, partner):
        """Sell ``project`` to ``partner`` through a confirmed sale order."""
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "project_id": project.id,
                "order_line": [
                    Command.create({"product_id": self.service.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        project.sale_line_id = order.order_line
        self.assertNotIn(project, project._invoicera_billable_projects(), "sold")
        return order

    # ------------------------------------------------------------------
    def test_expense_paid_in_another_currency_is_billed_with_the_time(self):
        """An expense paid in euros on the project of a client billed in dollars:
        one invoice in dollars bills the time and the expense, converted."""
        self.log_time(self.alice, 2)
        expense = self.approved_expense(100, currency_id=self.eur.id)
        self.assertEqual(self.item_of(expense).currency_id, self.eur)
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.currency_id, self.usd)
        lines = {line.product_id: line for line in invoice.invoice_line_ids}
        self.assertEqual(lines[self.service].price_subtotal, 180)
        # 100 € + 10 % markup, at 0.5 € per $ on the invoice date
        self.assertEqual(lines[self.travel].price_unit, 220)
        self.assertEqual(invoice.amount_untaxed, 400)

    def test_a_draft_dated_again_converts_at_its_new_date(self):
        """110 € billed in dollars on a draft of 31 March (0.5 € per $): 220 $.
        Dated 2 April instead (0.8 € per $), the draft bills 137.50 $, converted
        at the invoice date as the work is; work in dollars is not touched
        (before: 220 $ kept, and the price locked against correction)."""
        self.log_time(self.alice, 2)
        self.approved_expense(100, currency_id=self.eur.id)
        invoice = self.invoice(self.client)
        lines = {line.product_id: line for line in invoice.invoice_line_ids}
        self.assertEqual(lines[self.travel].price_unit, 220)
        invoice.invoice_date = date(2026, 4, 2)
        self.assertEqual(lines[self.travel].price_unit, 137.5)
        self.assertEqual(lines[self.service].price_subtotal, 180)
        invoice.action_post()
        self.assertEqual(invoice.amount_untaxed, 317.5)

    def test_a_draft_whose_date_is_cleared_converts_at_the_date_it_is_posted(self):
        """The draft's date cleared, then posted on 2 April (Odoo dates it then):
        137.50 $, as dated 2 April. Before: 220 $ kept, at 31 March's rate."""
        self.approved_expense(100, currency_id=self.eur.id)
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.invoice_line_ids.price_unit, 220)
        invoice.invoice_date = False
        with freeze_time("2026-04-02"):
            invoice.action_post()
        self.assertEqual(invoice.invoice_date, date(2026, 4, 2))
        self.assertEqual(invoice.invoice_line_ids.price_unit, 137.5)

    def test_a_draft_dated_again_and_again_converts_the_work_s_own_rate(self):
        """110 € dated at 0.81, then at 0.92 € per $: 119.57 $, 110 € converted
        at 0.92 (before: 119.56 $, the rounded 135.80 $ converted again)."""
        self.env["res.currency.rate"].create(
            [
                {"currency_id": self.eur.id, "name": "2026-04-03", "rate": 0.81},
                {"currency_id": self.eur.id, "name": "2026-04-04", "rate": 0.92},
            ]
        )
        self.approved_expense(100, currency_id=self.eur.id)
        invoice = self.invoice(self.client)
        invoice.invoice_date = date(2026, 4, 3)
        self.assertEqual(invoice.invoice_line_ids.price_unit, 135.8)
        invoice.invoice_date = date(2026, 4, 4)
        self.assertEqual(invoice.invoice_line_ids.price_unit, 119.57)

    def test_approved_expense_is_rebilled_at_cost_with_markup(self):
        expense = self.approved_expense(200)
        item = self.item_of(expense)
        self.assertRecordValues(
            item,
            [
                {
                    "source": "expense",
                    "partner_id": self.client.id,
                    "project_id": self.project.id,
                    "employee_id": self.alice.id,
                    "quantity": 1,
                    "price_unit": 220.0,
                    "product_id": self.travel.id,
                }
            ],
        )

    def test_expense_share_of_the_project(self):
        internal = self.env["account.analytic.account"].create(
            {"name": "Overhead", "plan_id": self.account.plan_id.id}
        )
        expense = self.approved_expense(
            100, distribution={str(self.account.id): 40, str(internal.id): 60}
        )
        self.assertAlmostEqual(self.item_of(expense).price_unit, 44.0, msg="40% of 100, +10%")

    def test_posted_expense_report_is_billed_once(self):
        """Posting the report makes a vendor bill of the expense: not a second cost to bill."""
        expense = self.approved_expense(200)
        expense.sheet_id.action_sheet_move_post()
        bill_lines = expense.sheet_id.account_move_ids.line_ids
        self.assertTrue(bill_lines.filtered(lambda line: line.expense_id == expense))
        self.assertEqual(
            self.Item.search([("partner_id", "=", self.client.id)]).mapped("source"),
            ["expense"],
            "the expense alone is billed, not its line on the employee's bill",
        )
        self.assertEqual(self.item_of(expense).price_unit, 220.0)

    def test_refused_expense_leaves(self):
        expense = self.approved_expense(80)
        self.assertTrue(self.item_of(expense))
        expense.sheet_id._do_refuse("Not a business trip")
        self.assertFalse(self.item_of(expense))

    def test_billed_expense_locks_the_expense(self):
        """Changed or withdrawn once invoiced, the client would keep the old amount
        and the difference be billed never (as time and vendor bills: locked)."""
        expense = self.approved_expense(200)
        self.assertTrue(expense.sheet_id.can_reset)
        self.invoice(self.client)
        expense.sheet_id.invalidate_recordset(["can_reset"])
        self.assertFalse(expense.sheet_id.can_reset, "Reset to Draft not offered, as refused")
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            expense.total_amount_currency = 500
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            expense.sheet_id.action_reset_expense_sheets()
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            expense.sheet_id._do_refuse("Not a business trip")
        self.assertEqual(expense.sheet_id.state, "approve")
        expense.name = "Train to Lyon"  # a label change is harmless
        # Posting and paying the report stays possible.
        expense.sheet_id.action_sheet_move_post()
        self.assertEqual(self.item_of(expense).state, "invoiced")

    def test_expense_taxes_set_what_is_billed(self):
        """An expense's taxes set its untaxed amount, which is billed: changed before
        invoicing, the item follows; once invoiced, they are locked as the amount is."""
        tax = self.env["account.tax"].create(
            {"name": "VAT 25% on purchases", "amount": 25, "type_tax_use": "purchase"}
        )
        expense = self.approved_expense(200)
        self.assertEqual(self.item_of(expense).price_unit, 220.0)
        expense.tax_ids = [Command.set(tax.ids)]
        self.assertEqual(expense.untaxed_amount_currency, 160.0)
        self.assertEqual(self.item_of(expense).price_unit, 176.0, "160 + 10%")
        self.invoice(self.client)
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            expense.tax_ids = False
        self.assertEqual(expense.untaxed_amount_currency, 160.0)

    def test_deleted_expense_report(self):
        """Its expenses are no longer approved: not billable; billed, the report stays."""
        expense = self.approved_expense(80)
        self.assertEqual(self.item_of(expense).state, "to_bill")
        expense.sheet_id.unlink()
        self.assertFalse(expense.sheet_id)
        self.assertFalse(self.item_of(expense), "an unreported expense is not billable")
        billed = self.approved_expense(120)
        self.invoice(self.client)
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            billed.sheet_id.unlink()
        self.assertTrue(billed.sheet_id.exists())

    def test_expense_not_rebillable(self):
        self.travel.expense_policy = "no"
        expense = self.approved_expense(80)
        self.assertFalse(self.item_of(expense))

    def test_costs_follow_their_product_s_re_invoicing_policy(self):
        """Train tickets no longer re-invoiced (Re-Invoice Costs: No): the unbilled
        tickets are taken off the bill (the next run invoiced them); at their
        sales price, they are priced so; re-invoiced at cost again, they come
        back as they were left. What was invoiced stays invoiced."""
        billed = self.approved_expense(50)
        self.invoice(self.client, post=True)
        expense = self.approved_expense(80)
        # re-billed for its product's policy (not marked Re-bill on the bill)
        bill_line = self.vendor_bill(300, rebill=False, product=self.travel).invoice_line_ids
        unbilled = self.item_of(expense) | self.item_of(bill_line)
        self.assertEqual(len(unbilled), 2)
        self.travel.product_tmpl_id.expense_policy = "no"
        self.assertFalse(unbilled.filtered("active"))
        self.assertFalse(
            self.Item.search(
                self.Item._billable_domain(self.company, date(2026, 3, 31), partners=self.client)
            )
        )
        self.assertEqual(self.item_of(billed).state, "invoiced")
        self.travel.write({"expense_policy": "sales_price", "list_price": 30})
        self.assertEqual(unbilled.mapped("active"), [True, True])
        self.assertEqual(self.item_of(expense).price_unit, 30, "its sales price")
        self.travel.expense_policy = "cost"
        self.assertEqual(self.item_of(expense).price_unit, 88, "80 and the markup")

    def test_vendor_cost_rebilled_when_posted(self):
        bill = self.vendor_bill(500, post=False)
        line = bill.invoice_line_ids
        self.assertFalse(self.item_of(line), "a draft bill is not billable")
        bill.action_post()
        item = self.item_of(line)
        self.assertRecordValues(
            item,
            [
                {
                    "source": "vendor_cost",
                    "partner_id": self.client.id,
                    "name": "Illustrations (Freelance Studio)",
                    "quantity": 2,
                    "price_unit": 275.0,
                    "date": date(2026, 3, 12),
                    "product_id": self.env.ref("invoicera_timesheet.product_invoicera_cost").id,
                }
            ],
        )
        bill.button_draft()
        self.assertFalse(self.item_of(line), "back to draft: no longer billable")

    def test_costs_keep_their_price_under_a_fiscal_position(self):
        """A cost billed again keeps its amount for a client whose fiscal position
        maps the product's 21% included tax to 0%, as Odoo re-invoices a cost
        (sale's ``_compute_price_unit`` leaves it); the service's price is made
        tax-free (121 is 100). The cost was taken as including the tax: 550
        billed 454.55."""
        Tax = self.env["account.tax"]
        included = Tax.create(
            {
                "name": "VAT 21% incl.",
                "amount": 21,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        exempt = Tax.create({"name": "Export 0%", "amount": 0, "type_tax_use": "sale"})
        self.client.property_account_position_id = self.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "tax_ids": [Command.create({"tax_src_id": included.id, "tax_dest_id": exempt.id})],
            }
        )
        cost = self.env.ref("invoicera_timesheet.product_invoicera_cost")
        (cost | self.travel | self.service).taxes_id = included
        self.service.list_price = 121
        self.alice.invoicera_billing_rate = 0  # the service priced as sold: 121
        self.log_time(self.alice, 1)
        bill = self.vendor_bill(500).invoice_line_ids
        expense = self.approved_expense(200)
        self.assertEqual(self.item_of(bill).price_unit, 275)
        invoice = self.invoice(self.client)
        self.assertEqual(
            {
                line.product_id: (line.price_subtotal, line.tax_ids)
                for line in invoice.invoice_line_ids
            },
            {
                self.service: (100, exempt),
                cost: (550, exempt),
                self.travel: (self.item_of(expense).amount, exempt),
            },
        )

    def test_costs_recorded_before_18_0_1_2_0_are_priced_at_cost(self):
        """Upgrading a database to 18.0.1.2.0 marks its costs billed again as
        priced at cost; not a cost re-invoiced at its product's sales price, nor
        time."""
        resold = self.env["product.product"].create(
            {"name": "Stock photos", "type": "service", "expense_policy": "sales_price"}
        )
        items = {
            "bill": self.item_of(self.vendor_bill(500).invoice_line_ids),
            "expense": self.item_of(self.approved_expense(200)),
            "resold": self.item_of(self.vendor_bill(80, product=resold).invoice_line_ids),
            "time": self.item_of(self.log_time(self.alice, 1)),
        }
        ids = tuple(item.id for item in items.values())
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE invoicera_billable_item SET price_at_cost = NULL WHERE id IN %s", [ids]
        )
        path = Path(__file__).parents[1] / "migrations" / "18.0.1.2.0" / "post-migration.py"
        spec = importlib.util.spec_from_file_location("migration", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(
            {key: item.price_at_cost for key, item in items.items()},
            {"bill": True, "expense": True, "resold": False, "time": False},
        )

    def test_vendor_cost_needs_rebill_or_a_reinvoiced_product(self):
        self.assertFalse(self.item_of(self.vendor_bill(300, rebill=False).invoice_line_ids))
        line = self.vendor_bill(300, rebill=False, product=self.travel).invoice_line_ids
        self.assertTrue(self.item_of(line), "a product re-invoiced at cost is re-billed")

    def test_billed_vendor_cost_locks_the_bill(self):
        bill = self.vendor_bill(500)
        self.assertTrue(bill.show_reset_to_draft_button)
        self.invoice(self.client)
        bill.invalidate_recordset(["show_reset_to_draft_button"])
        self.assertFalse(bill.show_reset_to_draft_button, "not offered, as refused")
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            bill.button_draft()
        # Moved to another project (Odoo lets a posted line's analytic change),
        # the cost would be billed there again, by Odoo or by the next run.
        line = bill.invoice_line_ids
        other = self.project_eur.account_id
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            line.analytic_distribution = {str(other.id): 100}
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            line.invoicera_rebill = False
        self.assertEqual(line.analytic_distribution, {str(self.account.id): 100})
        line.name = "Illustrations, final"  # a label change is harmless

    def test_project_sold_through_a_sale_order_keeps_odoo_flow(self):
        order = self.sell(self.project, self.client)
        line = self.vendor_bill(300, product=self.travel).invoice_line_ids
        self.assertFalse(self.item_of(line))
        self.assertTrue(
            order.order_line.filtered(lambda sol: sol.product_id == self.travel),
            "Odoo re-invoices the cost on the sale order",
        )

    def test_costs_of_a_project_sold_after_the_fact(self):
        """Costs billed here before their project is sold through an order stay
        billed here, on that project, for its share: Odoo does not re-invoice
        them when the project is sold. Those recorded once it is sold are not
        billed here (Odoo re-invoices an expense given a Customer to Reinvoice)."""
        other = self.env["project.project"].create(
            {"name": "Catalogue", "partner_id": self.client_eur.id, "allow_billable": True}
        )
        self.sell(other, self.client_eur)
        # 40% of the expense on this project, 60% on another client's sold one
        expense = self.approved_expense(
            80, distribution={str(self.account.id): 40, str(other.account_id.id): 60}
        )
        bill_line = self.vendor_bill(300).invoice_line_ids
        self.assertEqual(self.item_of(expense).price_unit, 35.2, "its 40%, with the markup")
        self.sell(self.project, self.client)
        for cost in (expense, bill_line):
            item = self.item_of(cost)
            self.assertEqual(
                (item.partner_id, item.project_id), (self.client, self.project), "not moved"
            )
        self.assertEqual(self.item_of(expense).price_unit, 35.2)
        # Reset to draft (its item put aside) and posted again: Odoo does not
        # re-invoice it (no re-invoicing product), so it is billed here still.
        bill_line.move_id.button_draft()
        self.assertFalse(self.item_of(bill_line))
        bill_line.move_id.action_post()
        self.assertEqual(self.item_of(bill_line).project_id, self.project)
        later = self.approved_expense(50)
        self.assertFalse(self.item_of(later), "recorded once sold: not billed here")
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.amount_untaxed, 365.2, "35.2 + 300 with the 10% markup")

    def test_costs_shared_with_another_client_stay_when_their_project_is_sold(self):
        """60% on this project, 40% on another client's: billed here for the 60%.
        This project sold since, the costs stay on it, not moved to the other
        client's project for its 40% (this client's 60% then billed by nobody)."""
        cobalt, campaign = self.third_client()
        distribution = {str(self.account.id): 60, str(campaign.account_id.id): 40}
        expense = self.approved_expense(100, distribution=distribution)
        bill = self.vendor_bill(500, post=False)
        bill.invoice_line_ids.analytic_distribution = distribution
        bill.action_post()
        costs = (expense, bill.invoice_line_ids)
        before = [(self.item_of(c).project_id, self.item_of(c).price_unit) for c in costs]
        self.assertEqual([project for project, _price in before], [self.project] * 2)
        self.assertEqual(before[0][1], 66.0, "its 60%, with the markup")
        self.sell(self.project, self.client)
        after = [(self.item_of(c).project_id, self.item_of(c).price_unit) for c in costs]
        self.assertEqual(after, before, "not moved to Cobalt's Campaign")
        self.assertNotIn(cobalt, self.Item.search([]).partner_id)

    def test_vendor_bill_credited_in_full_is_not_billed(self):
        """A bill cancelled by its credit note (Reverse, or Reverse and create a
        new draft): its cost is not billed; the corrected bill's is, once."""
        bill = self.vendor_bill(500)
        line = bill.invoice_line_ids
        reversal = self.reversal(bill, date(2026, 3, 13))
        reversal.refund_moves()
        credit_note = bill.reversal_move_ids
        credit_note.invoice_line_ids.price_unit = 100  # a partial credit note
        credit_note.action_post()
        self.assertEqual(
            self.item_of(line).price_unit, 275.0, "partly credited: still billed, at its cost"
        )
        credit_note.button_draft()
        credit_note.invoice_line_ids.price_unit = 250
        credit_note.action_post()
        self.assertFalse(self.item_of(line), "credited in full: not billed")
        credit_note.button_draft()
        self.assertTrue(self.item_of(line), "its credit note withdrawn: billed again")
        credit_note.button_cancel()
        self.assertTrue(self.item_of(line), "its credit note cancelled: billed")
        new_bill = reversal.modify_moves()
        new_bill = self.env["account.move"].browse(new_bill["res_id"])
        self.assertFalse(self.item_of(line), "reversed by Reverse and create a new draft")
        self.assertTrue(new_bill.invoice_line_ids.invoicera_rebill, "still to re-bill")
        new_bill.invoice_date = date(2026, 3, 13)
        new_bill.action_post()
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.amount_untaxed, 550.0, "the cost billed once, with its markup")
        # Its cost invoiced, the corrected bill is refused, as a reset to draft is.
        reversal = self.reversal(new_bill, date(2026, 4, 1))
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            reversal.modify_moves()
        self.assertFalse(new_bill.reversal_move_ids)
        reversal.refund_moves()  # a vendor's credit note stays possible
        new_bill.reversal_move_ids.action_post()
        self.assertEqual(self.item_of(new_bill.invoice_line_ids).state, "invoiced")

    @freeze_time("2026-03-31")  # deferred to a date to come
    def test_corrected_bill_keeps_what_was_decided_on_its_cost(self):
        """A bill whose cost was written off (or excluded, or deferred), then
        corrected with Reverse and create a new draft: the corrected cost is
        not billed as new work; it keeps the decision, at its corrected amount."""
        decisions = {
            "written_off": lambda item: item.action_write_off("Agreed in the contract"),
            "excluded": lambda item: item.action_exclude(),
            "deferred": lambda item: item.action_defer(date(2026, 6, 1)),
        }
        for state, decide in decisions.items():
            with self.subTest(state=state):
                bill = self.vendor_bill(500)
                decide(self.item_of(bill.invoice_line_ids))
                action = self.reversal(bill, date(2026, 3, 13)).modify_moves()
                corrected = self.env["account.move"].browse(action["res_id"])
                corrected.invoice_line_ids.price_unit = 200  # 400 instead of 500
                corrected.invoice_date = date(2026, 3, 13)
                corrected.action_post()
                item = self.item_of(corrected.invoice_line_ids)
                self.assertEqual((item.state, item.price_unit), (state, 220.0))
                self.assertFalse(self.invoice(self.client), "nothing to bill the client")
                if state == "written_off":
                    self.assertEqual(item.write_off_reason, "Agreed in the contract")
                if state == "deferred":
                    self.assertEqual(item.deferred_until, date(2026, 6, 1))
                    invoice = self.invoice(self.client, invoice_date=date(2026, 6, 1))
                    self.assertEqual(invoice.amount_untaxed, 440.0, "billed once, when due")
                    self.assertFalse(self.item_of(bill.invoice_line_ids), "the bill it corrects")

    def correct(self, bill, **line_values):
        """Reverse and create a new draft of ``bill``, its line given
        ``line_values``, posted: the corrected bill."""
        action = self.reversal(bill, date(2026, 3, 13)).modify_moves()
        corrected = self.env["account.move"].browse(action["res_id"])
        corrected.invoice_line_ids.write(line_values)
        corrected.invoice_date = date(2026, 3, 13)
        corrected.action_post()
        return corrected

    def test_corrected_bill_keeps_the_write_down_of_its_cost(self):
        """The cost's rate written down (agreed with the client), the bill
        corrected for its reference: billed at the rate agreed, with its reason."""
        bill = self.vendor_bill(500)
        self.item_of(bill.invoice_line_ids).write(
            {"price_unit": 150, "adjustment_reason": "Agreed with the client"}
        )
        corrected = self.correct(bill, name="Illustrations (ref. 2026-114)")
        self.assertRecordValues(
            self.item_of(corrected.invoice_line_ids),
            [
                {
                    "price_unit": 150,
                    "price_manual": True,
                    "adjustment_reason": "Agreed with the client",
                }
            ],
        )
        self.assertEqual(self.invoice(self.client).amount_untaxed, 300.0)

    def test_corrected_bill_moved_to_another_project_keeps_its_decision(self):
        """Corrected to go to another client's project, the cost keeps what was
        decided on it, as any work moved to another project does; posted back
        on the first project, the same."""
        bill = self.vendor_bill(500)
        self.item_of(bill.invoice_line_ids).action_write_off("Agreed in the contract")
        corrected = self.correct(
            bill, analytic_distribution={str(self.project_eur.account_id.id): 100}
        )
        item = self.item_of(corrected.invoice_line_ids)
        self.assertEqual((item.partner_id, item.state), (self.client_eur, "written_off"))
        corrected.button_draft()
        corrected.invoice_line_ids.analytic_distribution = {str(self.account.id): 100}
        corrected.action_post()
        self.assertEqual(self.item_of(corrected.invoice_line_ids), item, "the same item")
        self.assertEqual((item.partner_id, item.state), (self.client, "written_off"))
        self.assertFalse(self.invoice(self.client))

    def test_bill_duplicated_is_billed_as_new_work(self):
        """Only a correction carries the decision: a bill duplicated (Duplicate)
        after its cost was written off is a cost of its own, billed."""
        bill = self.vendor_bill(500)
        self.item_of(bill.invoice_line_ids).action_write_off("Agreed in the contract")
        copy = bill.copy({"invoice_date": date(2026, 3, 20)})
        self.assertFalse(copy.invoice_line_ids.invoicera_corrected_line_id)
        copy.action_post()
        self.assertEqual(self.item_of(copy.invoice_line_ids).state, "to_bill")
        self.assertEqual(self.invoice(self.client).amount_untaxed, 550.0)

    def bill_credited_in_full(self):
        """A bill of 500 and its vendor's credit note in full, posted: (bill,
        its line, the credit note)."""
        bill = self.vendor_bill(500)
        line = bill.invoice_line_ids
        self.reversal(bill, date(2026, 3, 13)).refund_moves()
        credit_note = bill.reversal_move_ids
        credit_note.action_post()
        self.assertFalse(self.item_of(line), "credited in full: not billed")
        return bill, line, credit_note

    def test_credit_note_reversed_gives_the_bill_back_once(self):
        """A vendor's credit note reversed in its turn (a mistake undone): the bill's
        cost is billed again, once; the reversal is not a cost of its own, as Odoo
        does not re-invoice a reversal."""
        bill, line, credit_note = self.bill_credited_in_full()
        action = self.reversal(credit_note, date(2026, 3, 14)).refund_moves()
        undo = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(undo.move_type, "in_invoice")
        undo.action_post()
        self.assertFalse(self.item_of(undo.invoice_line_ids), "not a cost of its own")
        self.assertEqual(self.item_of(line).price_unit, 275.0, "the bill billed again")
        self.project.invoicera_cost_markup = 20  # its costs priced again
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.amount_untaxed, 600.0, "the cost billed once, with its markup")
        self.assertFalse(self.invoice(self.client), "nothing left to bill")

    def test_a_credit_note_corrected_to_the_whole_bill_withdraws_its_cost(self):
        """A vendor's credit note corrected ("Reverse and create a new draft" on
        the credit note, to fix its date or reference): the new credit note
        credits the same bill, and posted in full withdraws its cost again."""
        bill, line, credit_note = self.bill_credited_in_full()
        action = self.reversal(credit_note, date(2026, 3, 14)).modify_moves()
        corrected = self.env["account.move"].browse(action["res_id"])
        self.assertEqual((corrected.move_type, corrected.reversed_entry_id), ("in_refund", bill))
        corrected.invoice_date = date(2026, 3, 14)
        corrected.action_post()
        self.assertFalse(self.item_of(line), "credited in full by the corrected credit note")
        self.assertFalse(self.invoice(self.client), "nothing to bill the client")

    def test_credit_note_switched_into_a_bill_is_a_cost(self):
        """A credit note made from a bill, then switched into a bill (Action ▸
        Switch into invoice/credit note), keeps that bill as its origin: it is
        a bill of its own, billed."""
        bill = self.vendor_bill(500)
        self.reversal(bill, date(2026, 3, 13)).refund_moves()
        switched = bill.reversal_move_ids
        switched.action_switch_move_type()
        self.assertEqual((switched.move_type, switched.reversed_entry_id), ("in_invoice", bill))
        switched.invoice_line_ids.invoicera_rebill = True
        switched.action_post()
        self.assertEqual(self.item_of(switched.invoice_line_ids).price_unit, 275.0)

    def test_credit_notes_reversal_billed_before_is_withdrawn_by_the_migration(self):
        """Before 18.0.1.3.0 a credit note's reversal was a cost of its own: its
        item not invoiced yet is withdrawn, and the bill it gives back billed once."""
        bill = self.vendor_bill(500)
        self.reversal(bill, date(2026, 3, 13)).refund_moves()
        credit_note = bill.reversal_move_ids
        credit_note.action_post()
        action = self.reversal(credit_note, date(2026, 3, 14)).refund_moves()
        undo = self.env["account.move"].browse(action["res_id"])
        undo.action_post()
        # as it was recorded then
        lines = undo.invoice_line_ids
        self.env["invoicera.billable.item"].sudo().with_context(invoicera_sync=ENGINE).create(
            [
                dict(vals, source="vendor_cost", source_model=lines._name)
                for vals in lines._invoicera_item_values()
            ]
        )
        self.assertTrue(self.item_of(lines))
        path = Path(__file__).parents[1] / "migrations" / "18.0.1.3.0" / "post-migration.py"
        spec = importlib.util.spec_from_file_location("migration", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.2.0")
        self.assertFalse(self.item_of(lines))
        self.assertEqual(self.invoice(self.client).amount_untaxed, 550.0, "the bill's cost, once")

    def test_deliveries_of_sold_projects_odoo_did_not_reinvoice_are_billed_after_migration(self):
        """Before 18.0.1.4.0 every delivery validated for a sold project was
        flagged as its order's: the migration bills here those Odoo did not put
        on the order (a storable product, not re-invoiced), not those it did."""
        order = self.sell(self.project, self.client)
        self.project.reinvoiced_sale_order_id = order
        self.warehouse.out_type_id.analytic_costs = True
        not_on_order = self.deliver_to_project(3)
        on_order = self.deliver_to_project(2, expense_policy="sales_price")
        # as they were flagged then
        (not_on_order | on_order).move_ids.write({"invoicera_sold_project": True})
        not_on_order.move_ids._invoicera_sync_items()
        self.assertFalse(self.item_of(not_on_order.move_ids))
        path = Path(__file__).parents[1] / "migrations" / "18.0.1.4.0" / "post-migration.py"
        spec = importlib.util.spec_from_file_location("migration", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.3.0")
        self.assertEqual(self.item_of(not_on_order.move_ids).quantity, 3)
        self.assertFalse(self.item_of(on_order.move_ids), "on the order: the order's")

    def test_quantity_set_by_hand_keeps_its_meaning_in_another_unit(self):
        """12 cables billed 10 by hand; the vendor's bill corrected to 1 Dozen:
        still 10 cables billed, at the dozen's price per cable, not 10 Dozens.
        A rate set by hand per cable is billed per dozen as 12 cables."""
        unit, dozen = self.env.ref("uom.product_uom_unit"), self.env.ref("uom.product_uom_dozen")
        cable = self.env["product.product"].create(
            {"name": "Cable", "type": "consu", "uom_id": unit.id, "uom_po_id": unit.id}
        )

        def cable_bill(hand_set):
            bill = self.vendor_bill(600, product=cable, post=False)
            bill.invoice_line_ids.write(
                {"quantity": 12, "price_unit": 50, "product_uom_id": unit.id}
            )
            bill.action_post()
            item = self.item_of(bill.invoice_line_ids)
            item.write(dict(hand_set, adjustment_reason="Agreed with the client"))
            bill.button_draft()
            bill.invoice_line_ids.write(
                {"quantity": 1, "price_unit": 600, "product_uom_id": dozen.id}
            )
            bill.action_post()
            return item

        item = cable_bill({"quantity": 10})
        self.assertRecordValues(
            item, [{"uom_id": unit.id, "worked_quantity": 12, "quantity": 10, "price_unit": 55}]
        )
        self.assertEqual(item.amount, 550.0, "10 cables at 50, with the 10% markup")
        rate = cable_bill({"price_unit": 45})
        self.assertRecordValues(rate, [{"uom_id": dozen.id, "quantity": 1, "price_unit": 540}])
        self.assertEqual(self.invoice(self.client).amount_untaxed, 1090.0)

    def test_bill_reversed_at_a_later_date_is_not_billed_meanwhile(self):
        """Reverse and create a new draft, the credit note dated next week: Odoo
        keeps that credit note a draft until its date. The bill's cost is
        withdrawn at once, so that only the corrected bill's cost is billed;
        deleting the scheduled credit note, or no longer posting it at its date,
        gives the cost back."""
        bill = self.vendor_bill(500)
        line = bill.invoice_line_ids
        next_week = fields.Date.context_today(bill) + timedelta(days=7)
        action = self.reversal(bill, next_week).modify_moves()
        credit_note = bill.reversal_move_ids
        self.assertEqual((credit_note.state, credit_note.auto_post), ("draft", "at_date"))
        self.assertFalse(self.item_of(line), "its credit note scheduled: not billed")
        new_bill = self.env["account.move"].browse(action["res_id"])
        new_bill.invoice_date = date(2026, 3, 13)
        new_bill.invoice_line_ids.price_unit = 200
        new_bill.action_post()
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.amount_untaxed, 440.0, "the corrected cost alone, with its markup")
        credit_note.auto_post = "no"
        self.assertTrue(self.item_of(line), "its credit note no longer scheduled: billed")
        credit_note.auto_post = "at_date"
        self.assertFalse(self.item_of(line))
        credit_note.invoice_line_ids.price_unit = 100
        self.assertEqual(
            self.item_of(line).price_unit, 275.0, "scheduled to credit a part: still billed"
        )
        credit_note.unlink()
        self.assertEqual(self.item_of(line).price_unit, 275.0, "its credit note deleted: billed")

    def test_bill_of_zero_is_not_credited(self):
        """A bill whose total is nil (a cost less an advance) has no credit note:
        its cost is billed."""
        bill = self.vendor_bill(500, post=False)
        bill.invoice_line_ids = [
            Command.create(
                {"name": "Advance paid", "quantity": 1, "price_unit": -500, "tax_ids": False}
            )
        ]
        bill.action_post()
        self.assertEqual(bill.amount_total, 0.0)
        self.assertTrue(self.item_of(bill.invoice_line_ids.filtered("invoicera_rebill")))

    def test_a_free_line_of_a_bill_is_no_cost(self):
        """A sample at 0 on the bill, marked to re-bill, costs nothing: no item, no
        zero rate refusing the client's whole invoice (before: "These items have a
        zero or negative rate" until someone excluded it)."""
        bill = self.vendor_bill(500, post=False)
        bill.invoice_line_ids = [
            Command.create(
                {
                    "name": "Sample",
                    "quantity": 1,
                    "price_unit": 0,
                    "tax_ids": False,
                    "analytic_distribution": {str(self.account.id): 100},
                    "invoicera_rebill": True,
                }
            )
        ]
        bill.action_post()
        sample = bill.invoice_line_ids.filtered(lambda line: line.name == "Sample")
        self.assertFalse(self.item_of(sample))
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.amount_untaxed, 550)

    def test_an_expense_without_a_date_is_billed_on_its_report_s(self):
        """Odoo's expense date is optional: approving a re-billable expense
        without one failed ("Missing required value for the field 'Date'")."""
        expense = self.approved_expense(80, date=False)
        item = self.item_of(expense)
        approved_on = fields.Date.to_date(expense.sheet_id.approval_date)
        self.assertEqual(item.date, approved_on)
        self.assertEqual(item.amount, 88)
        # the report posted (its accounting date set): the work stays on its day
        expense.sheet_id.accounting_date = approved_on + timedelta(days=20)
        expense._invoicera_sync_items()
        self.assertEqual(item.date, approved_on)

    def test_a_free_delivery_is_not_billed(self):
        """A sample delivered free (sales price 0) is nothing to bill: no item, no
        zero rate refusing the client's whole invoice (its time included)."""
        time = self.item_of(self.log_time(self.alice, 2))
        sample = self.deliver_to_project(1, list_price=0)
        self.assertFalse(self.item_of(sample.move_ids))
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.invoice_line_ids.invoicera_item_ids, time, "the 2 hours")
        # priced later (a pricelist rule, a new sales price, the move re-synced):
        # billed then
        sample.move_ids.product_id.list_price = 40
        sample.move_ids._invoicera_sync_items()
        self.assertEqual(self.item_of(sample.move_ids).amount, 40)

    def test_cost_shared_with_a_sold_project_is_billed_by_odoo_alone(self):
        """A cost split between this project and one sold through a sale order:
        Odoo re-invoices the whole line on the order, so it is not billed here too."""
        sold = self.env["project.project"].create(
            {"name": "Support", "partner_id": self.client.id, "allow_billable": True}
        )
        order = self.sell(sold, self.client)
        bill = self.vendor_bill(300, product=self.travel, post=False)
        line = bill.invoice_line_ids
        line.analytic_distribution = {str(self.account.id): 40, str(sold.account_id.id): 60}
        bill.action_post()
        reinvoiced = order.order_line.filtered(lambda sol: sol.product_id == self.travel)
        self.assertEqual(reinvoiced.price_unit, 150.0, "Odoo re-invoices the whole cost")
        self.assertFalse(self.item_of(line), "the cost is billed once, on the sale order")
        self.assertFalse(self.invoice(self.client))

    def test_vendor_cost_given_an_order_line_on_its_analytic_entry(self):
        """The order line set on a cost's analytic entry (Analytic Items, Sales
        Order Item) bills it on that order: not here too; once invoiced here,
        refused (the order would bill it again)."""
        sold = self.env["project.project"].create(
            {"name": "Support", "partner_id": self.client.id, "allow_billable": True}
        )
        order = self.sell(sold, self.client)
        # a line re-invoicing costs, as Odoo makes one
        order.order_line = [
            Command.create({"product_id": self.travel.id, "product_uom_qty": 0, "is_expense": True})
        ]
        reinvoicing = order.order_line.filtered("is_expense")
        bill = self.vendor_bill(300, product=self.travel)
        entry = bill.invoice_line_ids.analytic_line_ids
        self.assertTrue(self.item_of(bill.invoice_line_ids))
        entry.so_line = reinvoicing
        self.assertEqual(reinvoicing.qty_delivered, 2, "billed on the order")
        self.assertFalse(self.item_of(bill.invoice_line_ids), "not here too")
        entry.so_line = False
        self.assertEqual(reinvoicing.qty_delivered, 0)
        self.assertTrue(self.item_of(bill.invoice_line_ids), "billed here again")

        self.invoice(self.client)
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            entry.so_line = reinvoicing
        self.assertEqual(reinvoicing.qty_delivered, 0)

    def test_milestone_billed_once_reached(self):
        milestone = self.env["project.milestone"].create(
            {"name": "Go-live", "project_id": self.project.id, "invoicera_amount": 5000}
        )
        self.assertFalse(self.item_of(milestone))
        with freeze_time("2026-03-20"):
            milestone.is_reached = True
        item = self.item_of(milestone)
        self.assertRecordValues(
            item,
            [
                {
                    "source": "milestone",
                    "price_unit": 5000,
                    "quantity": 1,
                    "partner_id": self.client.id,
                }
            ],
        )
        self.invoice(self.client)
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            milestone.is_reached = False
        # Nor does its fee change once billed: the difference would be billed never.
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            milestone.invoicera_amount = 6000
        other = self.env["project.project"].create(
            {"name": "Audit", "partner_id": self.client.id, "allow_billable": True}
        )
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            milestone.project_id = other
        milestone.name = "Go-live (v1)"  # a label change is harmless
        self.assertEqual(item.price_unit, 5000)

    def test_milestone_fees_of_a_project_sold_after_the_fact(self):
        """The project is sold through an order once its milestones are reached:
        Odoo bills a milestone only through its own order line, so the other
        fees stay billed here (they were billed by nobody)."""
        Milestone = self.env["project.milestone"]
        ours, sold = Milestone.create(
            [
                {"name": name, "project_id": self.project.id, "invoicera_amount": amount}
                for name, amount in (("Design", 2000), ("Go-live", 5000))
            ]
        )
        with freeze_time("2026-03-20"):
            (ours | sold).is_reached = True
        order = self.sell(self.project, self.client)
        self.assertTrue(self.item_of(ours), "its fee: billed here")
        sold.sale_line_id = order.order_line
        self.assertFalse(self.item_of(sold), "on the order: billed by Odoo alone")
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.amount_untaxed, 2000.0)

    def order_making_a_project(self):
        """A confirmed order whose line made a project, and a product billed on
        milestones: (order, project, product)."""
        setup, phases = self.project_products()
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "order_line": [Command.create({"product_id": setup.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        project = order.order_line.project_id
        self.assertTrue(project, "the order made the project")
        return order, project, phases

    def test_milestone_line_added_to_the_order_leaves_fees_invoiced_here(self):
        """A line billed on milestones, added to the order that made the project,
        takes the project's milestones without a line (Odoo's rule), but for those
        whose fee is invoiced here: the order would bill them again. The line was
        refused before ("invoiced and locked")."""
        order, project, phases = self.order_making_a_project()
        Milestone = self.env["project.milestone"]
        billed, later = Milestone.create(
            [
                {"name": name, "project_id": project.id, "invoicera_amount": amount}
                for name, amount in (("Design", 2000), ("Go-live", 5000))
            ]
        )
        with freeze_time("2026-03-20"):
            billed.is_reached = True
        self.invoice(self.client)
        self.assertEqual(self.item_of(billed).state, "invoiced")

        order.order_line = [Command.create({"product_id": phases.id, "product_uom_qty": 1})]
        line = order.order_line.filtered(lambda sol: sol.product_id == phases)
        self.assertFalse(billed.sale_line_id, "its fee is invoiced here: not on the order")
        self.assertEqual(self.item_of(billed).state, "invoiced")
        self.assertEqual(later.sale_line_id, line, "Odoo's rule for the others")
        self.assertEqual(
            later.product_uom_qty, 1.0, "all of the line: the billed one is not counted"
        )
        with freeze_time("2026-03-25"):
            later.is_reached = True
        self.assertEqual(line.qty_delivered, 1.0, "billed by the order")
        self.assertFalse(self.item_of(later), "not here too")

        # Another such line: no milestone left but the billed one, so Odoo makes
        # one for the line, as for a project without milestones.
        order.order_line = [Command.create({"product_id": phases.id, "product_uom_qty": 2})]
        second = order.order_line.filtered(lambda sol: sol.product_id == phases) - line
        self.assertFalse(billed.sale_line_id)
        self.assertEqual(
            project.milestone_ids.filtered(lambda m: m.sale_line_id == second).name, second.name
        )

    def test_milestone_line_added_to_the_order_leaves_fees_written_off_here(self):
        """A fee written off here is never to bill: a line billed on milestones
        added since does not take it (the order would bill it)."""
        order, project, phases = self.order_making_a_project()
        waived, later = self.env["project.milestone"].create(
            [
                {"name": name, "project_id": project.id, "invoicera_amount": amount}
                for name, amount in (("Design", 2000), ("Go-live", 5000))
            ]
        )
        waived.is_reached = True
        self.item_of(waived).action_write_off("Design redone at our cost")
        order.order_line = [Command.create({"product_id": phases.id, "product_uom_qty": 1})]
        line = order.order_line.filtered(lambda sol: sol.product_id == phases)
        self.assertFalse(waived.sale_line_id, "written off here: not on the order")
        self.assertEqual(line.qty_delivered, 0.0, "nothing of it billed by the order")
        self.assertRecordValues(
            self.item_of(waived),
            [{"state": "written_off", "write_off_reason": "Design redone at our cost"}],
        )
        self.assertEqual(later.sale_line_id, line, "Odoo's rule for the others")
        self.assertEqual(later.product_uom_qty, 1.0)

    def test_deleting_a_project_drops_its_milestones_items_not_invoiced_ones(self):
        """Its milestones go with it (deleted by the database, not one by one): an
        invoiced one kept its item, whose invoice then could not be credited."""
        billed = self.env["project.milestone"].create(
            {"name": "Report", "project_id": self.project.id, "invoicera_amount": 900}
        )
        billed.is_reached = True
        invoice = self.invoice(self.client, invoice_date=date.today())
        self.assertEqual(self.item_of(billed).state, "invoiced")
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            self.project.unlink()
        self.assertTrue(billed.exists())
        other = self.env["project.project"].create(
            {"name": "Audit", "partner_id": self.client.id, "allow_billable": True}
        )
        unbilled = self.env["project.milestone"].create(
            {"name": "Kick-off", "project_id": other.id, "invoicera_amount": 300}
        )
        unbilled.is_reached = True
        self.assertTrue(self.item_of(unbilled))
        other.unlink()
        self.assertFalse(
            self.Item.with_context(active_test=False).search(
                [("source_model", "=", "project.milestone"), ("source_id", "=", unbilled.id)]
            ),
            "no item left of a milestone that is no more",
        )
        # The invoice is credited, its item going back to unbilled.
        invoice.action_post()
        invoice._reverse_moves([{"invoice_date": date.today()}]).action_post()
        self.assertEqual(self.item_of(billed).state, "to_bill")

    def test_deleting_a_project_takes_its_material_off_the_bill(self):
        """A project with material delivered and no time can be deleted (Odoo
        refuses only with timesheets): its client is no longer billed for the
        material, which no project bills any more (it stayed to bill, without
        a project)."""
        unbilled = self.item_of((self.deliver_to_project(3) | self.deliver_to_project(1)).move_ids)
        self.assertEqual(len(unbilled), 2)
        self.project.unlink()
        self.assertFalse(unbilled.filtered("active"))
        self.assertFalse(
            self.Item.search(
                self.Item._billable_domain(self.company, date(2026, 3, 31), partners=self.client)
            )
        )

    def test_material_delivered_to_the_project(self):
        picking = self.deliver_to_project(3)
        item = self.item_of(picking.move_ids)
        self.assertRecordValues(
            item,
            [
                {
                    "source": "material",
                    "quantity": 3,
                    "price_unit": 150,
                    "product_id": picking.move_ids.product_id.id,
                }
            ],
        )

    def test_material_delivered_before_the_project_is_sold_stays_billed_here(self):
        """Odoo re-invoices a delivery for a sold project on its order when the
        delivery is validated (sale_project_stock), never later: what was delivered
        before the sale stays billed here; what is delivered after is Odoo's."""
        # Odoo re-invoices deliveries of this operation type on the project's order.
        self.warehouse.out_type_id.analytic_costs = True
        before = self.deliver_to_project(3, expense_policy="sales_price")
        order = self.sell(self.project, self.client)
        self.project.reinvoiced_sale_order_id = order
        self.assertEqual(self.item_of(before.move_ids).state, "to_bill", "billed by nobody else")
        after = self.deliver_to_project(2, expense_policy="sales_price")
        reinvoiced = order.order_line.filtered(lambda sol: sol.product_id == after.product_id)
        self.assertEqual(reinvoiced.qty_delivered, 2, "delivered once sold: on the order")
        self.assertFalse(self.item_of(after.move_ids), "not here too")
        invoice = self.invoice(self.client, invoice_date=before.move_ids.date.date())
        self.assertRecordValues(
            invoice.invoice_line_ids,
            [{"product_id": before.move_ids.product_id.id, "quantity": 3, "price_subtotal": 450}],
        )
        # Returned after the sale, before invoicing: still followed here.
        invoice.button_cancel()
        self.return_from_project(before, 1)
        self.assertEqual(self.item_of(before.move_ids).quantity, 2)

    def test_material_of_a_sold_project_odoo_does_not_reinvoice_is_billed_here(self):
        """Odoo puts a sold project's delivery on its order only when the operation
        type re-invoices costs (Analytic Costs) and the product is re-invoiced
        (sale_project_stock): a router (not re-invoiced, Odoo's default) or a
        delivery of an operation type without analytic costs is billed here, not
        left for nobody to bill."""
        order = self.sell(self.project, self.client)
        self.project.reinvoiced_sale_order_id = order
        lines = order.order_line
        without_costs = self.deliver_to_project(3, expense_policy="sales_price")
        self.warehouse.out_type_id.analytic_costs = True
        router = self.deliver_to_project(2)
        self.assertEqual(order.order_line, lines, "Odoo put neither on the order")
        self.assertEqual(self.item_of(without_costs.move_ids).quantity, 3)
        self.assertEqual(self.item_of(router.move_ids).quantity, 2)

    def test_material_delivered_once_sold_stays_odoos_when_its_order_is_cancelled(self):
        """A delivery validated for a sold project is re-invoiced on its order then
        (sale_project_stock): the order invoiced, then cancelled, the project billed
        here again, that delivery is not billed a second time here."""
        self.warehouse.out_type_id.analytic_costs = True
        order = self.sell(self.project, self.client)
        self.project.reinvoiced_sale_order_id = order
        delivered = self.deliver_to_project(3, expense_policy="sales_price")
        reinvoiced = order.order_line.filtered(lambda sol: sol.product_id == delivered.product_id)
        self.assertEqual(reinvoiced.qty_delivered, 3)
        order._create_invoices().action_post()
        self.assertEqual(reinvoiced.qty_invoiced, 3, "billed by Odoo")
        order.with_context(disable_cancel_warning=True).action_cancel()
        self.project.sale_line_id = False
        self.assertIn(self.project, self.project._invoicera_billable_projects(), "not sold")
        # What makes the delivery's item be looked at again: a return, a new project.
        self.return_from_project(delivered, 1)
        self.assertFalse(self.item_of(delivered.move_ids), "not billed twice")
        delivered.project_id = self.project_eur
        self.assertFalse(self.item_of(delivered.move_ids), "not billed twice")
        # Delivered now that it is not sold: billed here.
        after = self.deliver_to_project(2)
        self.assertEqual(self.item_of(after.move_ids).quantity, 2)

    def test_material_moved_to_a_sold_project_stays_billed_here(self):
        """A delivery validated for a project billed here, then moved to a sold one:
        Odoo re-invoices deliveries when they are validated only, so it is billed here,
        on the project it now belongs to."""
        self.warehouse.out_type_id.analytic_costs = True
        delivered = self.deliver_to_project(3, expense_policy="sales_price")
        order = self.sell(self.project_eur, self.client_eur)
        self.project_eur.reinvoiced_sale_order_id = order
        delivered.project_id = self.project_eur
        self.assertFalse(order.order_line.filtered(lambda sol: sol.product_id.type == "consu"))
        self.assertRecordValues(
            self.item_of(delivered.move_ids),
            [
                {
                    "state": "to_bill",
                    "quantity": 3,
                    "project_id": self.project_eur.id,
                    "partner_id": self.client_eur.id,
                }
            ],
        )

    def test_material_of_sold_projects_flagged_once_at_install(self):
        """Deliveries done before the module knew which Odoo re-invoiced on their
        project's order: those it re-invoices, unless billed here already."""
        self.warehouse.out_type_id.analytic_costs = True
        before = self.deliver_to_project(3, expense_policy="sales_price")
        order = self.sell(self.project, self.client)
        self.project.reinvoiced_sale_order_id = order
        after = self.deliver_to_project(2, expense_policy="sales_price")
        self.assertRecordValues(
            (before | after).move_ids,
            [{"invoicera_sold_project": False}, {"invoicera_sold_project": True}],
        )
        moves = (before | after).move_ids
        moves.invalidate_recordset(["invoicera_sold_project"])
        self.env.cr.execute(
            "UPDATE stock_move SET invoicera_sold_project = FALSE WHERE id IN %s",
            [tuple(moves.ids)],
        )
        self.env["stock.move"]._invoicera_flag_sold_deliveries()
        self.assertEqual(moves.mapped("invoicera_sold_project"), [False, True])
        self.assertEqual(self.item_of(before.move_ids).quantity, 3, "billed here before the sale")
        self.assertFalse(self.item_of(after.move_ids))

    def test_material_returned_before_billing_is_not_billed(self):
        picking = self.deliver_to_project(5)
        self.return_from_project(picking, 2)
        self.assertEqual(self.item_of(picking.move_ids).quantity, 3, "5 delivered, 2 returned")
        self.return_from_project(picking, 3)
        self.assertFalse(self.item_of(picking.move_ids), "all returned: nothing to bill")

    def test_material_returned_after_billing_is_not_billed_again(self):
        """Invoiced, then 2 of 5 returned: a full credit note returns 3 to bill."""
        picking = self.deliver_to_project(5)
        today = picking.move_ids.date.date()
        invoice = self.invoice(self.client, invoice_date=today, post=True)
        self.assertEqual(self.item_of(picking.move_ids).state, "invoiced")
        self.return_from_project(picking, 2)
        self.assertEqual(self.item_of(picking.move_ids).quantity, 5, "invoiced: as billed")
        refund = invoice._reverse_moves([{"invoice_date": today}])
        refund.action_post()
        self.assertRecordValues(
            self.item_of(picking.move_ids), [{"state": "to_bill", "quantity": 3}]
        )

    def test_material_done_quantity_corrected(self):
        """Odoo lets a done delivery's quantity be corrected (unlock, edit): the item
        follows it until invoiced, then the correction waits for a credit note."""
        picking = self.deliver_to_project(3)
        picking.action_toggle_is_locked()
        picking.move_ids.quantity = 5
        self.assertEqual(self.item_of(picking.move_ids).quantity, 5, "5 delivered in the end")
        returned = self.return_from_project(picking, 1)
        returned.action_toggle_is_locked()
        returned.move_ids.quantity = 2
        self.assertEqual(self.item_of(picking.move_ids).quantity, 3, "5 less 2 returned")
        invoice = self.invoice(self.client, invoice_date=picking.move_ids.date.date())
        self.assertEqual(invoice.invoice_line_ids.quantity, 3)
        # (assertRaises: its savepoint drops what the refused write left in cache)
        for correct in (
            lambda: setattr(picking.move_ids, "quantity", 4),
            lambda: setattr(picking.move_ids.move_line_ids[0], "quantity", 1),
            # nor is its return: 1 more delivered would never be billed
            lambda: setattr(returned.move_ids, "quantity", 1),
        ):
            with self.assertRaises(UserError) as refused:
                correct()
            self.assertIn("invoiced and locked", str(refused.exception))
        self.assertEqual(picking.move_ids.quantity, 5)
        self.assertEqual(returned.move_ids.quantity, 2)
        # a return that does not count (not updating quantities) stays correctable
        returned.move_ids.to_refund = False
        self.assertEqual(self.item_of(picking.move_ids).quantity, 3, "invoiced: as billed")
        returned.move_ids.quantity = 1
        self.assertEqual(returned.move_ids.quantity, 1)

    def test_return_to_a_vendor_is_not_billed(self):
        """Goods received for the project and sent back to their vendor: not billed."""
        suppliers = self.env.ref("stock.stock_location_suppliers")
        receipt = self.project_picking(
            self.warehouse.in_type_id, self.vendor, suppliers, self.warehouse.lot_stock_id, 2
        )
        returned = self.return_from_project(receipt, 2)
        self.assertEqual(returned.state, "done")
        self.assertEqual(returned.move_ids.location_dest_id, suppliers)
        self.assertEqual(returned.project_id, self.project, "the return is the project's")
        self.assertFalse(self.item_of(receipt.move_ids | returned.move_ids))

    def test_one_invoice_for_every_source(self):
        self.log_time(self.alice, 2)
        self.approved_expense(100)
        self.vendor_bill(400)
        with freeze_time("2026-03-20"):
            self.env["project.milestone"].create(
                {
                    "name": "Kick-off",
                    "project_id": self.project.id,
                    "invoicera_amount": 1000,
                    "is_reached": True,
                }
            )
        invoice = self.invoice(self.client)
        self.assertEqual(len(invoice), 1)
        self.assertEqual(
            set(self.Item.search([("invoice_id", "=", invoice.id)]).mapped("source")),
            {"time", "expense", "vendor_cost", "milestone"},
        )
        self.assertAlmostEqual(invoice.amount_untaxed, 2 * 90 + 110 + 440 + 1000)

    # ------------------------------------------------------------------
    # Work recorded before its project is billed here
    # ------------------------------------------------------------------
    def record_every_source(self):
        """An expense, a re-billed vendor cost, a reached milestone and a delivery
        of the project; none of them billable yet: the project is not billed."""
        expense = self.approved_expense(200)
        cost = self.vendor_bill(500).invoice_line_ids
        milestone = self.env["project.milestone"].create(
            {"name": "Go-live", "project_id": self.project.id, "invoicera_amount": 5000}
        )
        milestone.is_reached = True
        delivery = self.deliver_to_project(3).move_ids
        work = {
            "expense": expense,
            "vendor_cost": cost,
            "milestone": milestone,
            "material": delivery,
        }
        for source, record in work.items():
            self.assertFalse(self.item_of(record), f"{source}: the project is not billed yet")
        return work

    def assert_billed_to_the_client(self, record, source):
        self.assertRecordValues(
            self.item_of(record),
            [
                {
                    "source": source,
                    "partner_id": self.client.id,
                    "project_id": self.project.id,
                    "state": "to_bill",
                    "active": True,
                }
            ],
        )

    def test_expense_recorded_before_the_project_has_a_client(self):
        self.project.partner_id = False
        expense = self.approved_expense(200)
        self.assertFalse(self.item_of(expense), "no client: not billable")
        self.project.partner_id = self.client
        self.assert_billed_to_the_client(expense, "expense")
        self.assertEqual(self.item_of(expense).price_unit, 220)

    def test_vendor_cost_recorded_before_the_project_has_a_client(self):
        self.project.partner_id = False
        line = self.vendor_bill(500).invoice_line_ids
        self.assertFalse(self.item_of(line), "no client: not billable")
        self.project.partner_id = self.client
        self.assert_billed_to_the_client(line, "vendor_cost")

    def test_milestone_reached_before_the_project_has_a_client(self):
        self.project.partner_id = False
        milestone = self.env["project.milestone"].create(
            {"name": "Go-live", "project_id": self.project.id, "invoicera_amount": 5000}
        )
        milestone.is_reached = True
        self.assertFalse(self.item_of(milestone), "no client: not billable")
        self.project.partner_id = self.client
        self.assert_billed_to_the_client(milestone, "milestone")
        self.assertEqual(self.item_of(milestone).price_unit, 5000)

    def test_material_delivered_before_the_project_has_a_client(self):
        self.project.partner_id = False
        moves = self.deliver_to_project(3).move_ids
        self.assertFalse(self.item_of(moves), "no client: not billable")
        self.project.partner_id = self.client
        self.assert_billed_to_the_client(moves, "material")
        self.assertEqual(self.item_of(moves).quantity, 3)

    def not_billable(self):
        """The project of the client, not billable."""
        self.project.allow_billable = False
        self.project.partner_id = self.client  # Odoo cleared it (sale_project)
        self.assertFalse(self.project._invoicera_billable_projects(sold_too=True))

    def test_work_recorded_before_the_project_is_billable(self):
        self.not_billable()
        work = self.record_every_source()
        self.project.allow_billable = True
        for source, record in work.items():
            self.assert_billed_to_the_client(record, source)
        # Billable no more: the unbilled items leave, and come back once billable.
        self.project.allow_billable = False
        self.assertFalse(self.Item.search([("project_id", "=", self.project.id)]))
        self.project.write({"allow_billable": True, "partner_id": self.client.id})
        self.assertEqual(
            set(self.Item.search([("project_id", "=", self.project.id)]).mapped("source")),
            set(work),
        )

    def test_work_of_a_project_sold_before_it_is_billable(self):
        """A project sold through a sale order becoming billable: each source's
        own rules decide. Its costs are Odoo's to re-invoice; its milestones
        without an order line are billed here, and so is a delivery not validated
        for a sold project (Odoo re-invoices a delivery only when validated)."""
        self.not_billable()
        work = self.record_every_source()
        self.sell(self.project, self.client)
        self.project.allow_billable = True
        for source in ("expense", "vendor_cost"):
            self.assertFalse(self.item_of(work[source]), f"{source}: Odoo's, the project is sold")
        self.assert_billed_to_the_client(work["milestone"], "milestone")
        self.assertFalse(work["material"].invoicera_sold_project)
        self.assert_billed_to_the_client(work["material"], "material")

    def test_costs_follow_the_projects_analytic_account(self):
        """Costs recorded on an analytic account before it becomes the project's are
        billed once it does; those of its former account leave the project."""
        new_account = self.env["account.analytic.account"].create(
            {"name": "Website (new)", "plan_id": self.account.plan_id.id}
        )
        before = self.approved_expense(100)
        expense = self.approved_expense(200, distribution={str(new_account.id): 100})
        self.assertFalse(self.item_of(expense), "not the project's account yet")
        self.project.account_id = new_account
        self.assert_billed_to_the_client(expense, "expense")
        self.assertFalse(self.item_of(before).active, "no longer the project's cost")

    def test_costs_of_an_account_a_new_project_is_made_on(self):
        """A project made on an analytic account that has costs already (bills
        of the work recorded before the project): they are billed, as when the
        account is given to a project later."""
        account = self.env["account.analytic.account"].create(
            {"name": "Rollout", "plan_id": self.account.plan_id.id}
        )
        bill = self.vendor_bill(400, post=False)
        bill.invoice_line_ids.analytic_distribution = {str(account.id): 100}
        bill.action_post()
        self.assertFalse(self.item_of(bill.invoice_line_ids), "no project on the account yet")
        project = self.env["project.project"].create(
            {
                "name": "Rollout",
                "partner_id": self.client.id,
                "allow_billable": True,
                "account_id": account.id,
            }
        )
        item = self.item_of(bill.invoice_line_ids)
        self.assertEqual((item.project_id, item.partner_id), (project, self.client))

    # ------------------------------------------------------------------
    def departments(self):
        """A second analytic plan, Departments, with Sales and Ops."""
        plan = self.env["account.analytic.plan"].create({"name": "Departments"})
        return self.env["account.analytic.account"].create(
            [{"name": name, "plan_id": plan.id} for name in ("Sales", "Ops")]
        )

    def test_cost_split_across_departments_all_on_the_project(self):
        """A cost all on the project, split between two departments (another
        analytic plan), is billed whole, the expense and the vendor cost."""
        sales, ops = self.departments()
        dist = {f"{self.account.id},{sales.id}": 50, f"{self.account.id},{ops.id}": 50}
        expense = self.approved_expense(200, distribution=dist)
        bill = self.vendor_bill(1000, post=False)
        bill.invoice_line_ids.analytic_distribution = dist
        bill.action_post()
        self.assertEqual(self.item_of(expense).price_unit, 220)
        self.assertEqual(self.item_of(bill.invoice_line_ids).price_unit, 550, "2 × 500, +10%")
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.amount_untaxed, 220 + 1100)

    def test_cost_split_across_departments_partly_on_the_project(self):
        """Spread over two plans, a cost bills the project for the sum of its
        parts on the project's account; between two projects, the larger one
        bills it."""
        sales, ops = self.departments()
        other = self.env["project.project"].create(
            {"name": "Catalogue", "partner_id": self.client_eur.id, "allow_billable": True}
        )
        expense = self.approved_expense(
            100,
            distribution={
                f"{self.account.id},{sales.id}": 30,
                f"{self.account.id},{ops.id}": 30,
                f"{other.account_id.id},{sales.id}": 40,
            },
        )
        item = self.item_of(expense)
        self.assertEqual((item.project_id, item.partner_id), (self.project, self.client))
        self.assertAlmostEqual(item.price_unit, 66.0, msg="60% of 100, +10%")

    def test_cost_across_departments_billed_before_the_project_is_sold(self):
        """A cost split across departments billed before its project is sold
        through an order stays billed here, whole."""
        sales, ops = self.departments()
        dist = {f"{self.account.id},{sales.id}": 50, f"{self.account.id},{ops.id}": 50}
        expense = self.approved_expense(200, distribution=dist)
        self.sell(self.project, self.client)
        item = self.item_of(expense)
        self.assertEqual((item.project_id, item.price_unit), (self.project, 220))

    def test_vendor_cost_at_sales_price_bought_by_the_dozen(self):
        """Bought by the dozen, a product sold per unit is billed at its sales
        price for a dozen (as Odoo re-invoices it)."""
        paper = self.dozen_product()
        dozen = self.env.ref("uom.product_uom_dozen")
        bill = self.vendor_bill(100, rebill=False, product=paper, post=False)
        bill.invoice_line_ids.write({"product_uom_id": dozen.id, "quantity": 2, "price_unit": 50})
        bill.action_post()
        item = self.item_of(bill.invoice_line_ids)
        self.assertRecordValues(item, [{"quantity": 2, "uom_id": dozen.id, "price_unit": 120}])
        self.assertEqual(self.invoice(self.client).amount_untaxed, 240)

    def test_a_rate_set_by_hand_follows_a_new_unit_and_currency_at_once(self):
        """50 USD a unit set by hand; the bill corrected to dozens and to EUR: 600 USD
        a dozen, 300 EUR at the bill's day (before: 25 EUR, the unit's change lost
        to the currency's)."""
        paper = self.dozen_product(expense_policy="cost")
        dozen = self.env.ref("uom.product_uom_dozen")
        bill = self.vendor_bill(100, product=paper)
        item = self.item_of(bill.invoice_line_ids)
        item.with_user(self.billing_user).write({"price_unit": 50, "adjustment_reason": "Agreed"})
        bill.button_draft()
        bill.currency_id = self.eur
        bill.invoice_line_ids.write({"product_uom_id": dozen.id, "quantity": 2, "price_unit": 50})
        bill.action_post()
        self.assertRecordValues(
            item, [{"uom_id": dozen.id, "currency_id": self.eur.id, "price_unit": 300}]
        )

    def test_cost_at_sales_price_ignores_quantity_breaks(self):
        """As Odoo re-invoices a cost at sales price: the price of one, whatever
        quantity the pricelist gives a lower price from."""
        paper = self.dozen_product()
        self.env["product.pricelist"].create(
            {
                "name": "Volume",
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": paper.id,
                            "min_quantity": 5,
                            "compute_price": "fixed",
                            "fixed_price": 7,
                        }
                    )
                ],
            }
        )
        self.client.property_product_pricelist = self.env["product.pricelist"].search(
            [("name", "=", "Volume")]
        )
        bill = self.vendor_bill(80, rebill=False, product=paper, post=False)
        bill.invoice_line_ids.write({"quantity": 10, "price_unit": 8})
        bill.action_post()
        self.assertEqual(self.item_of(bill.invoice_line_ids).price_unit, 10)

    def test_expense_at_sales_price_by_the_dozen(self):
        """An expense of a product sold per unit, in dozens: billed at its sales
        price for a dozen."""
        paper = self.dozen_product()
        dozen = self.env.ref("uom.product_uom_dozen")
        expense = self.env["hr.expense"].create(
            {
                "name": "Paper",
                "employee_id": self.alice.id,
                "product_id": paper.id,
                "date": date(2026, 3, 9),
                "analytic_distribution": {str(self.account.id): 100},
            }
        )
        expense.write({"product_uom_id": dozen.id, "quantity": 2})
        sheet = self.env["hr.expense.sheet"].create(
            {"name": "March", "employee_id": self.alice.id, "expense_line_ids": expense.ids}
        )
        sheet.action_submit_sheet()
        sheet.action_approve_expense_sheets()
        item = self.item_of(expense)
        self.assertRecordValues(item, [{"quantity": 2, "uom_id": dozen.id, "price_unit": 120}])

    def test_rebilled_vendor_discount_line(self):
        """A discount on a vendor bill (a negative line marked Re-bill) is not
        billed: like Odoo, which re-invoices costs only. The client's work is
        invoiced still."""
        self.log_time(self.alice, 2)
        bill = self.vendor_bill(500, post=False)
        bill.invoice_line_ids = [
            Command.create(
                {
                    "name": "Volume discount",
                    "quantity": 1,
                    "price_unit": -100,
                    "tax_ids": False,
                    "analytic_distribution": {str(self.account.id): 100},
                    "invoicera_rebill": True,
                }
            )
        ]
        bill.action_post()
        discount = bill.invoice_line_ids.filtered(lambda line: line.price_subtotal < 0)
        self.assertFalse(self.item_of(discount))
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.amount_untaxed, 180 + 550)

    def test_negative_expense_is_not_billed(self):
        """A negative expense (a refund) is not billed; the client's work is."""
        self.log_time(self.alice, 2)
        refund = self.approved_expense(-50)
        self.assertFalse(self.item_of(refund))
        self.assertEqual(self.invoice(self.client).amount_untaxed, 180)
