from odoo import models


class HrExpenseSheet(models.Model):
    _inherit = "hr.expense.sheet"

    def write(self, vals):
        if "approval_state" in vals and vals["approval_state"] != "approve":
            # reset to draft or refused: its invoiced expenses would be billed
            # at what they no longer are
            self.expense_line_ids._invoicera_check_not_billed()
        res = super().write(vals)
        # Approval, refusal and reset change what the expenses' state says.
        if {"approval_state", "state", "expense_line_ids"} & set(vals):
            self.expense_line_ids._invoicera_sync_items()
        return res

    def action_reset_expense_sheets(self):
        # said before Odoo's own refusal (can_reset, off for such reports)
        self.expense_line_ids._invoicera_check_not_billed()
        return super().action_reset_expense_sheets()

    def _compute_can_reset(self):
        # not offered once an expense of the report is invoiced (write refuses it)
        res = super()._compute_can_reset()
        billed = self.filtered("can_reset").expense_line_ids._invoicera_billed()
        billed.sheet_id.can_reset = False
        return res

    def unlink(self):
        # Deleted, the report leaves its expenses unreported (the database
        # clears their link, no write): billed, they stay on their report;
        # approved, they are no longer billable.
        expenses = self.expense_line_ids
        expenses._invoicera_check_not_billed()
        res = super().unlink()
        expenses.exists()._invoicera_sync_items()
        return res
