from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import (
    InvoiceraBillableMixin,
    engine_flag,
)
from odoo.addons.invoicera_billing.tools import changed_by, named_for_message

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
#: the expenses that may be billed: approved (or paid)
APPROVED = [("state", "in", ("approved", "done"))]


class HrExpense(models.Model):
    """Approved expenses re-billable to a client are a source: "expense".

    An expense is re-billed by Invoicera when it is approved, its product can
    be re-invoiced (at cost or at its sales price) and its analytic
    distribution goes to a billable project of a client. Expenses re-invoiced
    through a sale order stay with Odoo's own flow (``_invoicera_reinvoiced``).
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
            self._invoicera_billed_changes(vals)._invoicera_check_not_billed()
            changed_by(self, vals, ["sale_order_id"])._invoicera_check_order_not_posted()
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
        return self._invoicera_search_analytic(projects, APPROVED)

    @api.model
    def _invoicera_product_domain(self, products):
        # an expense is billed for its product's re-invoicing policy, once approved
        return [("product_id", "in", products.ids), *APPROVED]

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
        candidates -= candidates._invoicera_reinvoiced()
        shares = candidates._invoicera_shares()
        return candidates.filtered(lambda e: shares[e.id][0])

    def _invoicera_billed_changes(self, vals):
        """The expenses of ``self`` whose ``write(vals)`` changes what they bill:
        a value sent again changes nothing (``changed_by``), and neither does the
        unit price of an expense Odoo does not compute its total from (no cost
        on its product: its total is entered, in its own currency, which is
        billed). Odoo writes that price when a manager corrects the total in the
        company's currency to the actual exchange rate (``_inverse_total_amount``)."""
        return changed_by(self, vals, BILLED_FIELDS - {"price_unit"}) | changed_by(
            self.filtered("product_has_cost"), vals, ["price_unit"]
        )

    def _invoicera_posted_lines(self):
        """The posted journal items of the expenses of ``self``, sudoed (an
        expense's approver may not read accounting), on the journal entries of
        their reports: a report reset to draft reverses its entry and lets go of
        it, whose items still name the expense."""
        expense_ids = set(self.ids)
        return self.sudo().sheet_id.account_move_ids.line_ids.filtered(
            lambda line: line.parent_state == "posted" and line.expense_id.id in expense_ids
        )

    def _invoicera_reinvoiced(self):
        """The expenses of ``self`` Odoo re-invoices on a sale order (sale_expense).

        Odoo decides when their report's journal entry is posted: the analytic
        entries of an expense with a *Customer to Reinvoice* then get an order
        line, added to that order (``_sale_can_be_reinvoice``,
        ``_sale_create_reinvoice_sale_line``); a *Customer to Reinvoice*
        changed later (or cleared by Odoo, its product re-invoiced no more)
        moves nothing. Posted, an expense is Odoo's exactly when its analytic
        entries carry an order line; not posted yet, or its entry reset to
        draft (which deletes them: the order delivers it no more), its
        *Customer to Reinvoice* says what Odoo will do."""
        lines_sudo = self._invoicera_posted_lines()
        posted = set(lines_sudo.expense_id.ids)
        on_order = set(
            lines_sudo.filtered(lambda line: line.analytic_line_ids.so_line).expense_id.ids
        )
        return self.filtered(
            lambda e: e.id in on_order if e.id in posted else bool(e.sale_order_id)
        )

    def _invoicera_check_order_not_posted(self):
        """Refuse a new *Customer to Reinvoice* on expenses whose report's journal
        entry is posted (UserError naming them): Odoo decided then whether it
        re-invoices them and never acts on the change (its form shows the field
        read-only then, its list does not); changed, the expense would be billed
        twice, or never. Reset to draft, the entry lets it change: posted again,
        Odoo re-invoices the expense on the new order, or Invoicera bills it."""
        posted = self & self.browse(self._invoicera_posted_lines().expense_id.ids)
        if posted:
            raise UserError(
                _(
                    "The journal entry of these expenses is posted: Odoo decided then "
                    "whether to re-invoice them on a sales order, and does not act on a "
                    "new Customer to Reinvoice. Reset the journal entry to draft to change "
                    "it.%(expenses)s",
                    expenses=posted._invoicera_names(),
                )
            )

    def _invoicera_names(self):
        """The expenses, named for an error message."""
        return named_for_message(
            self,
            lambda e: f"{e.employee_id.name} · {format_date(self.env, e.date)} · {e.name}",
        )

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
