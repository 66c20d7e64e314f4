from odoo import fields, models


class InvoiceraBillableItem(models.Model):
    _inherit = "invoicera.billable.item"

    source = fields.Selection(selection_add=[("time", "Time")], ondelete={"time": "cascade"})
