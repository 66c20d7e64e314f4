"""A charge of a saved payment method made in Register Payment, not done at once
(Odoo cancels its payment then), collected after staff cancelled its invoice or
reset it to draft meanwhile.

Cross-addon: the charge goes through one of our gateways (invoicera_gateways),
which gives the collected charge a payment of its own, and invoicera_portal leaves
the changed invoice out of that payment; neither depends on the other.
"""

from odoo.tests import tagged

from odoo.addons.invoicera_gateways.tests import test_gateway_square


@tagged("post_install", "-at_install")
class TestCollectedLaterInvoiceChanged(test_gateway_square.TestSquare):
    """Square (a gateway that charges saved cards, in dollars, the company's
    currency) collecting a Register Payment charge after its invoice changed."""

    # Only the tests below: the inherited ones run in test_gateway_square.py. Its
    # methods only: outside an addon, Odoo does not set the class's test_tags and
    # test_module again.
    locals().update(
        dict.fromkeys(
            (
                n
                for n in dir(test_gateway_square.TestSquare)
                if n.startswith("test_") and callable(getattr(test_gateway_square.TestSquare, n))
            ),
            None,
        )
    )

    def assert_on_the_clients_account(self, payment, amount):
        """``payment`` is posted for ``amount`` and pays no invoice: all of it is
        left on the client's account (its receivable line open)."""
        self.assertNotIn(payment.state, ("draft", "canceled"))
        self.assertEqual(payment.amount, amount, "the amount charged")
        self.assertFalse(payment.reconciled_invoice_ids, "it pays no invoice")
        receivable = payment.move_id.line_ids.filtered(
            lambda line: line.account_id == payment.destination_account_id
        )
        self.assertEqual(receivable.amount_residual, -amount, "all of it on the client's account")

    def assert_told_on(self, invoice, payment, tx):
        """``invoice`` says that ``payment`` of ``tx`` does not pay it."""
        notes = invoice.message_ids.filtered(
            lambda message: payment.name in (message.body or "")
            and "it does not pay it" in message.body
        )
        self.assertEqual(len(notes), 1, "the invoice says the payment does not pay it")
        self.assertIn(tx.reference, notes.body)

    def test_charge_collected_after_its_invoice_was_cancelled_stays_on_the_account(self):
        """Register Payment of an invoice of 1234.50 with the client's saved card:
        the gateway times out, Odoo cancels the payment. Staff cancel the invoice;
        the charge is collected later: its payment of 1234.50 is recorded (the
        post-processing failed reconciling it with the cancelled invoice, the
        money never recorded), on the client's account, and the invoice says so."""
        invoice = self.invoice
        tx = self._register_payment_timed_out(invoice)
        invoice.button_draft()
        invoice.button_cancel()
        collected = self._collect(tx)
        self.assertEqual(invoice.state, "cancel")
        self.assert_on_the_clients_account(collected, 1234.5)
        self.assertEqual(tx.invoice_ids, invoice, "still listed on the transaction")
        self.assert_told_on(invoice, collected, tx)

    def test_write_off_of_a_charge_whose_invoice_was_cancelled_is_not_applied(self):
        """Register Payment of 1229.50 of that invoice, 5 written off (Mark as
        fully paid); staff cancel the invoice; the charge is collected: what was
        charged is on the client's account, no more (the 5 written off would
        have been a gift)."""
        invoice = self.invoice
        tx = self._register_payment_timed_out(
            invoice,
            amount=1229.5,
            payment_difference_handling="reconcile",
            writeoff_account_id=self.company_data["default_account_expense"].id,
            writeoff_label="Bank fees",
        )
        invoice.button_draft()
        invoice.button_cancel()
        collected = self._collect(tx)
        self.assert_on_the_clients_account(collected, 1229.5)

    def test_charge_collected_after_its_invoice_was_reset_to_draft_leaves_it_draft(self):
        """The same with the invoice reset to draft to correct it while the charge
        is pending: once collected, the invoice stays a draft (it was posted again
        behind staff's back) and the payment of 1234.50 is on the client's account."""
        invoice = self.invoice
        tx = self._register_payment_timed_out(invoice)
        invoice.button_draft()
        collected = self._collect(tx)
        self.assertEqual(invoice.state, "draft", "not posted behind staff's back")
        self.assert_on_the_clients_account(collected, 1234.5)
        self.assertEqual(tx.invoice_ids, invoice, "still listed on the transaction")
        self.assert_told_on(invoice, collected, tx)

    def test_charge_confirmed_later_after_its_invoice_was_cancelled_stays_on_the_account(self):
        """The same with the retried charge not done at once either (the gateway
        confirms it later, by a notification): confirmed before the post-processing
        runs, the transaction still holds the payment Odoo cancelled. Its payment of
        1234.50 is recorded, on the client's account, and the invoice says so."""
        invoice = self.invoice
        tx = self._register_payment_timed_out(invoice)
        invoice.button_draft()
        invoice.button_cancel()
        self.paid_amount = tx.amount  # what the gateway's answers carry
        self.api.routes.update(
            {("POST", r"/v2/payments$"): (200, {"payment": self.payment(tx, "pending")})}
        )
        self.cron_post_process(tx)
        self.assertEqual(tx.state, "pending")
        self.assertFalse(
            invoice.message_ids.filtered(lambda message: "does not pay it" in (message.body or "")),
            "nothing paid yet: nothing said (the payment Odoo cancelled pays nothing)",
        )
        self.deliver(self.notification(tx, "done", event_id="evt_collected"))
        self.assertEqual((tx.state, tx.payment_id.state), ("done", "canceled"))
        tx._post_process()
        collected = tx.payment_id
        self.assertEqual(invoice.state, "cancel")
        self.assert_on_the_clients_account(collected, 1234.5)
        self.assertEqual(tx.invoice_ids, invoice, "still listed on the transaction")
        self.assert_told_on(invoice, collected, tx)
