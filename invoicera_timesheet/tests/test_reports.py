from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestBillingReports(InvoiceraTimesheetCase):
    """Unbilled work aging and realization, as a manager reads them."""

    @freeze_time("2026-04-30")
    def test_unbilled_aging_buckets(self):
        self.log_time(self.alice, 1, day="2026-04-20")  # 10 days
        self.log_time(self.alice, 2, day="2026-03-15")  # 46 days
        self.log_time(self.bob, 3, day="2026-01-10")  # 110 days
        self.invoice(self.client_eur)  # nothing for this client
        Aging = self.env["invoicera.unbilled.aging"]
        groups = Aging._read_group(
            [("partner_id", "=", self.client.id)], ["age_bucket"], ["amount:sum", "quantity:sum"]
        )
        self.assertEqual(
            {bucket: (quantity, amount) for bucket, amount, quantity in groups},
            {"1_0_30": (1, 90), "2_31_60": (2, 180), "4_91": (3, 180)},
        )

    @freeze_time("2026-04-30")
    def test_reports_add_up_amounts_in_one_currency(self):
        """Work in euros and in dollars: the reports' totals are in the company's
        currency, at today's rate (as Odoo's sales analysis), not euros and
        dollars added up; each item's own amount stays in its currency."""
        self.log_time(self.alice, 2, day="2026-04-20")  # 180 USD
        in_eur = self.item_of(self.log_time(self.bob, 1, day="2026-04-21"))
        in_eur.with_context(invoicera_engine=ENGINE).currency_id = self.eur  # 60 EUR
        written_off = self.item_of(self.log_time(self.bob, 2, day="2026-04-22"))
        written_off.with_context(invoicera_engine=ENGINE).currency_id = self.eur  # 120 EUR
        written_off.action_write_off("Our mistake")
        # today 1 USD = 0.8 EUR: 60 EUR = 75 USD, 120 EUR = 150 USD
        Aging = self.env["invoicera.unbilled.aging"]
        [(total,)] = Aging._read_group([("partner_id", "=", self.client.id)], [], ["amount:sum"])
        self.assertEqual(total, 180 + 75)
        self.assertEqual(
            dict(
                Aging._read_group(
                    [("partner_id", "=", self.client.id)],
                    ["currency_id"],
                    ["amount_currency:sum"],
                )
            ),
            {self.usd: 180, self.eur: 60},
        )
        # grouped otherwise (per client, as the list and the pivot), in each
        # currency: not dollars and euros added up
        [group] = Aging.read_group(
            [("partner_id", "=", self.client.id)],
            ["amount:sum", "amount_currency:sum"],
            ["partner_id"],
        )
        self.assertEqual((group["amount"], group["amount_currency"]), (255, False))
        # the rates of a group are not added up (90 USD and 60 EUR an hour are
        # not 150): the list and the pivot total what fields_get aggregates
        rates = self.env["invoicera.billable.item"].fields_get(
            ["price_unit", "standard_price_unit"], ["aggregator"]
        )
        self.assertEqual([rate.get("aggregator") for rate in rates.values()], [None, None])
        self.assertEqual(Aging.search([], limit=1).company_currency_id, self.usd)
        Report = self.env["invoicera.realization.report"]
        [(worked, written_down)] = Report._read_group(
            [("partner_id", "=", self.client.id)],
            [],
            ["worked_value:sum", "written_down_value:sum"],
        )
        self.assertEqual((worked, written_down), (150, 150))

    def test_realization(self):
        worked = self.item_of(self.log_time(self.alice, 10, name="Build"))
        worked.write({"quantity": 8, "adjustment_reason": "Learning curve"})
        written_off = self.item_of(self.log_time(self.bob, 2, name="Rework"))
        written_off.action_write_off("Our mistake")
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(invoice.amount_untaxed, 720)
        # The client pays half of the invoice.
        self.pay(invoice, invoice.amount_total / 2)
        Report = self.env["invoicera.realization.report"]
        rows = Report.search([("partner_id", "=", self.client.id)])
        totals = {
            field: sum(rows.mapped(field))
            for field in ("worked_value", "billed_value", "written_down_value", "collected_value")
        }
        self.assertEqual(
            totals,
            {
                "worked_value": 10 * 90 + 2 * 60,
                "billed_value": 720,
                "written_down_value": 2 * 90 + 2 * 60,
                "collected_value": 360,
            },
        )
        self.assertEqual(set(rows.mapped("reason")), {"Learning curve", "Our mistake"})

    def test_credit_notes_are_not_collected(self):
        """A partial credit note lowers what is due, not what was collected."""
        self.log_time(self.alice, 10, name="Build")
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(invoice.amount_total, 900)
        refund = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        refund.invoice_line_ids.price_unit = 20  # 10 h credited at 20: 200
        refund.action_post()  # Odoo matches it with the invoice
        self.assertEqual(invoice.amount_residual, 700)
        Report = self.env["invoicera.realization.report"]
        rows = Report.search([("partner_id", "=", self.client.id)])
        self.assertEqual(sum(rows.mapped("collected_value")), 0, "nothing paid yet")
        self.pay(invoice, 350)
        Report.invalidate_model()  # a report read anew, as a new page would
        rows = Report.search([("partner_id", "=", self.client.id)])
        self.assertAlmostEqual(sum(rows.mapped("collected_value")), 350, msg="what the client paid")

    def test_realization_of_discounted_lines(self):
        """A discount on the invoice line is billed less: written down."""
        self.log_time(self.alice, 10, name="Build")
        invoice = self.invoice(self.client)
        invoice.invoice_line_ids.discount = 20
        invoice.action_post()
        self.assertEqual(invoice.amount_untaxed, 720)
        self.assertEqual(
            self.realization(),
            {
                "worked_value": 900,
                "billed_value": 720,
                "written_down_value": 180,
                "collected_value": 0,
            },
        )
        self.pay(invoice)
        self.assertEqual(self.realization()["collected_value"], 720, "paid in full")

    def test_realization_of_a_discount_line_added_to_the_invoice(self):
        """A line of -100 added by hand to the invoice (a loyalty discount) bills
        the work 100 less: written down, and never collected. Before: billed and
        collected 900, of an invoice of 800."""
        self.log_time(self.alice, 10, name="Build")
        invoice = self.invoice(self.client)
        invoice.write(
            {
                "invoice_line_ids": [
                    Command.create({"name": "Loyalty discount", "quantity": 1, "price_unit": -100})
                ]
            }
        )
        invoice.action_post()
        self.assertEqual(invoice.amount_untaxed, 800)
        self.pay(invoice)
        self.assertEqual(
            self.realization(),
            {
                "worked_value": 900,
                "billed_value": 800,
                "written_down_value": 100,
                "collected_value": 800,
            },
        )

    def test_realization_of_partly_credited_invoices(self):
        """What a partial credit note takes off the invoice is written down, pro
        rata of the invoice's total, and never collected."""
        self.log_time(self.alice, 10, name="Build")
        invoice = self.invoice(self.client, post=True)
        refund = invoice._reverse_moves([{"invoice_date": date(2026, 4, 2)}])
        refund.invoice_line_ids.quantity = 3  # 3 h credited: 270
        refund.action_post()
        self.assertEqual(self.item_of(invoice.timesheet_ids).state, "invoiced")
        self.assertEqual(
            self.realization(),
            {
                "worked_value": 900,
                "billed_value": 630,
                "written_down_value": 270,
                "collected_value": 0,
            },
        )
        self.pay(invoice)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.realization()["collected_value"], 630)
