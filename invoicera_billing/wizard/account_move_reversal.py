from odoo import _, models
from odoo.exceptions import UserError


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
        """Refuse "Reverse and create a new draft" on invoices of billed items.

        Its full credit note returns their work to Billing ▸ Unbilled Work
        (README, "Credit notes"), where it is invoiced again; the new draft, a
        copy without the items, would bill that work a second time.
        """
        billed = self.move_ids.filtered("invoicera_item_count")
        if billed:
            raise UserError(
                _(
                    "%(invoices)s bills work from Billing ▸ Unbilled Work. Make a credit "
                    "note instead: the work goes back to Unbilled Work, where you correct "
                    "it and invoice it again, so that it is billed once.",
                    invoices=", ".join(billed.mapped("display_name")),
                )
            )
        return super().modify_moves()
