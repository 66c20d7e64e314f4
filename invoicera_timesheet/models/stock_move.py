from odoo import _, api, fields, models
from odoo.osv import expression
from odoo.tools import SQL, float_compare, float_is_zero, float_round
from odoo.tools.sql import column_exists, create_column

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import (
    InvoiceraBillableMixin,
)


class StockMove(models.Model):
    """Materials delivered from stock to a client's project are a source: "material".

    A done move of a delivery (outgoing picking) made for a billable project
    of a client (the picking's *Project*) is billed at the product's price in
    the client's pricelist, for what was delivered less what came back
    (returns done before it is invoiced). Deliveries of sale orders keep
    Odoo's own flow, whatever their project: sale_stock puts what they deliver
    on the order (a product added to the delivery too), and a move on an order
    line is the order's to invoice. So do the deliveries Odoo re-invoices on
    their project's order when they are validated (sale_project_stock: an
    operation type with *Analytic Costs*, a product re-invoiced), whatever
    becomes of the order or of the delivery's project afterwards; the other
    deliveries of a sold project are billed here, as is a delivery validated
    for a project billed here, whichever billable project it is moved to.

    The replacement Odoo's *Return for Exchange* sends (a new delivery, with no
    project) is billed as a delivery of the project of the delivery it
    replaces, for no more than what the returns took off that delivery's bill:
    the client keeps what was delivered, and is billed for it once. Of a
    delivery excluded, deferred or written off, it takes that decision.
    """

    _name = "stock.move"
    _inherit = ["stock.move", "invoicera.billable.mixin"]

    _invoicera_source = "material"
    #: material is billed by its project's company, as the project's time (a
    #: sister company's warehouse may deliver for it): a delivery moved to a
    #: project of another company, or its project given to one, follows it
    _invoicera_synced_fields = (*InvoiceraBillableMixin._invoicera_synced_fields, "company_id")

    invoicera_sold_project = fields.Boolean(
        "Validated for a Sold Project",
        copy=False,
        readonly=True,
        help="Put on its project's sale order by Odoo when it was validated (an "
        "operation type with Analytic Costs, a product re-invoiced): the order's "
        "to invoice, never billed by Invoicera.",
    )
    invoicera_replaced_move_id = fields.Many2one(
        "stock.move",
        "Replacement For",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The delivery whose returned goods this move replaces (Return for "
        "Exchange): billed as a delivery of its project, for no more than what "
        "the returns took off its bill.",
    )
    invoicera_replacement_move_ids = fields.One2many(
        "stock.move", "invoicera_replaced_move_id", "Replacements", readonly=True
    )

    def _auto_init(self):
        if not column_exists(self.env.cr, self._table, "invoicera_sold_project"):
            create_column(self.env.cr, self._table, "invoicera_sold_project", "boolean")
            self._invoicera_flag_sold_deliveries()
        return super()._auto_init()

    def _invoicera_flag_sold_deliveries(self):
        """Flag the moves done before the flag existed that Odoo re-invoices on
        their project's order (see ``_invoicera_reinvoiced_on_order``), unless
        billed here already."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE stock_move move
                   SET invoicera_sold_project = TRUE
                  FROM stock_picking picking
                  JOIN project_project project ON project.id = picking.project_id
                  JOIN stock_picking_type kind ON kind.id = picking.picking_type_id,
                       product_product product
                  JOIN product_template template ON template.id = product.product_tmpl_id
                 WHERE move.picking_id = picking.id
                   AND product.id = move.product_id
                   AND move.state = 'done'
                   AND project.reinvoiced_sale_order_id IS NOT NULL
                   AND kind.analytic_costs
                   AND template.expense_policy IN ('sales_price', 'cost')
                   AND NOT EXISTS (
                           SELECT FROM invoicera_billable_item item
                            WHERE item.source_model = 'stock.move' AND item.source_id = move.id)
                """
            )
        )
        self.invalidate_model(["invoicera_sold_project"])

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves._invoicera_reinvoiced_on_order().write({"invoicera_sold_project": True})
        # A product added to a sale order's delivery is put on the order by
        # sale_stock once the delivery is done, after its moves are: synced when
        # given its order line (write), not billed here meanwhile.
        to_order = moves.filtered(
            lambda move: move.picking_id.sale_id
            and not move.sale_line_id
            and move.picked
            and move.location_dest_id.usage == "customer"
        )
        # a return changes what is to bill of the delivery it returns
        (
            (moves - to_order) | moves.origin_returned_move_id
        )._invoicera_project_moves()._invoicera_sync_items()
        return moves

    def _invoicera_reinvoiced_on_order(self):
        """The moves of ``self`` Odoo puts on their project's order once their
        delivery is validated (sale_project_stock's ``button_validate``): of a
        project with an order to re-invoice on, an operation type that
        re-invoices costs (*Analytic Costs*), a product re-invoiced (at cost or
        sales price). The others are billed by nobody but here."""
        # sudo: the project's order is the salesmen's, whoever validates
        return self.filtered(
            lambda move: move.picking_id.project_id.sudo().reinvoiced_sale_order_id
            and move.picking_id.picking_type_id.analytic_costs
            and move.product_id.expense_policy in ("sales_price", "cost")
        )

    def _prepare_move_split_vals(self, qty):
        vals = super()._prepare_move_split_vals(qty)
        # a replacement delivered in two goes still replaces (copy=False: a
        # copy of a delivery does not)
        vals["invoicera_replaced_move_id"] = self.invoicera_replaced_move_id.id
        return vals

    def _prepare_merge_moves_distinct_fields(self):
        # merged into another move of its delivery, a replacement would lose its
        # link: billed by nobody, or the other move capped as a replacement
        return [*super()._prepare_merge_moves_distinct_fields(), "invoicera_replaced_move_id"]

    def _invoicera_replacements(self):
        """The moves of ``self`` that are replacements (Return for Exchange) of
        no order: Odoo gives them no project, they are billed on the project of
        the delivery they replace."""
        return self.filtered(lambda move: move.invoicera_replaced_move_id and not move.sale_line_id)

    def _search_picking_for_assignation_domain(self):
        domain = super()._search_picking_for_assignation_domain()
        if self._invoicera_replacements():
            # put in a delivery to the client waiting to go for another project,
            # a replacement would be billed on it, or take it away from that
            # delivery's other moves (sale_project_stock): it only joins one of
            # no project or of the project of the delivery it replaces
            project = self.invoicera_replaced_move_id.picking_id.project_id
            domain = expression.AND([domain, [("project_id", "in", [False, project.id])]])
        return domain

    def _assign_picking_values(self, picking):
        vals = super()._assign_picking_values(picking)
        # sale_project_stock gives the delivery the project of the order of the
        # first move joining it: a replacement has no order, the delivery keeps
        # its project (one of no project or the replacement's own: see
        # _search_picking_for_assignation_domain)
        if self[:1]._invoicera_replacements():
            vals.pop("project_id", None)
        return vals

    def write(self, vals):
        linked = self.browse()
        if "sale_line_id" in vals:
            # A done delivery given an order line is the order's to invoice
            # (sale_stock counts it delivered): refused once invoiced here.
            line = vals["sale_line_id"]
            line_id = line.id if isinstance(line, models.BaseModel) else line or False
            linked = self.filtered(
                lambda move: move.state == "done" and move.sale_line_id.id != line_id
            )._invoicera_project_moves()
            linked._invoicera_check_not_billed()
        res = super().write(vals)
        linked._invoicera_sync_items()
        return res

    def _invoicera_net_quantity(self):
        """Delivered less returned (done returns that update quantities, Odoo's
        "Update quantities on SO/PO"), in the unit of the delivery.

        Returns in another unit are converted unrounded and the difference is
        rounded once, half-up to the delivery unit's rounding: 2 Dozens less 1
        Unit is 1.92 Dozens, as on a sale order (sale_stock rounds each return
        half-up, which may differ by a rounding step after several returns)."""
        self.ensure_one()
        returned = sum(
            move.product_uom._compute_quantity(move.quantity, self.product_uom, round=False)
            for move in self.returned_move_ids
            # as Odoo's sale_stock counts returns: those that update quantities
            if move.state == "done" and move.to_refund
        )
        return float_round(
            self.quantity - returned,
            precision_rounding=self.product_uom.rounding,
            rounding_method="HALF-UP",
        )

    def _invoicera_quantities(self):
        """{move id: quantity to bill} of the moves of ``self``, in their unit:
        what was delivered less returned (``_invoicera_net_quantity``).

        A replacement (Return for Exchange) bills no more than what the returns
        took off the bill of the delivery it replaces: delivered less what that
        delivery bills (its returns while not invoiced, what its invoice left
        off once invoiced), less what its other replacements bill (what was
        invoiced of them, then what those made before it are to bill).
        Exchanged before invoicing, 10 delivered are billed 8 + 2; exchanged
        after, 10 and nothing more. A delivery not billed here (on an order
        line, re-invoiced on its project's order) had nothing taken off: its
        replacements are not billed here either."""
        quantities = {move.id: move._invoicera_net_quantity() for move in self}
        originals = self.invoicera_replaced_move_id
        if not originals:
            return quantities
        replacements = originals.invoicera_replacement_move_ids
        invoiced = {
            item.source_id: item
            for item in (originals | replacements)._invoicera_items()
            if item.state == "invoiced"
        }
        billed_here = (originals | replacements)._invoicera_deliveries()
        for original in originals:
            unit = original.product_uom
            item = invoiced.get(original.id)
            if original not in billed_here:
                left = 0
            elif item:
                # as invoiced (worked_quantity: the source's, locked since;
                # the quantity billed may have been set by hand)
                left = original.quantity - item.uom_id._compute_quantity(
                    item.worked_quantity, unit, round=False
                )
            else:
                left = original.quantity - original._invoicera_net_quantity()
            # invoiced replacements keep what they billed; the others share
            # what is left, in the order they were made
            replaced = original.invoicera_replacement_move_ids
            for replacement in replaced.filtered(lambda move: move.id in invoiced):
                item = invoiced[replacement.id]
                left -= item.uom_id._compute_quantity(item.worked_quantity, unit, round=False)
            for replacement in replaced.filtered(lambda move: move.id not in invoiced).sorted("id"):
                billed = 0
                if replacement in billed_here:
                    net = replacement.product_uom._compute_quantity(
                        replacement._invoicera_net_quantity(), unit, round=False
                    )
                    billed = max(min(net, left), 0)
                left -= billed
                if replacement.id in quantities:
                    quantities[replacement.id] = float_round(
                        unit._compute_quantity(billed, replacement.product_uom, round=False),
                        precision_rounding=replacement.product_uom.rounding,
                        rounding_method="HALF-UP",
                    )
        return quantities

    def _invoicera_project(self):
        """The project the moves of ``self`` deliver for: their delivery's; for a
        replacement (Return for Exchange) whose delivery has none (Odoo's
        procurement gives it none), that of the delivery it replaces."""
        return (
            self.picking_id.project_id
            | self.filtered(
                lambda move: not move.picking_id.project_id
            ).invoicera_replaced_move_id.picking_id.project_id
        )

    def _invoicera_sync_items(self):
        # what a replacement bills depends on the delivery it replaces and on
        # the replacements made before it: they follow both
        related = (
            self.invoicera_replacement_move_ids
            | self.invoicera_replaced_move_id.invoicera_replacement_move_ids
        )
        return super(StockMove, self | related)._invoicera_sync_items()

    def _invoicera_on_invoiced(self, items):
        # invoiced, a delivery is no longer followed: what its returns took off
        # its bill is now what its invoice left off, which its replacements follow
        self.invoicera_replacement_move_ids._invoicera_sync_items()

    @api.model
    def _invoicera_project_records(self, projects):
        # a move bills the project of its picking, once done (its replacements
        # follow it: _invoicera_sync_items)
        return self.search([("picking_id.project_id", "in", projects.ids), ("state", "=", "done")])

    def _invoicera_project_moves(self):
        return self.filtered(lambda move: move._invoicera_project())

    def _invoicera_source_action(self, item):
        """Material opens its delivery, not a stock move."""
        return item._source_action(
            self.picking_id or self,
            denied=_(
                "You cannot open this delivery: it needs Inventory access; its details are on "
                "the item."
            ),
        )

    def _invoicera_billable(self):
        deliveries = self._invoicera_deliveries()
        quantities = deliveries._invoicera_quantities()
        return deliveries.filtered(
            lambda move: float_compare(
                quantities[move.id], 0, precision_rounding=move.product_uom.rounding
            )
            > 0
            # a delivery at no price (a free sample) is nothing to bill: billed,
            # its zero rate would refuse the client's other work
            and move._invoicera_has_price(quantities[move.id])
        )

    def _invoicera_deliveries(self):
        """The moves of ``self`` that are deliveries billed here, whatever is
        left to bill of them."""
        return self._invoicera_billed_here().filtered(
            lambda move: move.state == "done"
            and move.picking_code == "outgoing"
            and move.location_dest_id.usage == "customer"  # not a return to a vendor
            # on an order line: the order invoices it (sale_stock)
            and not move.sale_line_id
            and move.product_id.type != "service"
        )

    def _invoicera_has_price(self, quantity):
        # at the precision of a price (Product Price), as the item's rate is
        # stored: 0.004 a resistor is a price, not a cent's worth of nothing
        *_billing, price, _currency = self._invoicera_pricing(quantity)
        digits = self.env["decimal.precision"].precision_get("Product Price")
        return not float_is_zero(price, precision_digits=digits)

    def _invoicera_billed_here(self):
        """The moves of ``self`` for a billable project, not validated for a sold one."""
        billable = self._invoicera_project()._invoicera_billable_projects(sold_too=True)
        return self.filtered(
            lambda move: move._invoicera_project() in billable and not move.invoicera_sold_project
        )

    def _invoicera_local_date(self):
        """The day the move was done in the time zone of its warehouse (of its
        company when the warehouse's address has none; of the delivery's
        responsible when neither has one, else UTC): not of whoever syncs it, a
        re-sync does not shift it."""
        self.ensure_one()
        tz = (
            self.picking_type_id.warehouse_id.partner_id.tz
            or self.company_id.partner_id.tz
            or self.picking_id.user_id.tz
            or "UTC"
        )
        return fields.Date.context_today(self.with_context(tz=tz), self.date)

    def _invoicera_pricing(self, quantity):
        """How the delivery ``self`` is billed for ``quantity`` (what is to bill
        of it: ``_invoicera_quantities``): (quantity, day, billing company,
        price, currency)."""
        self.ensure_one()
        project = self._invoicera_project()
        partner = project.partner_id.commercial_partner_id
        day = self._invoicera_local_date()
        # billed by the project's company (the move's for a project of every
        # company), whichever company's warehouse delivered it
        company = project._invoicera_billing_company(self.company_id)
        pricelist = partner.with_company(company).property_product_pricelist
        # without a pricelist, the product's sales price in the currency of
        # the billing company (converted from the product's, as Odoo's sale);
        # on the day of the delivery: the rules and rate valid then
        currency = pricelist.currency_id or company.currency_id
        price = pricelist.with_company(company)._get_product_price(
            self.product_id, quantity, currency=currency, uom=self.product_uom, date=day
        )
        return quantity, day, company, price, currency

    def _invoicera_decisions(self):
        """``{move id: values}``: what was decided on the item of the delivery
        each replacement of ``self`` replaces (excluded, deferred, written off
        with its reason), for the replacement's new item: a client is not
        billed for replacing goods they were not billed for. Only a new item
        takes it (``_sync_from_source`` leaves the state alone): decided on the
        replacement's own item since, it stays."""
        originals = self.invoicera_replaced_move_id
        if not originals:
            return {}
        decided = {
            item.source_id: item
            for item in originals._invoicera_items()
            if item.state in ("excluded", "deferred", "written_off")
        }
        return {
            move.id: {
                "state": item.state,
                "deferred_until": item.deferred_until,
                "write_off_reason": item.write_off_reason,
            }
            for move in self
            if (item := decided.get(move.invoicera_replaced_move_id.id))
        }

    def _invoicera_item_values(self):
        values = []
        quantities = self._invoicera_quantities()
        decisions = self._invoicera_decisions()
        for move in self:
            project = move._invoicera_project()
            partner = project.partner_id.commercial_partner_id
            quantity, day, company, price, currency = move._invoicera_pricing(quantities[move.id])
            values.append(
                {
                    "source_id": move.id,
                    # in the client's language (invoice lines, annex, portal),
                    # not that of whoever validates or edits the delivery
                    "name": "%s (%s)"
                    % (
                        move.product_id.with_context(lang=partner.lang).display_name,
                        move.picking_id.name,
                    ),
                    # the day it was done where it was done (Odoo keeps UTC)
                    "date": day,
                    "company_id": company.id,
                    "partner_id": partner.id,
                    "project_id": project.id,
                    "product_id": move.product_id.id,
                    "worked_quantity": quantity,
                    "quantity": quantity,
                    "uom_id": move.product_uom.id,
                    "price_unit": price,
                    "standard_price_unit": price,
                    "currency_id": currency.id,
                    **decisions.get(move.id, {}),
                }
            )
        return values
