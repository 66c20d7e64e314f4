from odoo import _, api, fields, models

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import (
    InvoiceraBillableMixin,
    engine_flag,
)

#: expense fields whose change changes what its item bills: locked once invoiced
BILLED_FIELDS = {
    "date",
    "product_id",
    "quantity",
    "product_uom_id",
    "price_unit",
    "total_amount_currency",
    "untaxed_amount_currency",
    "currency_id",
    "analytic_distribution",
    "employee_id",
    "sale_order_id",
    "sheet_id",
    "tax_ids",
}
#: expense fields whose change may change its billable item
SYNC_FIELDS = BILLED_FIELDS | {"name"}


class HrExpense(models.Model):
    """Approved expenses re-billable to a client are a source: "expense".

    An expense is re-billed by Invoicera when it is approved, its product can
    be re-invoiced (at cost or at its sales price) and its analytic
    distribution goes to a billable project of a client. Expenses re-invoiced
    through a sale order stay with Odoo's own flow.
    """

    _name = "hr.expense"
    _inherit = ["hr.expense", "invoicera.billable.mixin"]

    _invoicera_source = "expense"
    #: billed by its project's company (a sister company's employee may spend
    #: for it): its item follows the project to another company
    _invoicera_synced_fields = (*InvoiceraBillableMixin._invoicera_synced_fields, "company_id")

    @api.model_create_multi
    def create(self, vals_list):
        expenses = super().create(vals_list)
        expenses._invoicera_sync_items()
        return expenses

    def write(self, vals):
        if BILLED_FIELDS & set(vals) and not engine_flag(self.env, "invoicera_sync"):
            self._invoicera_check_not_billed()
        res = super().write(vals)
        if SYNC_FIELDS & set(vals) and not engine_flag(self.env, "invoicera_sync"):
            self._invoicera_sync_items()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_invoicera_items(self):
        self._invoicera_unlink_items()

    @api.model
    def _invoicera_project_records(self, projects):
        # an expense bills the project of its analytic distribution, once approved
        return self._invoicera_search_analytic(projects, [("state", "in", ("approved", "done"))])

    def _invoicera_source_action(self, item):
        return item._source_action(
            self,
            denied=_(
                "You cannot open this expense: it needs Expenses access; its details are on "
                "the item."
            ),
        )

    def _invoicera_shares(self):
        return self.env["project.project"]._invoicera_cost_shares(self)

    def _invoicera_billable(self):
        candidates = self.filtered(
            lambda e: e.state in ("approved", "done")
            and not e.sale_order_id
            and e.product_id.expense_policy in ("cost", "sales_price")
            # a refund is not re-billed (as Odoo, which re-invoices costs only);
            # an expense of 0 is no cost either (as a free vendor line): billed
            # at cost, a zero rate, refused with the client's other work; at its
            # sales price, billed
            and (
                e.currency_id.compare_amounts(e.total_amount_currency, 0) > 0
                or (
                    e.currency_id.is_zero(e.total_amount_currency)
                    and e.product_id.expense_policy == "sales_price"
                )
            )
        )
        shares = candidates._invoicera_shares()
        return candidates.filtered(lambda e: shares[e.id][0])

    def _invoicera_day(self):
        """The day of the expense; an expense without one (Odoo's date is
        optional) is billed on the day its report was approved (set once, when
        it becomes billable: the report's accounting date comes later, when it
        is posted, and would move the work to another day)."""
        self.ensure_one()
        sheet = self.sheet_id
        return (
            self.date
            or fields.Date.to_date(sheet.approval_date)
            or sheet.accounting_date
            or fields.Date.context_today(self)
        )

    def _invoicera_item_values(self):
        shares = self._invoicera_shares()
        values = []
        for expense in self:
            project, share = shares[expense.id]
            partner = project.partner_id.commercial_partner_id
            quantity = expense.quantity or 1.0
            day = expense._invoicera_day()
            company = project._invoicera_billing_company(expense.company_id)
            # a cost re-billed, not priced as the product is sold (_price_in_position)
            at_cost = expense.product_id.expense_policy != "sales_price"
            if not at_cost:
                # as Odoo re-invoices it (_sale_get_invoice_price): the price
                # of one, in the expense's unit, on the day of the expense (the
                # pricelist's rules valid then, converted at that day's rate)
                pricelist = partner.with_company(company).property_product_pricelist
                currency = pricelist.currency_id or company.currency_id
                unit_price = pricelist.with_company(company)._get_product_price(
                    expense.product_id,
                    1.0,
                    currency=currency,
                    uom=expense.product_uom_id or expense.product_id.uom_id,
                    date=day,
                )
                price = unit_price * share / 100.0
            else:
                unit_cost = expense.untaxed_amount_currency / quantity
                price = project._invoicera_cost_price(unit_cost, share)
                currency = expense.currency_id
            values.append(
                {
                    "source_id": expense.id,
                    "name": expense.name or expense.product_id.display_name,
                    "date": day,
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "project_id": project.id,
                    "employee_id": expense.employee_id.id,
                    "product_id": expense.product_id.id,
                    "worked_quantity": quantity,
                    "quantity": quantity,
                    "uom_id": (expense.product_uom_id or expense.product_id.uom_id).id,
                    "price_unit": price,
                    "standard_price_unit": price,
                    "price_at_cost": at_cost,
                    "currency_id": currency.id,
                }
            )
        return values
