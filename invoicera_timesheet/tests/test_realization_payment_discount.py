from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestRealizationPaymentDiscount(InvoiceraTimesheetCase):
    """An early payment discount the client takes is never collected."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.early_discount = cls.env["account.payment.term"].create(
            {
                "name": "2/10 net 30",
                "early_discount": True,
                "discount_percentage": 2,
                "discount_days": 10,
                "early_pay_discount_computation": "included",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )
        cls.tax = cls.env["account.tax"].create(
            {"name": "Sales 10%", "amount": 10, "type_tax_use": "sale"}
        )
        cls.service.taxes_id = [Command.set(cls.tax.ids)]

    def invoice_on_early_discount_terms(self):
        self.log_time(self.alice, 10, name="Build")
        invoice = self.invoice(self.client)
        invoice.invoice_payment_term_id = self.early_discount
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 990)
        return invoice

    def test_early_payment_discount_is_not_collected(self):
        """Paid on 5 April, within the 10 days, 2% less (970.20 of 990): 98% of
        the 900 billed is collected, 882; before, the report showed 900, all of
        it collected, the discount written off at payment included."""
        invoice = self.invoice_on_early_discount_terms()
        wizard = self.payment_wizard(invoice, date(2026, 4, 5))
        self.assertTrue(wizard.early_payment_discount_mode)
        self.assertEqual(wizard.amount, 970.20)
        wizard._create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(
            self.realization(),
            {
                "worked_value": 900,
                "billed_value": 900,
                "written_down_value": 0,
                "collected_value": 882,
            },
        )

    def test_paid_in_full_after_the_discount_period(self):
        """Paid after the 10 days, in full: all of it collected."""
        invoice = self.invoice_on_early_discount_terms()
        wizard = self.payment_wizard(invoice, date(2026, 4, 20))
        self.assertFalse(wizard.early_payment_discount_mode)
        wizard._create_payments()
        self.assertEqual(self.realization()["collected_value"], 900)
