from odoo import fields, models


class InvoiceraBillableItem(models.Model):
    _inherit = "invoicera.billable.item"

    source = fields.Selection(
        selection_add=[
            ("time", "Time"),
            ("expense", "Expense"),
            ("vendor_cost", "Vendor Cost"),
            ("milestone", "Milestone"),
            ("material", "Material"),
        ],
        ondelete={
            "time": "cascade",
            "expense": "cascade",
            "vendor_cost": "cascade",
            "milestone": "cascade",
            "material": "cascade",
        },
    )
