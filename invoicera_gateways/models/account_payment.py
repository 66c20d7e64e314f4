from odoo import models

from ..gateways import GATEWAYS


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def _compute_amount_available_for_refund(self):
        # What the gateway reported as refunded outside Odoo (e.g. in its dashboard)
        # can no longer be refunded from Odoo: the Refund wizard offers the rest.
        res = super()._compute_amount_available_for_refund()
        for payment in self:
            tx_sudo = payment.payment_transaction_id.sudo()
            if tx_sudo.provider_code in GATEWAYS and payment.amount_available_for_refund > 0:
                payment.amount_available_for_refund = max(
                    payment.amount_available_for_refund - tx_sudo._invoicera_refunded_outside(),
                    0.0,
                )
        return res
