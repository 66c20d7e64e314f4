from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestInvoicing(InvoiceraTimesheetCase):
    """Items become invoices: grouping, amounts, locking, returning to unbilled."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line_a1 = cls.log_time(cls.alice, 2, day="2026-03-02", task=cls.task, name="Mock-ups")
        cls.line_a2 = cls.log_time(cls.alice, 3, day="2026-03-03", task=cls.task, name="Review")
        cls.line_b1 = cls.log_time(cls.bob, 4, day="2026-03-04", name="Logo")

    def test_one_invoice_per_client_with_a_line_per_rate(self):
        invoice = self.invoice(self.client)
        self.assertEqual(len(invoice), 1)
        self.assertRecordValues(
            invoice,
            [
                {
                    "partner_id": self.client.id,
                    "currency_id": self.usd.id,
                    "invoice_date": date(2026, 3, 31),
                    "state": "draft",
                    "amount_untaxed": 5 * 90 + 4 * 60,
                }
            ],
        )
        lines = invoice.invoice_line_ids.sorted("price_unit")
        self.assertEqual(lines.mapped("quantity"), [4, 5])
        self.assertEqual(lines.mapped("price_unit"), [60, 90])
        self.assertIn("Website", lines[0].name)
        self.assertEqual(lines.product_id, self.service)
        self.assertEqual(lines[0].analytic_distribution, {str(self.project.account_id.id): 100})
        items = self.item_of(self.line_a1 | self.line_a2 | self.line_b1)
        self.assertEqual(set(items.mapped("state")), {"invoiced"})
        self.assertEqual(items.invoice_id, invoice)
        self.assertEqual(invoice.invoicera_item_count, 3)
        # Odoo's own marker of invoiced time is set: the timesheets are read-only.
        self.assertEqual((self.line_a1 | self.line_b1).timesheet_invoice_id, invoice)

    def test_detail_per_item(self):
        self.client.invoicera_invoice_detail = "item"
        invoice = self.invoice(self.client)
        self.assertEqual(len(invoice.invoice_line_ids), 3)
        self.assertEqual(
            invoice.invoice_line_ids.sorted("sequence").mapped("name"),
            [
                "03/02/2026 · Alice Dev · Mock-ups",
                "03/03/2026 · Alice Dev · Review",
                "03/04/2026 · Bob Design · Logo",
            ],
        )

    def test_the_clients_settings_of_the_invoicing_company(self):
        """A client's line detail and annex are set per company: a user working in
        another company who invoices this one's work gets this company's settings."""
        other = self.env["res.company"].create({"name": "Northbridge Labs"})
        self.env.user.company_ids |= other
        self.client.invoicera_invoice_detail = "item"
        self.client.invoicera_annex_detail = "none"
        self.assertNotEqual(self.client.with_company(other).invoicera_invoice_detail, "item")
        items = self.Item.search(
            self.Item._billable_domain(self.company, date(2026, 3, 31), partners=self.client)
        )
        invoice = items.with_company(other)._invoice(self.company, date(2026, 3, 31))
        self.assertEqual(len(invoice.invoice_line_ids), 3, "one line per item")
        self.assertEqual(invoice.with_company(other)._invoicera_annex_detail(), "none")

    def test_the_invoice_address_of_the_invoicing_company(self):
        """A client shared by two companies with an invoice address in each: its
        invoice from one company goes to that company's address (and its
        delivery address is that company's too), whichever companies the user
        has checked. Before, with both checked, the other company's address
        came first and the client was refused ("Incompatible companies")."""
        europe = self.euro_company()
        self.billing_user.company_ids |= europe
        Partner = self.env["res.partner"]
        contact = {"parent_id": self.client.id, "company_id": europe.id}
        Partner.create(
            [
                dict(contact, name="A AP for Europe", type="invoice"),
                dict(contact, name="A Warehouse for Europe", type="delivery"),
            ]
        )
        contact["company_id"] = self.company.id
        home, warehouse = Partner.create(
            [
                dict(contact, name="Z AP for home", type="invoice"),
                dict(contact, name="Z Warehouse for home", type="delivery"),
            ]
        )
        items = self.Item.search(
            self.Item._billable_domain(self.company, date(2026, 3, 31), partners=self.client)
        )
        invoice = (
            items.with_user(self.billing_user)
            .with_context(allowed_company_ids=[self.company.id, europe.id])
            ._invoice(self.company, date(2026, 3, 31))
        )
        self.assertEqual(invoice.partner_id, home)
        self.assertEqual(invoice.partner_shipping_id, warehouse)

    def test_one_invoice_per_project(self):
        other = self.env["project.project"].create(
            {"name": "Mobile", "partner_id": self.client.id, "allow_billable": True}
        )
        self.log_time(self.bob, 1, project=other)
        self.assertEqual(len(self.invoice(self.client)), 1)

    def test_one_invoice_per_project_when_asked(self):
        self.client.invoicera_invoice_per_project = True
        other = self.env["project.project"].create(
            {"name": "Mobile", "partner_id": self.client.id, "allow_billable": True}
        )
        self.log_time(self.bob, 1, project=other)
        invoices = self.invoice(self.client)
        self.assertEqual(len(invoices), 2)
        self.assertEqual(set(invoices.mapped("invoice_origin")), {"Website", "Mobile"})

    def test_rates_converted_at_the_invoice_date(self):
        """A USD rate billed to a EUR client: converted at the invoice date's rate."""
        self.log_time(self.alice, 10, project=self.project_eur, day="2026-03-05")
        march = self.invoice(self.client_eur, invoice_date=date(2026, 3, 31))
        self.assertEqual(march.currency_id, self.eur)
        self.assertAlmostEqual(march.amount_untaxed, 10 * 90 * 0.5)
        march.unlink()
        april = self.invoice(self.client_eur, invoice_date=date(2026, 4, 15))
        self.assertAlmostEqual(april.amount_untaxed, 10 * 90 * 0.8)

    def test_cut_off_date(self):
        invoice = self.invoice(self.client, invoice_date=date(2026, 3, 3))
        self.assertEqual(sum(invoice.invoice_line_ids.mapped("quantity")), 5, "only up to Mar 3")
        self.assertEqual(self.item_of(self.line_b1).state, "to_bill")

    @freeze_time("2026-03-31")  # deferred to a date to come
    def test_excluded_written_off_and_deferred_items_stay_out(self):
        self.item_of(self.line_a1).action_exclude()
        self.item_of(self.line_a2).action_write_off("Internal review")
        self.item_of(self.line_b1).action_defer(date(2026, 4, 1))
        self.assertFalse(self.invoice(self.client))
        april = self.invoice(self.client, invoice_date=date(2026, 4, 2))
        self.assertEqual(april.invoice_line_ids.quantity, 4, "deferred until April 1st")

    def test_an_exclusion_outlives_the_project_not_billing_for_a_while(self):
        self.item_of(self.line_a1).action_exclude()
        self.project.allow_billable = False
        self.assertFalse(self.item_of(self.line_a1))
        self.project.allow_billable = True
        self.assertEqual(self.item_of(self.line_a1).state, "excluded")
        invoice = self.invoice(self.client)
        self.assertEqual(sum(invoice.invoice_line_ids.mapped("quantity")), 7, "all but Mock-ups")

    def test_invoiced_items_and_time_are_locked(self):
        self.invoice(self.client)
        item = self.item_of(self.line_a1)
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            item.write({"quantity": 1, "adjustment_reason": "late"})
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            self.line_a1.unit_amount = 7
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            self.line_a1.unlink()
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            item.action_exclude()
        self.line_a1.name = "Mock-ups v2"  # a label change is harmless
        self.assertEqual(item.name, "Mock-ups")

    def test_the_invoice_of_billed_work_keeps_its_client(self):
        """A draft invoice of billed work goes to another contact of the client, never
        to another client: its work and its time annex are the client's."""
        invoice = self.invoice(self.client)
        accounting = self.env["res.partner"].create(
            {"name": "Acme Accounts Payable", "type": "invoice", "parent_id": self.client.id}
        )
        invoice.partner_id = accounting
        self.assertEqual(invoice.commercial_partner_id, self.client)
        with self.assertRaisesRegex(
            UserError, f"{invoice.display_name} bills work of Acme Analytics"
        ):
            invoice.partner_id = self.client_eur
        self.assertEqual(invoice.partner_id, accounting)

    def test_the_invoice_of_billed_work_keeps_its_currency_and_lines(self):
        """Odoo keeps a line's price when the invoice's currency changes, and prices a
        line again given another product or unit: 90 an hour would become 90 in
        another currency, or the price of a day."""
        invoice = self.invoice(self.client)
        other = self.client_eur.property_product_pricelist.currency_id
        self.assertNotEqual(other, invoice.currency_id)
        with self.assertRaisesRegex(UserError, "its currency stays"):
            invoice.currency_id = other
        line = invoice.invoice_line_ids[0]
        price = line.price_unit
        for vals in (
            {"product_uom_id": self.env.ref("uom.product_uom_day").id},
            {"product_id": self.env["product.product"].create({"name": "Other"}).id},
        ):
            with self.assertRaisesRegex(UserError, "product, quantity, unit and price"):
                line.write(vals)
        self.assertEqual(line.price_unit, price)
        # the same values written again change nothing: accepted
        line.write(
            {
                "product_id": line.product_id.id,
                "product_uom_id": line.product_uom_id.id,
                "quantity": line.quantity,
                "price_unit": line.price_unit,
            }
        )
        invoice.invoice_date = date(2026, 4, 1)  # the rest of the draft stays editable

    def test_a_credit_note_in_another_currency_credits_by_its_value(self):
        """A credit note made in another currency credits what it is worth: the same
        figures in forints do not credit an invoice in dollars in full."""
        huf = self.env.ref("base.HUF")
        huf.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": huf.id, "name": "2026-01-01", "rate": 400}
        )
        invoice = self.invoice(self.client, post=True)
        credit = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        credit.currency_id = huf
        self.assertEqual(credit.amount_total, invoice.amount_total)
        credit.action_post()
        self.assertEqual(self.item_of(self.line_a1).state, "invoiced", "not credited in full")

    def test_the_draft_of_billed_work_stays_an_invoice(self):
        """Switched into a credit note, the draft would credit the client for the work
        it bills, and keep that work locked as invoiced."""
        invoice = self.invoice(self.client)
        with self.assertRaisesRegex(
            UserError, f"{invoice.display_name} bills work from Billing ▸ Unbilled Work"
        ):
            invoice.action_switch_move_type()
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(self.item_of(self.line_a1).invoice_id, invoice)
        # Cancelled, it gives its work back; a draft without billed work switches.
        invoice.button_cancel()
        self.assertEqual(self.item_of(self.line_a1).state, "to_bill")
        other = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_line_ids": [Command.create({"name": "Goodwill", "price_unit": 10})],
            }
        )
        other.action_switch_move_type()
        self.assertEqual(other.move_type, "out_refund")

    def test_the_engines_context_flags_unlock_nothing_for_a_caller(self):
        """A context comes from RPC too: the flags the engine writes with skip no check."""
        self.invoice(self.client)
        item = self.item_of(self.line_a1).with_user(self.billing_user)
        timesheet_admin = new_test_user(
            self.env,
            login="timesheet_admin",
            groups="base.group_user,hr_timesheet.group_timesheet_manager",
        )
        line = self.line_a1.with_user(timesheet_admin)
        for flag in ("invoicera_sync", "invoicera_engine"):
            with self.assertRaisesRegex(UserError, "invoiced and locked"):
                item.with_context(**{flag: True}).write({"quantity": 1})
            with self.assertRaisesRegex(UserError, "invoiced and locked"):
                line.with_context(**{flag: True}).write({"unit_amount": 7})
        self.assertEqual(item.quantity, 2)
        self.assertEqual(self.line_a1.unit_amount, 2)

    def test_what_the_engine_sets_is_not_written_by_hand(self):
        """Status, invoice, client approval, audit: set by the engine and the buttons."""
        item = self.item_of(self.line_b1).with_user(self.billing_user)
        for vals in (
            {"client_approval": "approved"},
            {
                "state": "invoiced",
                "invoice_line_id": self.env["account.move.line"].search([], limit=1).id,
            },
            {"audit_flagged": False},
            # from the source: another client, product or currency would bill the
            # work to someone else or at another value
            {"partner_id": self.client_eur.id},
            {"product_id": self.env["product.product"].create({"name": "Other"}).id},
            {"currency_id": self.client_eur.property_product_pricelist.currency_id.id},
        ):
            with self.assertRaisesRegex(UserError, "set by the billing engine"):
                item.write(vals)
        item.write({"quantity": 5, "adjustment_reason": "Agreed"})
        self.assertEqual(item.state, "to_bill")
        self.assertEqual(item.quantity, 5)

    def test_never_billed_twice(self):
        first = self.invoice(self.client)
        self.assertTrue(first)
        self.assertFalse(self.invoice(self.client), "nothing left to bill")
        items = self.item_of(self.line_a1)
        with self.assertRaisesRegex(UserError, "not to bill"):
            items._invoice(self.company, date(2026, 3, 31))

    def test_deleting_the_draft_returns_items(self):
        invoice = self.invoice(self.client)
        invoice.unlink()
        items = self.item_of(self.line_a1 | self.line_a2 | self.line_b1)
        self.assertEqual(set(items.mapped("state")), {"to_bill"})
        self.assertFalse(self.line_a1.timesheet_invoice_id)
        self.line_a1.unit_amount = 2.5  # unlocked again
        self.assertEqual(len(self.invoice(self.client)), 1)

    def test_removing_a_line_from_the_draft_returns_its_items(self):
        invoice = self.invoice(self.client)
        bob_line = invoice.invoice_line_ids.filtered(lambda line: line.price_unit == 60)
        invoice.write({"invoice_line_ids": [Command.delete(bob_line.id)]})
        self.assertEqual(self.item_of(self.line_b1).state, "to_bill")
        self.assertEqual(self.item_of(self.line_a1).state, "invoiced")

    def test_the_quantity_and_price_of_billed_work_stay_those_of_the_work(self):
        """On a draft (here reset to draft) the lines billing work keep the hours and
        rate of the items their time annex lists; the label and a discount may change."""
        invoice = self.invoice(self.client, post=True)
        invoice.button_draft()
        line = invoice.invoice_line_ids.filtered(lambda line: line.price_unit == 60)
        for vals in ({"quantity": line.quantity + 2}, {"price_unit": 75}):
            with self.assertRaisesRegex(UserError, "bill work from Billing ▸ Unbilled Work"):
                invoice.write({"invoice_line_ids": [Command.update(line.id, vals)]})
        self.assertEqual((line.quantity, line.price_unit), (4, 60))
        invoice.write(
            {
                "invoice_line_ids": [
                    Command.update(line.id, {"name": "Design, March", "discount": 10}),
                    Command.create({"name": "Travel", "quantity": 1, "price_unit": 40}),
                ]
            }
        )
        self.assertEqual(line.price_subtotal, 216)
        invoice.action_post()
        self.assertEqual(invoice.amount_untaxed, 5 * 90 + 216 + 40)

    def test_cancelling_returns_items(self):
        invoice = self.invoice(self.client, post=True)
        invoice.button_draft()
        invoice.button_cancel()
        self.assertEqual(
            set(self.item_of(self.line_a1 | self.line_b1).mapped("state")), {"to_bill"}
        )
        # Its work is to bill again: the cancelled invoice cannot come back
        # to draft beside the invoice that will bill it.
        with self.assertRaisesRegex(UserError, "Unbilled Work"):
            invoice.button_draft()
        self.assertEqual(invoice.state, "cancel")
        self.assertEqual(len(self.invoice(self.client)), 1)

    def test_cancelled_invoice_without_items_goes_back_to_draft(self):
        """Only invoices whose items went back to unbilled are kept cancelled."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client.id,
                "invoice_line_ids": [Command.create({"name": "Advice", "price_unit": 100})],
            }
        )
        invoice.button_cancel()
        invoice.button_draft()
        self.assertEqual(invoice.state, "draft")

    def test_full_credit_note_returns_items_partial_does_not(self):
        invoice = self.invoice(self.client, post=True)
        partial = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        partial.invoice_line_ids[0].quantity = 1
        partial.action_post()
        self.assertEqual(
            self.item_of(self.line_a1).state, "invoiced", "partial credit: still billed"
        )
        full = invoice._reverse_moves([{"invoice_date": date(2026, 4, 3)}])
        full.action_post()
        self.assertEqual(
            set(self.item_of(self.line_a1 | self.line_a2 | self.line_b1).mapped("state")),
            {"to_bill"},
        )

    def test_partial_credit_notes_crediting_the_whole_invoice_return_items(self):
        invoice = self.invoice(self.client, post=True)
        first = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        first.invoice_line_ids.price_unit = 0
        first.invoice_line_ids[0].price_unit = 100
        first.action_post()
        self.assertEqual(self.item_of(self.line_a1).state, "invoiced", "100 credited: billed")
        rest = invoice.amount_total - first.amount_total
        second = invoice._reverse_moves([{"invoice_date": date(2026, 4, 3)}])
        second.invoice_line_ids.price_unit = 0
        second.invoice_line_ids[0].price_unit = rest
        second.action_post()
        self.assertEqual(invoice.amount_residual, 0)
        self.assertEqual(
            set(self.item_of(self.line_a1 | self.line_a2 | self.line_b1).mapped("state")),
            {"to_bill"},
            "credited in full, in two credit notes: to bill again",
        )

    def test_reverse_and_new_draft_refused_for_billed_work(self):
        """The new draft would bill again the work its credit note returns to unbilled."""
        invoice = self.invoice(self.client, post=True)
        reversal = self.reversal(invoice, date(2026, 4, 2))
        with self.assertRaisesRegex(UserError, "Unbilled Work"):
            reversal.modify_moves()
        with self.assertRaisesRegex(UserError, "Unbilled Work"):
            reversal.reverse_moves(is_modify=True)  # the same, called as a method
        self.assertFalse(invoice.reversal_move_ids)
        self.assertEqual(self.item_of(self.line_a1).state, "invoiced")
        # A plain credit note stays possible, and returns the work to unbilled.
        reversal.refund_moves()
        invoice.reversal_move_ids.action_post()
        self.assertEqual(self.item_of(self.line_a1).state, "to_bill")

    def test_billing_user_invoices(self):
        """The least privileged user who does the job: a Billing User."""
        Item = self.Item.with_user(self.billing_user)
        items = Item.search(Item._billable_domain(self.company, date(2026, 3, 31), self.client))
        self.assertEqual(len(items), 3)
        items.write({"quantity": 1, "adjustment_reason": "Capped"})
        invoice = items._invoice(self.company, date(2026, 3, 31), post=True)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_untaxed, 90 + 90 + 60)

    def test_credit_note_that_returned_the_work_stays_posted(self):
        """Withdrawing the full credit note would leave the invoice billing the work
        that went back to unbilled, and is invoiced again from there."""
        invoice = self.invoice(self.client, post=True)
        credit_note = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        credit_note.action_post()
        items = self.item_of(self.line_a1 | self.line_a2 | self.line_b1)
        self.assertEqual(set(items.mapped("state")), {"to_bill"})
        with self.assertRaisesRegex(UserError, "Unbilled Work"):
            credit_note.button_draft()
        with self.assertRaisesRegex(UserError, "Unbilled Work"):
            credit_note.button_cancel()
        # Nor reversed (a credit note of the credit note), from the list's Actions.
        reversal = self.reversal(credit_note, date(2026, 4, 3))
        with self.assertRaisesRegex(UserError, "Unbilled Work"):
            reversal.refund_moves()
        self.assertFalse(credit_note.reversal_move_ids)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(len(self.invoice(self.client)), 1, "billed once more, once")
