from odoo import Command
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestRealizationTaxIncluded(InvoiceraTimesheetCase):
    """Realization when the rates include a tax: nothing billed at the agreed
    rate is reported as written down."""

    def setUp(self):
        super().setUp()
        # the service's price includes a tax of 20%
        tax = self.env["account.tax"].create(
            {
                "name": "VAT 20% incl.",
                "amount": 20,
                "type_tax_use": "sale",
                "price_include_override": "tax_included",
            }
        )
        self.service.taxes_id = [Command.set(tax.ids)]

    def test_rates_including_a_tax_are_not_written_down(self):
        """10 h at 90 (the service's price, 20% tax included): billed 900, tax
        included, as the work is worth; before, the 150 of tax were shown as
        written down and the billed value was 750."""
        self.log_time(self.alice, 10, name="Build")
        invoice = self.invoice(self.client, post=True)
        self.assertEqual((invoice.amount_untaxed, invoice.amount_total), (750, 900))
        self.assertEqual(
            self.realization(),
            {
                "worked_value": 900,
                "billed_value": 900,
                "written_down_value": 0,
                "collected_value": 0,
            },
        )

    def test_discount_on_rates_including_a_tax(self):
        """The same work with a 10% discount on its line: 90 written down."""
        self.log_time(self.alice, 10, name="Build")
        invoice = self.invoice(self.client)
        invoice.invoice_line_ids.discount = 10
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 810)
        self.assertEqual(
            self.realization(),
            {
                "worked_value": 900,
                "billed_value": 810,
                "written_down_value": 90,
                "collected_value": 0,
            },
        )
