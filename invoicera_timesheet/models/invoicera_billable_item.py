from collections import defaultdict

from odoo import fields, models

#: the sources of this addon: their items go with it when it is uninstalled
#: (``hooks.py`` keeps what was decided on them for a reinstall)
SOURCES = [
    ("time", "Time"),
    ("expense", "Expense"),
    ("vendor_cost", "Vendor Cost"),
    ("milestone", "Milestone"),
    ("material", "Material"),
]


class InvoiceraBillableItem(models.Model):
    _inherit = "invoicera.billable.item"

    source = fields.Selection(
        selection_add=SOURCES, ondelete=dict.fromkeys(dict(SOURCES), "cascade")
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

    def _audit_daily_hours(self, leaving=None):
        """The hours of the day are the employee's timesheets of the day, on any
        project, billable or not, of any company (time logged on a sister
        company's project is of the same working day), in hours (a timesheet
        entered in another unit of working time, Days, counts as that many
        hours, one without unit as hours, as its item; other units are no
        time), plus the work of the other sources counted in time that day (an
        expense of half a consultant's day), as the engine counts it: for every
        item audited, time or not (a few queries, whatever their number).

        A timesheet whose item billing staff dated by hand counts on its item's
        day, as the screen shows it, not on its own (nor on both); the
        timesheets of ``leaving`` (about to be deleted) count on none."""
        if not self:
            return {}
        hour = self.env.ref("uom.product_uom_hour")
        # the other sources' items (time is counted from the timesheets below)
        result = defaultdict(float, self._audit_item_hours([("source", "!=", "time")]))
        employee_ids = self.employee_id.ids
        days = list(set(self.mapped("date")))
        Line = self.env["account.analytic.line"].sudo()
        gone = leaving.ids if leaving is not None and leaving._name == Line._name else []
        domain = [
            ("employee_id", "in", employee_ids),
            ("project_id", "!=", False),
            ("id", "not in", gone),
        ]

        def hours(uom, amount):
            """``amount`` of ``uom`` in hours (None: no working time)."""
            if uom and uom.category_id != hour.category_id:
                return None
            return uom._compute_quantity(amount, hour, round=False) if uom else amount

        for employee, day, uom, amount in Line._read_group(
            [*domain, ("date", "in", days)],
            ["employee_id", "date:day", "product_uom_id"],
            ["unit_amount:sum"],
        ):
            worked = hours(uom, amount)
            if worked is not None:
                result[employee.id, day] += worked
        # time dated by hand on its item, to one of these days or from one
        # (archived items too: the time is worked, and counted, all the same)
        redated = (
            self.sudo()
            .with_context(active_test=False)
            .search_fetch(
                [
                    ("source", "=", "time"),
                    ("source_model", "=", Line._name),
                    ("date_manual", "=", True),
                    ("employee_id", "in", employee_ids),
                    "|",
                    ("date", "in", days),
                    ("source_id", "in", Line._search([*domain, ("date", "in", days)])),
                ],
                ["source_id", "date"],
            )
        )
        lines = Line.browse(redated.mapped("source_id")).filtered_domain(domain)
        line_of = {line.id: line for line in lines}
        for item in redated:
            line = line_of.get(item.source_id)
            if not line or line.date == item.date:
                continue
            worked = hours(line.product_uom_id, line.unit_amount)
            if worked is not None:
                result[line.employee_id.id, line.date] -= worked
                result[line.employee_id.id, item.date] += worked
        return dict(result)
