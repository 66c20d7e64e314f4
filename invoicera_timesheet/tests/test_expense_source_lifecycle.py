from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestExpenseSourceLifecycle(CostSourcesCase):
    """Who bills an expense once its report is posted (Odoo on a sale order, or
    Invoicera), costs recorded while their product was not re-invoiced, and an
    invoiced expense's rate corrected."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        consulting = cls.env["product.product"].create(
            {"name": "Consulting", "type": "service", "list_price": 1000}
        )
        # an order of the client, not of the project (which stays billed here)
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.client.id,
                "order_line": [Command.create({"product_id": consulting.id})],
            }
        )
        cls.order.action_confirm()
        cls.expense_manager = new_test_user(
            cls.env,
            login="expense_manager",
            groups="base.group_user,hr_expense.group_hr_expense_manager",
        )

    def reinvoiced_line(self):
        """The line Odoo adds to the order for an expense re-invoiced on it."""
        return self.order.order_line.filtered("is_expense")

    def posted_expense(self, amount, **vals):
        """An expense of ``amount`` for the project, its report approved and posted."""
        expense = self.approved_expense(amount, **vals)
        expense.sheet_id.action_sheet_move_post()
        self.assertEqual(expense.sheet_id.state, "post")
        return expense

    # ------------------------------------------------------------------
    def test_order_cleared_once_posted_is_refused(self):
        """Posted with a Customer to Reinvoice, the expense is on the order
        (delivered 1 × 200): clearing the order on the expense (the list allows
        it) is refused, naming the expense, and the order alone bills it. Before:
        allowed, Invoicera billed it too (220 with the markup) beside the order."""
        expense = self.posted_expense(200, sale_order_id=self.order.id)
        self.assertRecordValues(self.reinvoiced_line(), [{"qty_delivered": 1, "price_unit": 200}])
        self.assertFalse(self.item_of(expense))
        with self.assertRaisesRegex(UserError, "journal entry of these expenses is posted") as e:
            expense.with_user(self.expense_manager).sale_order_id = False
        self.assertIn("Alice Dev · 03/09/2026 · Train to client", str(e.exception))
        self.assertEqual(expense.sale_order_id, self.order)
        self.assertFalse(self.item_of(expense), "billed once, on the order")
        self.assertFalse(self.invoice(self.client))

    def test_order_set_once_posted_is_refused(self):
        """Posted without a Customer to Reinvoice, the expense is billed here:
        setting an order on it afterwards is refused (Odoo would add nothing to
        the order) and it stays to bill. Before: allowed, its item was archived
        and nothing billed the expense."""
        expense = self.posted_expense(200)
        self.assertEqual(self.item_of(expense).state, "to_bill")
        with self.assertRaisesRegex(UserError, "journal entry of these expenses is posted"):
            expense.with_user(self.expense_manager).sale_order_id = self.order
        self.assertFalse(self.reinvoiced_line())
        self.assertRecordValues(self.item_of(expense), [{"state": "to_bill", "active": True}])
        self.assertEqual(self.invoice(self.client).amount_untaxed, 220)

    def test_order_changed_while_the_entry_is_reset_to_draft(self):
        """Odoo's way to change who re-invoices a posted expense: its journal
        entry reset to draft (the order delivers it no more), the order changed
        (with the project's analytic account, which Odoo replaces by the
        order's), posted again. Set so, the order bills it and Invoicera leaves
        it; cleared so, Invoicera bills it and the order delivers nothing."""
        on_project = {str(self.account.id): 100}
        expense = self.posted_expense(200)
        entry = expense.sheet_id.account_move_ids
        entry.button_draft()
        expense.write({"sale_order_id": self.order.id, "analytic_distribution": on_project})
        self.assertFalse(self.item_of(expense), "to be the order's")
        entry.action_post()
        self.assertEqual(self.reinvoiced_line().qty_delivered, 1)
        self.assertFalse(self.item_of(expense))

        entry.button_draft()
        self.assertEqual(self.reinvoiced_line().qty_delivered, 0)
        expense.write({"sale_order_id": False, "analytic_distribution": on_project})
        entry.action_post()
        self.assertEqual(self.reinvoiced_line().qty_delivered, 0)
        self.assertRecordValues(self.item_of(expense), [{"state": "to_bill", "price_unit": 220}])
        self.assertEqual(self.invoice(self.client).amount_untaxed, 220)

    def test_posted_expense_stays_the_order_s_when_odoo_clears_its_order(self):
        """Its product re-invoiced no more, Odoo clears the Customer to Reinvoice
        of its expenses, posted ones too; re-invoiced at cost again, an expense
        posted on the order is still the order's (delivered there): not billed
        here too, as Odoo's order line on its analytic entry says."""
        expense = self.posted_expense(200, sale_order_id=self.order.id)
        self.travel.product_tmpl_id.expense_policy = "no"
        self.assertFalse(expense.sale_order_id, "cleared by Odoo")
        self.travel.product_tmpl_id.expense_policy = "cost"
        self.assertEqual(self.reinvoiced_line().qty_delivered, 1)
        self.assertFalse(self.item_of(expense).filtered("active"))

    def test_costs_recorded_while_not_re_invoiced_are_billed_once_they_are(self):
        """Train tickets not re-invoiced (Re-Invoice: No) when expensed and bought:
        nothing to bill. Re-invoiced at cost, the approved expense, the posted
        one and the posted vendor bill line are billed, once each. Before: only
        the work already with an item followed; these had none."""
        self.travel.product_tmpl_id.expense_policy = "no"
        approved = self.approved_expense(80)
        posted = self.posted_expense(200)
        bill_line = self.vendor_bill(300, rebill=False, product=self.travel).invoice_line_ids
        draft_line = self.vendor_bill(50, rebill=False, product=self.travel, post=False)
        self.assertFalse(self.Item.search([("partner_id", "=", self.client.id)]))
        self.travel.product_tmpl_id.expense_policy = "cost"
        self.assertEqual(self.item_of(approved).price_unit, 88)
        self.assertEqual(self.item_of(posted).price_unit, 220)
        self.assertEqual(self.item_of(bill_line).price_unit, 165, "150 a unit and the markup")
        self.assertFalse(self.item_of(draft_line.invoice_line_ids), "a draft bill is no cost")
        self.assertEqual(len(self.Item.search([("partner_id", "=", self.client.id)])), 3)
        # changed again: the same items, not new ones
        self.travel.product_tmpl_id.write({"expense_policy": "sales_price", "list_price": 30})
        self.travel.product_tmpl_id.expense_policy = "cost"
        self.assertEqual(len(self.Item.search([("partner_id", "=", self.client.id)])), 3)
        self.assertEqual(self.invoice(self.client).amount_untaxed, 88 + 220 + 330)

    def test_invoiced_foreign_expense_s_rate_corrected(self):
        """100 € spent, invoiced (110 € with the markup); the report still
        approved, the expense manager records the actual rate: 190 $ instead of
        200 $. Allowed: what is billed, the euros, does not change. The euros
        stay locked. Before: refused, "invoiced and locked"."""
        expense = self.approved_expense(100, currency_id=self.eur.id)
        self.assertEqual(expense.total_amount, 200)
        item = self.item_of(expense)
        self.invoice(self.client)
        self.assertEqual(item.state, "invoiced")
        expense.with_user(self.expense_manager).total_amount = 190
        self.assertRecordValues(
            expense, [{"total_amount": 190, "total_amount_currency": 100, "currency_rate": 1.9}]
        )
        self.assertRecordValues(item, [{"state": "invoiced", "price_unit": 110}])
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            expense.with_user(self.expense_manager).total_amount_currency = 90
