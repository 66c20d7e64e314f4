from collections import defaultdict

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
    # The sources bill in several units (hours, units, dozens...): their
    # quantities are not added up in groups (Billable Items is grouped by client)
    # nor offered as a measure, as the aging report's
    worked_quantity = fields.Float(aggregator=None)
    quantity = fields.Float(aggregator=None)

    def _audit_daily_hours(self):
        """The hours of the day are the employee's timesheets of the day, on any
        project, billable or not, of any company (time logged on a sister
        company's project is of the same working day), in hours (a timesheet
        entered in another unit of working time, Days, counts as that many
        hours, one without unit as hours, as its item; other units are no
        time), plus the work of the other sources counted in time that day (an
        expense of half a consultant's day), as the engine counts it: for every
        item audited, time or not (one query each)."""
        if not self:
            return {}
        hour = self.env.ref("uom.product_uom_hour")
        # the other sources' items (time is counted from the timesheets below)
        result = defaultdict(float, self._audit_item_hours([("source", "!=", "time")]))
        for employee, day, uom, amount in (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [
                    ("employee_id", "in", self.employee_id.ids),
                    ("date", "in", list(set(self.mapped("date")))),
                    ("project_id", "!=", False),
                ],
                ["employee_id", "date:day", "product_uom_id"],
                ["unit_amount:sum"],
            )
        ):
            if uom and uom.category_id != hour.category_id:
                continue
            worked = uom._compute_quantity(amount, hour, round=False) if uom else amount
            result[employee.id, day] += worked
        return dict(result)
