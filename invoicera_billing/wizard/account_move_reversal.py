from odoo import models


class AccountMoveReversal(models.TransientModel):
    _inherit = "account.move.reversal"

    def reverse_moves(self, is_modify=False):
        """Refuse to reverse a credit note that gave an invoice's work back to
        unbilled: the work is invoiced again from Billing ▸ Unbilled Work, and
        reversed, the credit note would leave the first invoice billing it too.

        Refuse "Reverse and create a new draft" (``is_modify``) where the new
        draft would bill work a second time
        (``account.move._invoicera_check_modifiable``).
        """
        self.move_ids._invoicera_check_credit_note_kept()
        if is_modify:
            self.move_ids._invoicera_check_modifiable()
        return super().reverse_moves(is_modify=is_modify)
