from datetime import date, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestEngineIntegratorApi(CostSourcesCase):
    """What the README promises an integrator of the engine: a source's hooks
    get its own items, ``_invoice`` creates nothing when it refuses, whatever
    the clients, and takes the invoice date as a string too."""

    def test_a_source_hook_gets_its_own_items(self):
        """A client's time and expense invoiced, then cancelled: the expense
        source's hooks get the expense's item, not the time's (a hook reading
        its records by ``source_id`` would have changed others)."""
        time = self.item_of(self.log_time(self.alice, 2))
        expense = self.item_of(self.approved_expense(80))
        Expense = type(self.env["hr.expense"])
        given = {}

        def record(hook):
            original = getattr(Expense, hook)

            def hook_spy(records, items):
                given[hook] = items
                return original(records, items)

            return hook_spy

        with (
            patch.object(Expense, "_invoicera_on_invoiced", record("_invoicera_on_invoiced")),
            patch.object(Expense, "_invoicera_on_released", record("_invoicera_on_released")),
        ):
            invoice = self.invoice(self.client)
            self.assertEqual(set((time | expense).mapped("state")), {"invoiced"})
            invoice.button_cancel()
        self.assertEqual(given["_invoicera_on_invoiced"], expense)
        self.assertEqual(given["_invoicera_on_released"], expense)
        self.assertEqual(set((time | expense).mapped("state")), {"to_bill"})

    def test_refused_for_one_client_invoices_none(self):
        """Items of two clients, one of them refused (its only item at a zero
        rate): ``_invoice`` raises and invoices neither client."""
        client, project = self.third_client()
        good = self.item_of(self.log_time(self.alice, 2))
        bad = self.item_of(self.log_time(self.bob, 1, project=project))
        bad.write({"price_unit": 0, "adjustment_reason": "Goodwill"})
        with self.assertRaisesRegex(UserError, "zero or negative rate"):
            (good | bad)._invoice(self.company, date(2026, 3, 31))
        self.assertEqual(set((good | bad).mapped("state")), {"to_bill"})
        self.assertFalse(
            self.env["account.move"].search(
                [
                    ("partner_id", "in", (self.client | client).ids),
                    ("move_type", "=", "out_invoice"),
                ]
            )
        )

    def test_invoice_date_as_a_string(self):
        """The invoice date given as a string (as the README's run does) refuses
        an item deferred past it with the engine's message, not a TypeError."""
        item = self.item_of(self.log_time(self.alice, 2))
        until = fields.Date.context_today(item) + timedelta(days=20)
        item.action_defer(until)
        day = until - timedelta(days=10)
        with self.assertRaisesRegex(UserError, "deferred to after the invoice date"):
            item._invoice(self.company, fields.Date.to_string(day))
        item.action_include()
        invoice = item._invoice(self.company, fields.Date.to_string(day))
        self.assertEqual(invoice.invoice_date, day)
