from odoo import fields, models


class PaymentToken(models.Model):
    _inherit = "payment.token"

    invoicera_customer_ref = fields.Char(
        string="Gateway Customer",
        readonly=True,
        help="The customer the gateway keeps this payment method under, for gateways"
        " that need it beside the method's own reference.",
    )
