from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv.expression import OR
from odoo.tools import SQL


class InvoiceraUnbilledClient(models.Model):
    """The Unbilled Work screen: one line per client and currency of its items."""

    _name = "invoicera.unbilled.client"
    _description = "Unbilled Work by Client"
    _inherit = ["invoicera.currency.amounts.mixin"]
    _invoicera_currency_amounts = ("amount",)
    _auto = False
    _order = "amount desc"
    _depends = {
        "invoicera.billable.item": [
            "active",
            "partner_id",
            "company_id",
            "currency_id",
            "state",
            "deferred_until",
            "quantity",
            "amount",
            "price_unit",
            "price_at_cost",
            "project_id",
            "product_id",
            "task_id",
            "employee_id",
            "date",
            "uom_id",
            "audit_flagged",
            "client_approval",
        ],
        "project.milestone": [
            "deadline",
            "is_reached",
            "project_id",
            "invoicera_amount",
            "invoicera_currency_id",
            "sale_line_id",
        ],
        "project.project": ["partner_id", "company_id", "active", "allow_billable"],
        "res.partner": ["commercial_partner_id", "invoicera_invoice_detail"],
    }

    partner_id = fields.Many2one("res.partner", "Client", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    item_count = fields.Integer("Items", readonly=True)
    hours = fields.Float(readonly=True)
    amount = fields.Monetary(readonly=True)
    oldest_date = fields.Date("Oldest Item", readonly=True)
    deferred_count = fields.Integer("Deferred", readonly=True)
    later_count = fields.Integer(
        "Dated Later",
        readonly=True,
        help="Items dated after today: billed by a run whose cut-off date reaches their date.",
    )
    flagged_count = fields.Integer("Flagged", readonly=True, help="Items flagged by the audit.")
    pending_count = fields.Integer(
        "Awaiting Client", readonly=True, help="Items waiting for the client's approval."
    )
    disputed_count = fields.Integer("Disputed", readonly=True, help="Items the client disputed.")
    approval_count = fields.Integer(
        "Awaiting Approval",
        compute="_compute_approval_count",
        help="The client's timesheet entries, up to today, to submit or submitted on "
        "projects that approve time (of this line's company): billed once approved.",
    )
    next_milestone_date = fields.Date(
        "Next Milestone",
        readonly=True,
        help="The deadline of the client's next milestone whose fixed fee is billed "
        "here once reached (on this line's company and currency); in the past when "
        "that milestone is overdue.",
    )

    @property
    def _table_query(self):
        hour = self.env.ref("uom.product_uom_hour")
        hour_category = hour.category_id.id
        today = fields.Date.context_today(self)
        # billable by a run whose cut-off date reaches the item's date
        ready = SQL(
            """(item.state = 'to_bill'
                OR (item.state = 'deferred' AND item.deferred_until <= %(today)s))
               AND item.client_approval IN ('not_required', 'approved')""",
            today=today,
        )
        # what "Invoice all" bills today (_billable_domain, its cut-off date
        # today): not what waits for (or was disputed by) the client, nor work
        # dated later, counted apart; deferrals whose date is reached
        to_bill = SQL("%s AND item.date <= %s", ready, today)
        return SQL(
            """
            SELECT MIN(item.id) AS id,
                   item.partner_id,
                   item.company_id,
                   item.currency_id,
                   COUNT(*) FILTER (WHERE %(to_bill)s) AS item_count,
                   COALESCE(SUM(%(in_hours)s) FILTER (
                       WHERE %(to_bill)s AND uom.category_id = %(hours)s), 0) AS hours,
                   COALESCE(MIN(billed.amount), 0) AS amount,
                   MIN(item.date) FILTER (WHERE %(to_bill)s) AS oldest_date,
                   COUNT(*) FILTER (
                       WHERE item.state = 'deferred' AND item.deferred_until > %(today)s
                   ) AS deferred_count,
                   COUNT(*) FILTER (
                       WHERE %(ready)s AND item.date > %(today)s
                   ) AS later_count,
                   COUNT(*) FILTER (WHERE item.audit_flagged) AS flagged_count,
                   COUNT(*) FILTER (WHERE item.client_approval = 'pending') AS pending_count,
                   COUNT(*) FILTER (WHERE item.client_approval = 'disputed') AS disputed_count,
                   (%(next_milestone)s) AS next_milestone_date
              FROM invoicera_billable_item item
              JOIN uom_uom uom ON uom.id = item.uom_id
         LEFT JOIN (%(billed)s) billed
                ON billed.partner_id = item.partner_id
               AND billed.company_id = item.company_id
               AND billed.currency_id = item.currency_id
             WHERE item.state IN ('to_bill', 'deferred') AND item.active
          GROUP BY item.partner_id, item.company_id, item.currency_id
            """,
            billed=self._billed_amount_query(to_bill),
            hours=hour_category,
            # work in another unit of time (a subcontractor's days), in hours
            in_hours=SQL(
                """CASE WHEN uom.id = %(hour)s THEN item.quantity
                        ELSE item.quantity / uom.factor * %(factor)s END""",
                hour=hour.id,
                factor=hour.factor,
            ),
            to_bill=to_bill,
            ready=ready,
            today=today,
            next_milestone=self._next_milestone_query(),
        )

    def _compute_approval_count(self):
        """The clients' time awaiting approval, one query per company."""
        today = fields.Date.context_today(self)
        for company, lines in self.grouped("company_id").items():
            counts = self.env["account.analytic.line"]._invoicera_awaiting_approval(
                lines.partner_id, company, today
            )
            for line in lines:
                line.approval_count = counts.get(line.partner_id, 0)

    @api.model
    def _billed_amount_query(self, to_bill):
        """What "Invoice all" bills of the items ``to_bill`` (a condition on
        ``item``), per client, company and currency, at the items' rates (before
        taxes, and the fiscal positions that map them): the amounts of its
        invoice lines (``_invoice_lines``), each rounded once (quantities summed,
        then priced), not the sum of the items' rounded amounts (40 entries of
        0.25 h at 85.50 are one line of 855.00, not 40 × 21.38). The lines are
        split as the client's invoice line detail asks in the item's company
        (its company default when the client has none)."""
        detail_default = SQL(
            "CASE item.company_id %s ELSE 'project' END",
            SQL(" ").join(
                SQL("WHEN %s THEN %s", company.id, detail or "project")
                for company in self.env.companies
                for detail in [
                    # as Odoo's fallback of a company-dependent field: the
                    # company's default, not a user's own
                    self.env["ir.default"]
                    .with_user(SUPERUSER_ID)
                    .with_company(company)
                    ._get_model_defaults("res.partner")
                    .get("invoicera_invoice_detail")
                ]
            ),
        )
        return SQL(
            """
            SELECT line.partner_id, line.company_id, line.currency_id,
                   SUM(line.amount) AS amount
              FROM (
                SELECT item.partner_id, item.company_id, item.currency_id,
                       ROUND(SUM(item.quantity) * item.price_unit / currency.rounding)
                           * currency.rounding AS amount
                  FROM invoicera_billable_item item
                  JOIN res_currency currency ON currency.id = item.currency_id
                  JOIN res_partner client ON client.id = item.partner_id
                 CROSS JOIN LATERAL (
                       SELECT COALESCE(
                           client.invoicera_invoice_detail->>(item.company_id::text),
                           %(detail_default)s
                       ) AS detail
                   ) line_detail
                 WHERE item.state IN ('to_bill', 'deferred') AND item.active AND %(to_bill)s
              GROUP BY item.partner_id, item.company_id, item.currency_id, currency.rounding,
                       item.project_id, item.product_id, item.uom_id, item.price_unit,
                       item.price_at_cost,
                       CASE WHEN line_detail.detail = 'task' THEN item.task_id END,
                       CASE WHEN line_detail.detail = 'employee' THEN item.employee_id END,
                       CASE WHEN line_detail.detail = 'item' THEN item.id END
                   ) line
          GROUP BY line.partner_id, line.company_id, line.currency_id
            """,
            detail_default=detail_default,
            to_bill=to_bill,
        )

    @api.model
    def _next_milestone_query(self):
        """The deadline of the line's next fee to bill here (a subquery of a line,
        ``item`` its items): a milestone not reached, overdue ones included (the
        next fee to bill, as Odoo's next milestone of a project), whose fee
        (``project.milestone._invoicera_billable``) this screen will bill once
        reached, on this line: a fee above zero, not on a sale order line, of an
        active billable project of the client (or of one of its contacts), of
        the line's company, in the line's currency. The fee of a project of every
        company is billed by the company its fee was billed in before, else by
        the current one (``project.milestone._invoicera_companies``): on that
        company's line only, not on every company's."""
        return SQL(
            """SELECT MIN(milestone.deadline)
                 FROM project_milestone milestone
                 JOIN project_project project ON project.id = milestone.project_id
                 JOIN res_partner customer ON customer.id = project.partner_id
                WHERE customer.commercial_partner_id = item.partner_id
                  AND project.active
                  AND project.allow_billable
                  AND COALESCE(
                          project.company_id,
                          (SELECT fee.company_id
                             FROM invoicera_billable_item fee
                            WHERE fee.source_model = 'project.milestone'
                              AND fee.source_id = milestone.id
                            LIMIT 1),
                          %(company)s
                      ) = item.company_id
                  AND milestone.invoicera_currency_id = item.currency_id
                  AND milestone.invoicera_amount > 0
                  AND milestone.sale_line_id IS NULL
                  AND milestone.is_reached IS NOT TRUE""",
            company=self.env.company.id,
        )

    def action_review(self):
        """The editable list of the unbilled items of these lines: of their client,
        company and currency (a client's items in another currency are on another line)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "invoicera_billing.action_invoicera_billable_item"
        )
        action["domain"] = self._items_domain()
        action["context"] = {"search_default_to_bill": 1, "search_default_deferred": 1}
        action["name"] = (
            self.partner_id.display_name if len(self.partner_id) == 1 else action["name"]
        )
        return action

    def _items_domain(self):
        """The items of these lines: of their client, company and currency."""
        return OR(
            [
                [
                    ("partner_id", "=", line.partner_id.id),
                    ("company_id", "=", line.company_id.id),
                    ("currency_id", "=", line.currency_id.id),
                ]
                for line in self
            ]
        )

    def action_invoice(self):
        """Open "Invoice Unbilled Work" for these clients (all when none selected),
        for their company: a run invoices one company's work."""
        if len(self.company_id) > 1:
            raise UserError(
                _(
                    "These clients' work belongs to several companies (%(companies)s): "
                    "invoice one company's clients at a time.",
                    companies=", ".join(self.company_id.mapped("name")),
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "invoicera_billing.action_invoicera_billing_run_new"
        )
        action["context"] = {
            "default_partner_ids": self.partner_id.ids,
            "default_company_id": (self.company_id or self.env.company).id,
        }
        return action

    def action_audit(self):
        """Run the pre-billing audit on the items of these lines (every client when
        none): of their client, company and currency, as ``action_review`` lists
        them (not the client's items of other lines, e.g. of another company)."""
        Item = self.env["invoicera.billable.item"]
        items = Item.search(
            [("state", "in", ("to_bill", "deferred"))] + (self._items_domain() if self else [])
        )
        return Item._audit_notification(Item._audit(items))

    def action_audit_all(self):
        # Not @api.model: the web client calls a header button with the
        # selected ids, which every client's audit ignores.
        return self.browse().action_audit()

    def action_invoice_all(self):
        return self.browse().action_invoice()
