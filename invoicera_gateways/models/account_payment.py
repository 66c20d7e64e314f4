from odoo import models

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
