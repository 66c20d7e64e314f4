from odoo import models


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        """Refuse to reverse a credit note that gave an invoice's work back to unbilled.

        The work is invoiced again from Billing ▸ Unbilled Work: reversed, the
        credit note would leave the first invoice billing it too.
        """
        self.move_ids._invoicera_check_credit_note_kept()
        return super().reverse_moves(is_modify=is_modify)

    def modify_moves(self):
        """Refuse "Reverse and create a new draft" where the new draft would
        bill work a second time (``account.move._invoicera_check_modifiable``)."""
        self.move_ids._invoicera_check_modifiable()
        return super().modify_moves()
