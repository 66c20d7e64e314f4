from odoo import Command
from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraPortalCase


@tagged("post_install", "-at_install")
class TestEarlyDiscountSeveralTaxes(InvoiceraPortalCase):
    """An invoice with lines of several taxes, on "2% off if paid within 10 days"
    (the discount reduces the taxes, Odoo's default), paid online at its discounted
    amount within the period: paid in full, as when staff register that payment,
    not left owing part of its discount."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_provider()  # in test mode, published: the portal pays with it
        cls.term = cls.make_early_discount_term()
        cls.term.early_pay_discount_computation = "included"
        cls.vat10, cls.vat20 = cls.env["account.tax"].create(
            [{"name": f"VAT {rate}%", "amount": rate, "type_tax_use": "sale"} for rate in (10, 20)]
        )

    def make_invoice(self, taxes):
        """An invoice of 1,000 (taxed ``taxes[0]``) and 500 (``taxes[1]``), dated today."""
        return self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_payment_term_id": self.term.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": name,
                            "quantity": 1,
                            "price_unit": price,
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                    for name, price, tax in (("Design", 1000, taxes[0]), ("Hosting", 500, taxes[1]))
                ],
            }
        )

    def pay_online(self, invoice, amount):
        """A payment of ``invoice`` made by contact A1 in the portal, confirmed."""
        tx = self.portal_transaction(invoice, amount)
        tx._set_done()
        tx._post_process()
        return tx

    def test_an_invoice_of_two_taxes_paid_at_its_discount_is_paid(self):
        # 1,000 + 10% and 500 + 20%: 1,700; 2% off each line and its tax: 1,666
        invoice = self.make_invoice((self.vat10, self.vat20))
        invoice.action_post()
        self.assertEqual(invoice._invoicera_amount_to_pay(), 1666)
        tx = self.pay_online(invoice, 1666)
        self.assertEqual(tx.payment_id.amount, 1666)
        self.assertEqual(invoice.amount_residual, 0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_an_invoice_of_one_tax_is_not_written_off_twice(self):
        # 1,500 + 10%: 1,650; at its discount 1,617
        invoice = self.make_invoice((self.vat10, self.vat10))
        invoice.action_post()
        self.assertEqual(invoice._invoicera_amount_to_pay(), 1617)
        tx = self.pay_online(invoice, 1617)
        self.assertEqual(invoice.amount_residual, 0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        # the payment's entry: the 1,617 received, the 33 of discount written off
        written_off = tx.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type != "asset_receivable"
            and line.account_id != tx.payment_id.outstanding_account_id
        )
        self.assertEqual(sum(written_off.mapped("balance")), 33)

    def test_autopay_of_an_invoice_of_two_taxes_takes_its_discount(self):
        self.client_a.invoicera_autopay_token_id = self.make_demo_token(self.contact_a1)
        invoice = self.make_invoice((self.vat10, self.vat20))
        with trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        self.assertEqual(invoice.transaction_ids.amount, 1666)
        self.assertEqual(invoice.amount_residual, 0)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
