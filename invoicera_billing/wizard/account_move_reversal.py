from odoo import models

#: the type of the document a credit note credits
REFUNDED_TYPE = {"out_refund": "out_invoice", "in_refund": "in_invoice"}


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

    def _modify_default_reverse_values(self, origin_move):
        """The new draft of a credit note of billed work (or of a vendor bill of
        re-billable costs) credits the same invoice: Odoo's copy leaves it no
        link to it (``reversed_entry_id`` is not copied), so that, posted in
        full, it did not count as crediting the invoice (its work stayed
        invoiced and locked; the bill's cost stayed billable) and no guard of
        credit notes applied to it."""
        values = super()._modify_default_reverse_values(origin_move)
        invoice = origin_move.reversed_entry_id
        if (
            REFUNDED_TYPE.get(origin_move.move_type) == invoice.move_type
            and invoice._invoicera_credits_keep_their_origin()
        ):
            values["reversed_entry_id"] = invoice.id
        values.update(origin_move._invoicera_correction_values())
        return values
