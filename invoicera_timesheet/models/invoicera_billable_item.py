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

    # Odoo lets an employee log time on a project of another of their companies
    # (hr_timesheet: an employee in the selected companies): the time is the
    # project's company's to bill, by whoever worked it
    employee_id = fields.Many2one(check_company=False)

    def _audit_daily_hours(self):
        """The hours of time items are the employee's timesheets of the day, on
        any project, billable or not (one query), in hours: a timesheet entered
        in another unit of working time (Days) counts as that many hours, one
        without unit as hours (as its item); other units are no time."""
        time = self.filtered(lambda item: item.source == "time")
        result = super(InvoiceraBillableItem, self - time)._audit_daily_hours()
        if not time:
            return result
        hour = self.env.ref("uom.product_uom_hour")
        groups = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "=", time.company_id.id),
                    ("project_id", "!=", False),
                    ("employee_id", "in", time.employee_id.ids),
                    ("date", "in", list(set(time.mapped("date")))),
                ],
                ["employee_id", "date:day", "product_uom_id"],
                ["unit_amount:sum"],
            )
        )
        timesheets = {}
        for employee, day, uom, amount in groups:
            if uom and uom.category_id != hour.category_id:
                continue
            worked = uom._compute_quantity(amount, hour, round=False) if uom else amount
            key = (employee.id, day)
            timesheets[key] = timesheets.get(key, 0.0) + worked
        result.update(timesheets)
        return result
