from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_invoice_extra_attachments(self, move):
        # The time annex goes with the invoice whenever Odoo sends it.
        return super()._get_invoice_extra_attachments(move) | move._invoicera_annex_attachment()
