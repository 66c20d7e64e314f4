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

    def _modify_default_reverse_values(self, origin_move):
        """The new draft of a credit note of billed work credits the same
        invoice: Odoo's copy leaves it no link to it (``reversed_entry_id`` is
        not copied), so that, posted in full, it did not count as crediting the
        invoice (its work stayed invoiced and locked) and no guard of credit
        notes applied to it."""
        values = super()._modify_default_reverse_values(origin_move)
        invoice = origin_move.reversed_entry_id
        if (
            origin_move.move_type == "out_refund"
            and invoice.move_type == "out_invoice"
            and (invoice.invoicera_item_count or invoice.invoicera_items_released)
        ):
            values["reversed_entry_id"] = invoice.id
        return values
