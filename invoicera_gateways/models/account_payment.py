from odoo import Command, models

from ..gateways import GATEWAYS


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def _compute_amount_available_for_refund(self):
        # What the gateway reported as refunded outside Odoo (e.g. in its dashboard)
        # can no longer be refunded from Odoo: the Refund wizard offers the rest.
        res = super()._compute_amount_available_for_refund()
        refundable = self.filtered(
            lambda payment: payment.amount_available_for_refund > 0
            # sudo: the transaction's provider decides, whoever reads the payment
            and payment.payment_transaction_id.sudo().provider_code in GATEWAYS
        )
        # one query for all the payments
        outside = refundable.payment_transaction_id.sudo()._invoicera_refunded_outside_by_tx()
        for payment in refundable:
            payment.amount_available_for_refund = max(
                payment.amount_available_for_refund - outside[payment.payment_transaction_id.id],
                0.0,
            )
        return res

    def action_post(self):
        # Odoo's account_payment charges the saved payment method of a payment here
        # and cancels the payment when the charge is not done at once (a gateway
        # timeout retried later, a debit confirmed later), which deletes its draft
        # entry with the write-off chosen in Register Payment ("Mark as fully
        # paid"). Kept on the transaction, the write-off goes on the payment made
        # once the charge is collected, and the invoice is paid in full as chosen.
        to_charge = self.filtered(
            lambda payment: payment.payment_token_id
            and not payment.payment_transaction_id
            # sudo: the saved method's provider decides, whoever posts the payment
            and payment.payment_token_id.sudo().provider_id.code in GATEWAYS
        )
        # read before Odoo cancels the payment: its entry is gone afterwards
        write_offs = {payment: payment._invoicera_write_off_vals() for payment in to_charge}
        res = super().action_post()
        for payment, write_off_vals in write_offs.items():
            # sudo: as Odoo's, whoever posts the payment may not write transactions
            tx = payment.payment_transaction_id.sudo()
            if write_off_vals and payment.state == "canceled" and tx.state != "done":
                tx.invoicera_write_off_vals = write_off_vals
        return res

    def _invoicera_write_off_vals(self):
        """The write-off lines of this payment's entry, as the ``write_off_line_vals``
        of ``create`` take them (e.g. "Mark as fully paid" in Register Payment).

        The lines of an early payment discount too, as the wizard made them
        (see ``account.move._get_invoice_counterpart_amls_for_early_payment_discount``):
        for a payment of several invoices, neither Odoo nor invoicera_portal takes
        the discount again once the charge is collected.
        """
        self.ensure_one()
        if not self.move_id:
            return []
        _liquidity_lines, _counterpart_lines, write_off_lines = self._seek_for_lines()
        # Without Odoo's Accounting app, a payment method with no account of its own
        # takes the outstanding account from the chart of accounts, which Odoo's
        # split does not know for a liquidity account: its line is no write-off.
        write_off_lines = write_off_lines.filtered(
            lambda line: line.account_id != self.outstanding_account_id
        )
        return [
            {
                "name": line.name,
                "account_id": line.account_id.id,
                "partner_id": line.partner_id.id,
                "currency_id": line.currency_id.id,
                "amount_currency": line.amount_currency,
                "balance": line.balance,
                **(
                    {"analytic_distribution": line.analytic_distribution}
                    if line.analytic_distribution
                    else {}
                ),
                # what makes a line an early payment discount: its taxes and tax
                # grids (a discount with taxes included lowers the tax due)
                **(
                    {
                        "display_type": "epd",
                        "tax_ids": [Command.set(line.tax_ids.ids)],
                        "tax_tag_ids": [Command.set(line.tax_tag_ids.ids)],
                        "tax_repartition_line_id": line.tax_repartition_line_id.id,
                        "group_tax_id": line.group_tax_id.id,
                    }
                    if line.display_type == "epd"
                    else {}
                ),
            }
            for line in write_off_lines
        ]
