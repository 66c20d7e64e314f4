import lxml.html

from odoo import Command
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestAnnexRounding(InvoiceraTimesheetCase):
    """The annex's printed rows add up to its printed totals, which are the
    invoice's: each invoice line's subtotal shared among the work it bills."""

    def annex_text(self, invoice):
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "invoicera_billing.action_report_time_annex", invoice.ids
        )
        return " ".join(lxml.html.fromstring(html).text_content().split())

    def assert_adds_up(self, invoice):
        """Every section's rows, as printed, add up to its total, as printed; the
        sections add up to the untaxed amount of the invoice."""
        currency = invoice.currency_id
        sections = invoice._invoicera_annex_sections()
        for section in sections:
            rows = sum(currency.round(row["amount"]) for row in section["rows"])
            self.assertEqual(
                currency.compare_amounts(rows, currency.round(section["amount"])), 0, section
            )
        total = sum(section["amount"] for section in sections)
        self.assertEqual(currency.compare_amounts(total, invoice.amount_untaxed), 0)
        return sections

    def test_discounted_entries_add_up(self):
        """Two hours at 90 less 33.33 %: the invoice bills 120.01 (120.006);
        the entries are 60.003 each, printed 60.00 and 60.00 under a total of
        120.01 before. One of them now carries the cent."""
        self.client.invoicera_annex_detail = "entry"
        self.log_time(self.alice, 1, day="2026-03-02", name="Wireframes")
        self.log_time(self.alice, 1, day="2026-03-03", name="Mock-ups")
        invoice = self.invoice(self.client)
        invoice.invoice_line_ids.discount = 33.33
        invoice.action_post()
        self.assertEqual(invoice.amount_untaxed, 120.01)
        sections = self.assert_adds_up(invoice)
        self.assertEqual(sorted(row["amount"] for row in sections[0]["rows"]), [60.0, 60.01])
        text = self.annex_text(invoice)
        self.assertIn("60.01", text)
        self.assertIn("60.00", text)
        self.assertIn("120.01", text)

    def test_project_total_is_the_invoice_lines(self):
        """Two lines (rates 90 and 96) less 33.33 %: 60.00 + 64.00 on the invoice
        (60.003 and 64.0032); their unrounded sum, 124.0062, printed 124.01."""
        rates = self.env["invoicera.billing.rate"].search([])
        self.assertFalse(rates.filtered(lambda r: r.employee_id == self.bob), "bob at 60")
        self.bob.invoicera_billing_rate = 96
        self.log_time(self.alice, 1, day="2026-03-02")
        self.log_time(self.bob, 1, day="2026-03-03")
        invoice = self.invoice(self.client)
        invoice.invoice_line_ids.discount = 33.33
        invoice.action_post()
        self.assertEqual(invoice.amount_untaxed, 124.0)
        for detail in ("summary", "task", "entry"):
            self.client.invoicera_annex_detail = detail
            sections = self.assert_adds_up(invoice)
            self.assertEqual(sections[0]["amount"], 124.0, detail)
        self.assertIn("124.00", self.annex_text(invoice))
        self.assertNotIn("124.01", self.annex_text(invoice))

    def test_prices_including_tax(self):
        """A rate including tax: the invoice bills 75 before tax for 90 with
        20 % included; the annex, "before taxes", says 75 too, not 90."""
        tax = self.env["account.tax"].create(
            {
                "name": "VAT 20% included",
                "amount": 20,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        self.service.taxes_id = [Command.set(tax.ids)]
        self.log_time(self.alice, 1, day="2026-03-02")
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(invoice.amount_untaxed, 75)
        sections = self.assert_adds_up(invoice)
        self.assertEqual(sections[0]["amount"], 75)
        self.assertNotIn("90.00", self.annex_text(invoice))

    def test_quantities_at_the_unit_precision(self):
        """Hours recorded to the ten-thousandth (the unit's precision set to 4
        decimals) are printed so, not rounded to two decimals."""
        self.env.ref("product.decimal_product_uom").digits = 4
        self.client.invoicera_annex_detail = "entry"
        for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
            self.log_time(self.alice, 0.3333, day=day)
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(invoice.invoice_line_ids.quantity, 0.9999)
        self.assert_adds_up(invoice)
        text = self.annex_text(invoice)
        self.assertIn("0.3333", text)
