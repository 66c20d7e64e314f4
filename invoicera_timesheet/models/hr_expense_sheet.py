from odoo import models


class HrExpenseSheet(models.Model):
    _inherit = "hr.expense.sheet"

    def write(self, vals):
        res = super().write(vals)
        # Approval, refusal and reset change what the expenses' state says.
        if {"approval_state", "state", "expense_line_ids"} & set(vals):
            self.expense_line_ids._invoicera_sync_items()
        return res
