from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestRatesEdgeCases(CostSourcesCase):
    """Rates at their limits: a markup of -100%, an expense of 0, a pricelist
    changed by the client's country, an invoice dated before a currency's first
    exchange rate."""

    def test_markup_of_minus_100_is_refused(self):
        """A markup on costs of -100% bills every cost at a rate of 0, which
        refuses the client's whole invoice (its time too): refused when entered,
        naming the project; just above it, a discount passed on."""
        with self.assertRaises(ValidationError) as refused:
            self.project.invoicera_cost_markup = -100
        self.assertIn("Website", str(refused.exception))
        self.assertIn("above -100%", str(refused.exception))
        self.assertEqual(self.project.invoicera_cost_markup, 10)
        self.project.invoicera_cost_markup = -90
        self.log_time(self.alice, 2)
        expense = self.approved_expense(200)
        self.assertEqual(self.item_of(expense).price_unit, 20)
        self.assertEqual(self.invoice(self.client).amount_untaxed, 200)

    def test_expense_of_zero_is_not_billed(self):
        """An approved expense of 0 is no cost (as a free line of a vendor bill):
        no item to bill, and the client's time is invoiced (before: an item at a
        rate of 0, refusing the whole invoice)."""
        self.log_time(self.alice, 2)
        expense = self.approved_expense(0)
        self.assertEqual(expense.state, "approved")
        self.assertFalse(self.item_of(expense))
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.invoice_line_ids.product_id, self.service)
        self.assertEqual(invoice.amount_untaxed, 180)

    def test_expense_corrected_to_zero_loses_its_item(self):
        """An expense of 10, unbilled, is corrected to 0 (its report reset to
        draft, the expense taken out of it to be edited, as Odoo refuses an
        expense of 0 in a report, then put back) and approved again: it has
        nothing to bill any more, and the client's time is invoiced."""
        self.log_time(self.alice, 2)
        expense = self.approved_expense(10)
        self.assertEqual(self.item_of(expense).price_unit, 11)
        sheet = expense.sheet_id
        sheet.action_reset_expense_sheets()
        sheet.expense_line_ids = [Command.unlink(expense.id)]
        expense.total_amount_currency = 0
        sheet.expense_line_ids = [Command.link(expense.id)]
        sheet.action_submit_sheet()
        sheet.action_approve_expense_sheets()
        self.assertEqual(expense.state, "approved")
        self.assertFalse(self.item_of(expense))
        self.assertEqual(self.invoice(self.client).amount_untaxed, 180)

    def swiss_pricelist(self, **vals):
        """A euro pricelist of Swiss clients (a country group), the service at
        150 an hour."""
        swiss = self.env["res.country.group"].create(
            {"name": "Swiss clients", "country_ids": [Command.set(self.env.ref("base.ch").ids)]}
        )
        return self.env["product.pricelist"].create(
            {
                "name": "Switzerland",
                "sequence": 1,
                "currency_id": self.eur.id,
                "country_group_ids": [Command.set(swiss.ids)],
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.service.id,
                            "compute_price": "fixed",
                            "fixed_price": 150,
                        }
                    )
                ],
                **vals,
            }
        )

    def test_pricelist_of_the_client_s_new_country_prices_its_unbilled_work(self):
        """A client without a country has its time priced from the default
        pricelist; given a country whose group has a pricelist of its own (150 €
        an hour), Odoo gives it that pricelist: its unbilled time is priced from
        it, in euros (before: the old price kept)."""
        pricelist = self.swiss_pricelist()
        client = self.env["res.partner"].create({"name": "Alpine AG", "is_company": True})
        default = client.property_product_pricelist
        self.assertNotEqual(default, pricelist)
        project = self.env["project.project"].create(
            {
                "name": "Chalet",
                "partner_id": client.id,
                "allow_billable": True,
                "allow_timesheets": True,
            }
        )
        self.alice.invoicera_billing_rate = 0  # priced from the client's pricelist
        item = self.item_of(self.log_time(self.alice, 2, project=project))
        self.assertNotEqual(item.currency_id, self.eur)
        client.country_id = self.env.ref("base.ch")
        self.assertEqual(client.property_product_pricelist, pricelist)
        self.assertRecordValues(item, [{"price_unit": 150.0, "currency_id": self.eur.id}])
        invoice = self.invoice(client)
        self.assertEqual(invoice.currency_id, self.eur)
        self.assertEqual(invoice.amount_untaxed, 300)

    def test_pricelist_of_the_client_s_new_country_in_the_company_of_its_work(self):
        """The client's pricelist of its own is set in this company only; its
        time is billed by the European sister company, where it has none. Given
        a country whose group has a pricelist of every company (150 € an hour),
        its pricelist changes there only: its time billed there is priced from
        it (before: re-priced only when its pricelist of the current company
        changes)."""
        pricelist = self.swiss_pricelist(company_id=False)  # of every company
        own = self.env["product.pricelist"].create({"name": "Alpine", "currency_id": self.usd.id})
        client = self.env["res.partner"].create(
            {"name": "Alpine AG", "is_company": True, "property_product_pricelist": own.id}
        )
        europe = self.euro_company()
        project = self.client_project("Chalet", europe, client)
        self.alice.invoicera_billing_rate = 0  # priced from the client's pricelist
        item = self.item_of(self.log_time(self.alice, 2, project=project))
        self.assertEqual(item.company_id, europe)
        self.assertNotEqual(item.price_unit, 150)
        client.country_id = self.env.ref("base.ch")
        self.assertEqual(client.property_product_pricelist, own)
        self.assertEqual(client.with_company(europe).property_product_pricelist, pricelist)
        self.assertRecordValues(item, [{"price_unit": 150.0, "currency_id": self.eur.id}])

    def test_draft_dated_before_the_currency_s_first_rate_is_refused(self):
        """Alice's time (90 $ an hour) invoiced in euros on 31 March: 45 € an
        hour. The draft dated 20 December 2025, before the euro's first rate, is
        refused, naming the invoice, the currency and the day, as the engine
        refuses to invoice then (before: 90 €, converted one to one); posted
        without a date on that day too."""
        self.log_time(self.alice, 2, project=self.project_eur)
        invoice = self.invoice(self.client_eur)
        self.assertEqual(invoice.currency_id, self.eur)
        self.assertEqual(invoice.invoice_line_ids.price_unit, 45)
        name = invoice.display_name
        with self.assertRaises(UserError) as refused:
            invoice.invoice_date = date(2025, 12, 20)
        for named in (name, "EUR", "12/20/2025"):
            self.assertIn(named, str(refused.exception))
        self.assertEqual(invoice.invoice_date, date(2026, 3, 31))
        self.assertEqual(invoice.invoice_line_ids.price_unit, 45)
        invoice.invoice_date = False
        with freeze_time("2025-12-20"), self.assertRaises(UserError) as refused:
            invoice.action_post()
        self.assertIn("EUR", str(refused.exception))
        self.assertEqual(invoice.state, "draft")
        invoice.invoice_date = date(2026, 4, 2)
        self.assertEqual(invoice.invoice_line_ids.price_unit, 72)
