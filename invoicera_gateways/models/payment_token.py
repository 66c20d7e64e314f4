import logging

from odoo import fields, models

_logger = logging.getLogger(__name__)


class PaymentToken(models.Model):
    _inherit = "payment.token"

    invoicera_customer_ref = fields.Char(
        string="Gateway Customer",
        readonly=True,
        help="The customer the gateway keeps this payment method under, for gateways"
        " that need it beside the method's own reference.",
    )

    def _invoicera_archive_gone(self, gateway, reason):
        """Archive this saved payment method, which ``gateway`` says it no longer has
        to charge (``reason``), so that nothing (autopay, the client) tries it again.

        :return: what to tell staff about it; "" when it was archived already.
        """
        self.ensure_one()
        if not self.active:
            return ""
        # sudo: only administrators write saved payment methods; the gateway said
        # this one is gone, whoever learns it
        self.sudo().active = False
        message = self.env._(
            "%(method)s was archived: %(gateway)s no longer has it to charge (%(reason)s)."
            " The client saves a payment method again from the portal.",
            method=self.display_name,
            gateway=gateway.name,
            reason=reason,
        )
        _logger.info("%s: %s", gateway.name, message)
        return message
