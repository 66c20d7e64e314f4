import json

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.invoicera_timesheet import hooks

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestReinstall(CostSourcesCase):
    """Uninstalled, the addon takes the items of its sources with it; installed
    again, what was decided on them comes back with them: work an invoice bills
    is not offered to bill again, work written off stays so, hours edited keep
    their reason. (``tests/test_install.py`` uninstalls and installs the addon
    for real.)"""

    def reinstall(self, meanwhile=None):
        """Uninstall the addon (its hook, then its items deleted as Odoo deletes
        them with their source's selection value), run ``meanwhile``, install it
        again (its hook)."""
        hooks.uninstall_hook(self.env)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "DELETE FROM invoicera_billable_item WHERE source IN %s",
                tuple(hooks.SOURCE_CODES),
            )
        )
        self.env.invalidate_all()
        if meanwhile:
            meanwhile()
        hooks.post_init_hook(self.env)
        self.env.flush_all()
        self.env.invalidate_all()

    def kept(self):
        return self.env["ir.attachment"].search([("name", "=", hooks.KEPT_ITEMS)])

    def test_billed_and_decided_work_comes_back_as_left(self):
        time = self.log_time(self.alice, 3)
        expense = self.approved_expense(200)
        with freeze_time("2026-03-20 10:00:00"):
            routers = self.deliver_to_project(2).move_ids
        invoice = self.invoice(self.client, post=True)
        billed = self.item_of(time) | self.item_of(expense) | self.item_of(routers)
        lines = billed.mapped("invoice_line_id")
        self.assertEqual(billed.mapped("state"), ["invoiced"] * 3)
        # decided afterwards: an expense written off, hours written down
        refused = self.approved_expense(80, name="Taxi")
        self.item_of(refused).action_write_off("Goodwill")
        edited = self.log_time(self.bob, 2)
        self.item_of(edited).write({"quantity": 1.5, "adjustment_reason": "Learning"})

        self.reinstall()

        self.assertFalse(self.kept(), "used once")
        for source, line in zip((time, expense, routers), lines, strict=True):
            self.assertRecordValues(
                self.item_of(source),
                [{"state": "invoiced", "invoice_line_id": line.id, "invoice_id": invoice.id}],
            )
        self.assertRecordValues(
            self.item_of(refused), [{"state": "written_off", "write_off_reason": "Goodwill"}]
        )
        self.assertRecordValues(
            self.item_of(edited),
            [
                {
                    "state": "to_bill",
                    "worked_quantity": 2,
                    "quantity": 1.5,
                    "quantity_manual": True,
                    "adjustment_reason": "Learning",
                }
            ],
        )
        # what is left to bill: Bob's 1.5 h at 60, not the expense, time and
        # routers already invoiced nor the taxi written off
        self.assertEqual(self.invoice(self.client).amount_untaxed, 90)
        # the invoice cancelled, its work is to bill again (time included)
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(
            (self.item_of(time) | self.item_of(expense) | self.item_of(routers)).mapped("state"),
            ["to_bill"] * 3,
        )

    def test_work_of_an_invoice_cancelled_meanwhile_is_to_bill(self):
        """A draft cancelled while the addon was not installed: its expense and
        time are to bill again, with their edits."""
        time = self.log_time(self.alice, 3)
        self.item_of(time).write({"price_unit": 100, "adjustment_reason": "Senior rate"})
        expense = self.approved_expense(200)
        draft = self.invoice(self.client)
        self.assertEqual(draft.amount_untaxed, 520)

        self.reinstall(meanwhile=draft.button_cancel)

        self.assertRecordValues(
            self.item_of(time) | self.item_of(expense),
            [
                {"state": "to_bill", "invoice_line_id": False, "price_unit": 100},
                {"state": "to_bill", "invoice_line_id": False, "price_unit": 220},
            ],
        )
        # the draft remembers its work went back to bill: not posted again
        self.assertTrue(draft.invoicera_items_released)
        self.assertFalse(draft.show_reset_to_draft_button)
        self.assertEqual(self.invoice(self.client).amount_untaxed, 520)

    def test_work_of_an_invoice_credited_in_full_meanwhile_is_to_bill(self):
        """Paid in part, then credited in full while the addon was not installed
        (Odoo does not call it reversed: the credit note is not reconciled with
        it): its work is to bill again, once."""
        expense = self.approved_expense(200)
        invoice = self.invoice(self.client, post=True)
        self.pay(invoice, amount=50)

        def credit():
            invoice._reverse_moves([{"invoice_date": invoice.invoice_date}]).action_post()

        self.reinstall(meanwhile=credit)

        self.assertNotEqual(invoice.payment_state, "reversed")
        self.assertRecordValues(
            self.item_of(expense), [{"state": "to_bill", "invoice_line_id": False}]
        )
        self.assertTrue(invoice.invoicera_items_released)
        self.assertEqual(self.invoice(self.client).amount_untaxed, 220)

    def test_work_of_an_invoice_credited_in_part_then_cancelled_meanwhile_stays_billed(self):
        """Credited in part, then cancelled while the addon was not installed
        (installed, it refuses that): its work stays on it, not billed again in
        full while the client keeps the credit, and the invoice says what to do."""
        expense = self.approved_expense(200)
        self.log_time(self.alice, 2)
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(invoice.amount_untaxed, 400)

        def credit_in_part_then_cancel():
            credit_note = invoice._reverse_moves([{"invoice_date": invoice.invoice_date}])
            credit_note.invoice_line_ids.filtered("quantity")[0].unlink()
            credit_note.action_post()
            invoice.button_draft()
            invoice.button_cancel()

        self.reinstall(meanwhile=credit_in_part_then_cancel)

        self.assertEqual(invoice.state, "cancel")
        self.assertRecordValues(self.item_of(expense), [{"state": "invoiced"}])
        self.assertFalse(self.invoice(self.client))
        self.assertIn("credited part of it", invoice.message_ids[0].body)

    def test_client_approval_as_its_project_asks_now(self):
        """Work edited before its project asked its client is pending once it
        does; work the client disputed stays disputed, with the client's
        comment, once its project asks no more (settled by asking again)."""
        edited = self.log_time(self.alice, 3)
        self.item_of(edited).write({"quantity": 2, "adjustment_reason": "Learning"})
        self.project_eur.invoicera_client_approval = True
        disputed = self.log_time(self.bob, 2, project=self.project_eur)
        self.item_of(disputed)._client_decide("disputed", self.client_eur, "Not ours")

        def switch():
            self.project.invoicera_client_approval = True
            self.project_eur.invoicera_client_approval = False

        self.reinstall(meanwhile=switch)

        self.assertRecordValues(
            self.item_of(edited) | self.item_of(disputed),
            [
                {"quantity": 2, "client_approval": "pending", "client_comment": False},
                {"quantity": 2, "client_approval": "disputed", "client_comment": "Not ours"},
            ],
        )

    def test_work_no_longer_billable_meanwhile_is_not_billed(self):
        """An expense whose report was refused while the addon was not installed:
        its item, written down before, comes back archived, not to bill."""
        expense = self.approved_expense(200)
        self.item_of(expense).write({"price_unit": 150, "adjustment_reason": "Capped"})

        self.reinstall(meanwhile=lambda: expense.sheet_id._do_refuse("Not a business trip"))

        self.assertFalse(self.item_of(expense))
        archived = self.Item.with_context(active_test=False).search(
            [("source_model", "=", "hr.expense"), ("source_id", "=", expense.id)]
        )
        self.assertRecordValues(archived, [{"active": False, "price_unit": 150}])
        self.assertFalse(self.invoice(self.client))

    def test_only_what_was_decided_is_kept(self):
        """Work to bill as its source says is made again from it, not kept."""
        plain = self.log_time(self.alice, 3)
        internal = self.log_time(self.bob, 1)
        self.item_of(internal).action_write_off("Internal meeting")
        hooks.uninstall_hook(self.env)
        kept = {
            (row["source_model"], row["source_id"]) for row in json.loads(self.kept().raw)["items"]
        }
        self.assertIn(("account.analytic.line", internal.id), kept)
        self.assertNotIn(("account.analytic.line", plain.id), kept)
