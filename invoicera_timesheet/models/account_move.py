from odoo import _, models
from odoo.exceptions import UserError

#: the key of ``copy_data``'s default that "Reverse and create a new draft" of a
#: vendor bill of re-billable costs passes: its lines keep which they correct
CORRECTING = "invoicera_correcting"


class AccountMove(models.Model):
    _inherit = "account.move"

    def copy_data(self, default=None):
        default = dict(default or {})
        moves = self
        if default.pop(CORRECTING, False):
            moves = self.with_context(invoicera_correcting_bill=True)
        return super(AccountMove, moves).copy_data(default)

    def write(self, vals):
        scheduled = self._invoicera_scheduled_credit_notes()
        res = super().write(vals)
        # A reversal dated later (Odoo's _reverse_moves writes its lines once
        # made), no longer scheduled, or crediting another amount. Not create:
        # the engine creates invoices faster where no addon overrides it.
        (scheduled | self._invoicera_scheduled_credit_notes())._invoicera_sync_vendor_costs()
        return res

    def unlink(self):
        self._invoicera_check_milestone_credits()
        bills = self._invoicera_scheduled_credit_notes().reversed_entry_id
        res = super().unlink()
        bills._invoicera_sync_vendor_costs()
        return res

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._invoicera_sync_vendor_costs()
        return posted

    def button_draft(self):
        res = super().button_draft()
        self._invoicera_sync_vendor_costs()
        return res

    def button_cancel(self):
        self._invoicera_check_milestone_credits()
        res = super().button_cancel()
        self._invoicera_sync_vendor_costs()
        return res

    def _compute_show_reset_to_draft_button(self):
        # not offered on a vendor bill whose re-billed costs are invoiced
        # (button_draft refuses it)
        res = super()._compute_show_reset_to_draft_button()
        bills = self.filtered(
            lambda move: move.show_reset_to_draft_button and move.move_type == "in_invoice"
        )
        billed = bills.invoice_line_ids._invoicera_vendor_lines()._invoicera_billed()
        billed.move_id.show_reset_to_draft_button = False
        return res

    def _invoicera_check_modifiable(self):
        """Neither may a vendor bill whose costs are invoiced be reversed into a
        new draft: as when resetting it to draft, the corrected bill would be
        billed again beside the invoiced cost."""
        res = super()._invoicera_check_modifiable()
        bills = self.filtered(lambda move: move.move_type == "in_invoice")
        bills.invoice_line_ids._invoicera_vendor_lines()._invoicera_check_not_billed()
        return res

    def _invoicera_credits_keep_their_origin(self):
        """A vendor bill of re-billable costs too: its credit notes in full
        withdraw its costs, the corrected ones as the first."""
        return super()._invoicera_credits_keep_their_origin() or (
            self.move_type == "in_invoice" and bool(self.invoice_line_ids._invoicera_vendor_lines())
        )

    def _invoicera_correction_values(self):
        """A vendor bill of re-billable costs corrected: each line of the new
        draft knows the line it corrects (``invoicera_corrected_line_id``), so
        that what was decided on its cost (excluded, deferred, written off)
        carries over to the corrected cost."""
        values = super()._invoicera_correction_values()
        if self.move_type == "in_invoice" and self.invoice_line_ids._invoicera_vendor_lines():
            values[CORRECTING] = True
        return values

    def _invoicera_check_milestone_credits(self):
        """Refuse to cancel or delete credit notes of order lines billed on
        milestones while a fee their order's invoices no longer bill, because of
        them, was invoiced here since (UserError naming the credit notes, the
        milestones and their invoices): without the credit notes, the order's
        invoices would bill those fees a second time. The fees are those of the
        milestones that left these lines (or are on a line of a cancelled
        order), billed here for what the lines' invoices, net of credit notes,
        do not bill."""
        # sudo: the order lines and milestones of the credit notes, whoever
        # cancels them (an accountant need not read projects)
        credit_notes = self.filtered(
            lambda move: move.move_type == "out_refund" and move.state != "cancel"
        )
        lines = credit_notes.sudo().invoice_line_ids.sale_line_ids.filtered(
            lambda line: line.qty_delivered_method == "milestones"
        )
        if not lines:
            return
        milestones = (
            self.env["project.milestone"]
            .sudo()
            .search(
                [
                    "|",
                    ("invoicera_order_line_id", "in", lines.ids),
                    "&",
                    ("sale_line_id", "in", lines.ids),
                    ("sale_line_id.state", "=", "cancel"),
                ]
            )
        )
        items = milestones._invoicera_items().filtered(lambda item: item.state == "invoiced")
        if items:
            billed = milestones.browse(items.mapped("source_id"))
            raise UserError(
                _(
                    "%(credit_notes)s cannot be cancelled or deleted: it credits the "
                    "order's invoice of the milestones %(milestones)s, whose fees "
                    "%(invoices)s billed since from Billing ▸ Unbilled Work; without "
                    "it, the order would bill them a second time. Credit or cancel "
                    "those invoices first (the fees go back to Unbilled Work).",
                    credit_notes=", ".join(credit_notes.mapped("display_name")),
                    milestones=", ".join(billed.mapped("display_name")),
                    invoices=items.invoice_id._invoicera_names(),
                )
            )

    def _invoicera_scheduled_credit_notes(self):
        """The draft vendor credit notes of ``self`` that Odoo posts at their date,
        reversing a bill: they withdraw its costs already."""
        return self.filtered(
            lambda move: move.move_type == "in_refund"
            and move.reversed_entry_id
            and move._invoicera_scheduled()
        )

    def _invoicera_sync_vendor_costs(self):
        """Posting a vendor bill makes its re-billable costs billable; resetting it
        to draft or cancelling it withdraws them (refused once they are invoiced).
        Posting a credit note that credits a bill in full withdraws the bill's
        costs not invoiced yet, and so does a credit note scheduled for a later
        date (Odoo posts it then): a bill reversed and corrected ("Reverse and
        create a new draft") is billed by its correction alone. Withdrawing the
        credit note, or its schedule, or reversing it in its turn, gives them back."""
        bills = self.filtered(lambda move: move.move_type == "in_invoice")
        bills |= self.filtered(lambda move: move.move_type == "in_refund").reversed_entry_id
        # a credit note's reversal: the bill that credit note credited
        bills |= bills.reversed_entry_id.filtered(
            lambda move: move.move_type == "in_refund"
        ).reversed_entry_id
        if bills:
            lines = bills.invoice_line_ids._invoicera_vendor_lines()
            if any(move.state != "posted" for move in bills):
                lines.filtered(lambda ln: ln.parent_state != "posted")._invoicera_check_not_billed()
            lines._invoicera_sync_items()
