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

    def test_one_payment_of_an_invoice_with_a_discount_and_one_without(self):
        """One payment of two invoices (Register Payment, grouped) within the
        discount period of the first: only the first's discount is written off,
        the second (immediate terms) is collected in full. The report counted
        all of the second as a discount taken: nothing of it collected."""
        discounted = self.invoice_on_early_discount_terms()
        self.log_time(self.alice, 5, day="2026-03-20", name="Test")
        immediate = self.invoice(self.client)
        immediate.invoice_payment_term_id = self.env.ref("account.account_payment_term_immediate")
        immediate.action_post()
        self.assertEqual(immediate.amount_total, 495)
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=(discounted | immediate).ids)
            .create({"payment_date": date(2026, 4, 5), "group_payment": True})
        )
        self.assertAlmostEqual(wizard.amount, 970.20 + 495, places=2)
        wizard._create_payments()
        self.assertEqual((discounted | immediate).mapped("payment_state"), ["paid", "paid"])
        self.assertEqual(
            self.realization(),
            {
                "worked_value": 1350,
                "billed_value": 1350,
                "written_down_value": 0,
                "collected_value": 882 + 450,
            },
        )

    def test_one_payment_within_one_discount_period_and_after_the_other(self):
        """Both invoices on "2/10 net 30", paid together on the last day of the
        second one's period: the first, past its own, is paid in full and its
        2% is collected (the report took it off)."""
        late = self.invoice_on_early_discount_terms()
        self.log_time(self.alice, 5, day="2026-03-20", name="Test")
        in_time = self.invoice(self.client, invoice_date=date(2026, 4, 10))
        in_time.invoice_payment_term_id = self.early_discount
        in_time.action_post()
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=(late | in_time).ids)
            .create({"payment_date": date(2026, 4, 20), "group_payment": True})
        )
        self.assertAlmostEqual(wizard.amount, 990 + 485.10, places=2, msg="2% off the second only")
        wizard._create_payments()
        self.assertEqual(self.realization()["collected_value"], 900 + 441)

    def test_discount_granted_to_a_payment_recorded_after_the_period(self):
        """The discount written off for a payment of this invoice alone recorded
        after the period (as the portal grants it to a direct debit made within
        the period and confirmed later) is not collected either."""
        invoice = self.invoice_on_early_discount_terms()
        wizard = self.payment_wizard(invoice, date(2026, 4, 20), amount=970.20)
        self.assertFalse(wizard.early_payment_discount_mode, "past the period")
        wizard.write(
            {
                "payment_difference_handling": "reconcile",
                "writeoff_account_id": (
                    self.company.account_journal_early_pay_discount_loss_account_id.id
                ),
                "writeoff_label": "Early payment discount",
            }
        )
        wizard._create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.realization()["collected_value"], 882)

    def pay_writing_off(self, invoice, amount, account_name, account_type):
        """Register Payment of ``amount``, the difference written off ("Mark as
        fully paid") on a new account ``account_name``."""
        account = self.env["account.account"].create(
            {
                "name": account_name,
                "code": account_name.replace(" ", "").upper(),
                "account_type": account_type,
            }
        )
        wizard = self.payment_wizard(invoice, amount=amount)
        wizard.write(
            {
                "payment_difference_handling": "reconcile",
                "writeoff_account_id": account.id,
                "writeoff_label": account_name,
            }
        )
        wizard._create_payments()

    def test_a_short_payment_written_off_is_not_collected(self):
        """660 of 990 paid, the rest written off as a bad debt ("Mark as fully
        paid"): the invoice is paid, two thirds of the 900 billed is collected,
        600; before, the report showed 900 collected. An overpayment written
        off as income collects no more than the invoice."""
        self.log_time(self.alice, 10, name="Build")
        invoice = self.invoice(self.client, post=True)
        self.assertEqual(invoice.amount_total, 990)
        self.pay_writing_off(invoice, 660, "Bad debts", "expense")
        self.assertEqual(invoice.amount_residual, 0)
        self.assertEqual(
            self.realization(),
            {
                "worked_value": 900,
                "billed_value": 900,
                "written_down_value": 0,
                "collected_value": 600,
            },
        )
        # another invoice, overpaid by 10, written off as income
        self.log_time(self.alice, 10, name="Test", day="2026-03-20")
        other = self.invoice(self.client, post=True)
        self.pay_writing_off(other, 1000, "Other income", "income_other")
        self.assertEqual(other.amount_residual, 0)
        self.assertEqual(self.realization()["collected_value"], 1500)
