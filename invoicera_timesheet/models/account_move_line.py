from odoo import _, api, fields, models
from odoo.osv import expression

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import (
    ENGINE,
    InvoiceraBillableMixin,
    engine_flag,
)

from .sale_order_line import APPROVED_TIME

#: vendor bill line fields whose change changes what its item bills: locked
#: once invoiced (moved to another project, Odoo would re-invoice the cost there)
BILLED_FIELDS = {"analytic_distribution", "invoicera_rebill", "product_id"}
#: vendor bill line fields whose change may change its billable item
SYNC_FIELDS = BILLED_FIELDS | {"name"}
#: the lines of vendor bills that may be billed: products, once posted
POSTED_COSTS = [
    ("move_id.move_type", "=", "in_invoice"),
    ("parent_state", "=", "posted"),
    ("display_type", "=", "product"),
]


class AccountMoveLine(models.Model):
    """Vendor bill lines re-billed to a client are a source: "vendor_cost".

    A line of a posted vendor bill is re-billed when it goes (analytic
    distribution) to a billable project of a client and it is marked
    *Re-bill* — or its product can be re-invoiced (at cost or at its sales
    price). Projects sold through a sale order keep Odoo's own re-invoicing,
    and so does a line Odoo re-invoices on an order whatever else its analytic
    distribution goes to.
    The bill Odoo makes of an employee's expense report is not a source: its
    expenses are.
    """

    _name = "account.move.line"
    _inherit = ["account.move.line", "invoicera.billable.mixin"]

    _invoicera_source = "vendor_cost"
    #: billed by its project's company (the bill may be a sister company's, on
    #: the project's analytic account of every company): its item follows the
    #: project to another company
    _invoicera_synced_fields = (*InvoiceraBillableMixin._invoicera_synced_fields, "company_id")

    invoicera_rebill = fields.Boolean(
        "Re-bill",
        help="Bill this cost to the client of the project in its analytic "
        "distribution (Billing ▸ Work ▸ Unbilled Work).",
    )
    invoicera_corrected_line_id = fields.Many2one(
        "account.move.line",
        "Corrects",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The line of the vendor bill this bill corrects (Reverse and create a "
        "new draft): what was decided on its cost goes on with this one.",
    )

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        if self.env.context.get("invoicera_correcting_bill"):
            for line, vals in zip(self, vals_list, strict=True):
                if line.display_type == "product":
                    vals["invoicera_corrected_line_id"] = line.id
        return vals_list

    def write(self, vals):
        if BILLED_FIELDS & set(vals) and not engine_flag(self.env, "invoicera_sync"):
            self._invoicera_vendor_lines()._invoicera_check_not_billed()
        res = super().write(vals)
        if SYNC_FIELDS & set(vals) and not engine_flag(self.env, "invoicera_sync"):
            self._invoicera_vendor_lines()._invoicera_sync_items()
        # a credit note scheduled for a later date, edited: it may credit another amount
        self.move_id._invoicera_scheduled_credit_notes()._invoicera_sync_vendor_costs()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_invoicera_items(self):
        self._invoicera_vendor_lines()._invoicera_unlink_items()

    def _invoicera_source_action(self, item):
        """A cost opens its vendor bill, not a journal item."""
        return item._source_action(
            self.move_id,
            denied=_(
                "You cannot open this vendor bill: it needs Invoicing access; its details are on "
                "the item."
            ),
        )

    def _timesheet_domain_get_invoiced_lines(self, sale_line_delivery):
        """The time Odoo's invoice of an order line bills: on a project that
        approves time, approved time only (as only it is delivered, see
        ``sale.order.line._timesheet_compute_delivered_quantity_domain``)."""
        return expression.AND(
            [super()._timesheet_domain_get_invoiced_lines(sale_line_delivery), APPROVED_TIME]
        )

    def _invoicera_vendor_lines(self):
        """Product lines of vendor bills, but those of an employee's expense report
        (its expenses are billed as expenses, source "expense", not again as
        costs) and those of a credit note's reversal: as Odoo, which does not
        re-invoice a reversal, it gives back the bill its credit note credited
        (``_invoicera_credited_in_full``), which is billed again."""
        return self.filtered(
            lambda line: line.move_id.move_type == "in_invoice"
            and line.display_type == "product"
            and not line.expense_id
            and line.move_id.reversed_entry_id.move_type != "in_refund"
        )

    @api.model
    def _invoicera_project_records(self, projects):
        # a cost bills the project of its analytic distribution, once posted
        return self._invoicera_search_analytic(projects, POSTED_COSTS)._invoicera_vendor_lines()

    @api.model
    def _invoicera_product_domain(self, products):
        # a cost is billed for its product's re-invoicing policy, once posted
        # (not an expense's line: the expense is billed)
        return [("product_id", "in", products.ids), ("expense_id", "=", False), *POSTED_COSTS]

    def _invoicera_shares(self):
        return self.env["project.project"]._invoicera_cost_shares(self)

    def _invoicera_billable(self):
        lines = self._invoicera_vendor_lines()
        credited = lines.move_id._invoicera_credited_in_full(scheduled=True)
        candidates = lines.filtered(
            lambda line: line.parent_state == "posted"
            and line.move_id not in credited
            and (line.invoicera_rebill or line.product_id.expense_policy in ("cost", "sales_price"))
            # a cost, not a discount or a return (a credit): as Odoo, which
            # re-invoices costs only; billed, it would be a negative amount. A
            # free line (a sample at 0) is no cost: billed at cost, a zero rate,
            # refused with the client's other work; at its sales price, billed.
            and (
                line.company_currency_id.compare_amounts(line.balance, 0) > 0
                or (
                    line.company_currency_id.is_zero(line.balance)
                    and line.product_id.expense_policy == "sales_price"
                )
            )
            # sudo: whether Odoo re-invoices the line on a sale order (its
            # analytic entries then carry the order line), whole, even where
            # its distribution also goes to a project billed here: never both
            and not line.sudo().analytic_line_ids.so_line
        )
        shares = candidates._invoicera_shares()
        return candidates.filtered(lambda line: shares[line.id][0])

    def _invoicera_sync_items(self):
        self._invoicera_take_over_corrected_items()
        return super()._invoicera_sync_items()

    def _invoicera_take_over_corrected_items(self):
        """The lines of a corrected bill (Reverse and create a new draft), posted,
        take over the item of the line each corrects, archived since the credit
        note took its cost back: what was decided on the cost (excluded,
        deferred, written off, its quantity, rate or description edited) goes on
        with the corrected cost, which the sync then brings up to date as it
        does a bill edited (reset to draft, corrected, posted again)."""
        lines = self.filtered(
            lambda line: line.invoicera_corrected_line_id and line.parent_state == "posted"
        )
        if not lines:
            return
        has_item = set(lines._invoicera_items().mapped("source_id"))
        archived = {
            item.source_id: item
            for item in lines.invoicera_corrected_line_id._invoicera_items()
            if not item.active and item.state != "invoiced"
        }
        for line in lines:
            item = archived.get(line.invoicera_corrected_line_id.id)
            if item and line.id not in has_item:
                item.with_context(invoicera_sync=ENGINE).source_id = line.id

    def _invoicera_item_values(self):
        shares = self._invoicera_shares()
        cost_product = self.env.ref("invoicera_timesheet.product_invoicera_cost")
        values = []
        for line in self:
            project, share = shares[line.id]
            partner = project.partner_id.commercial_partner_id
            quantity = line.quantity or 1.0
            product = line.product_id or cost_product
            day = line.move_id.invoice_date or line.date
            company = project._invoicera_billing_company(line.company_id)
            # a cost re-billed, not priced as the product is sold (_price_in_position)
            at_cost = line.product_id.expense_policy != "sales_price"
            if not at_cost:
                # as Odoo re-invoices it (_sale_get_invoice_price): the price
                # of one, in the line's unit (a dozen bought, a dozen's price),
                # on the day of the bill (the pricelist's rules valid then,
                # converted at that day's rate)
                pricelist = partner.with_company(company).property_product_pricelist
                currency = pricelist.currency_id or company.currency_id
                unit_price = pricelist.with_company(company)._get_product_price(
                    product,
                    1.0,
                    currency=currency,
                    uom=line.product_uom_id or product.uom_id,
                    date=day,
                )
                price = unit_price * share / 100.0
            else:
                price = project._invoicera_cost_price(line.price_subtotal / quantity, share)
                currency = line.currency_id
            vendor = line.move_id.partner_id.commercial_partner_id.name
            label = line.name or product.display_name
            values.append(
                {
                    "source_id": line.id,
                    "name": f"{label} ({vendor})" if vendor else label,
                    "date": day,
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "project_id": project.id,
                    "product_id": product.id,
                    "worked_quantity": quantity,
                    "quantity": quantity,
                    "uom_id": (line.product_uom_id or product.uom_id).id,
                    "price_unit": price,
                    "standard_price_unit": price,
                    "price_at_cost": at_cost,
                    "currency_id": currency.id,
                }
            )
        return values
