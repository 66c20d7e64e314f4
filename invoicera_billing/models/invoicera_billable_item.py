import logging
from collections import defaultdict

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.models import READ_GROUP_AGGREGATE, parse_read_group_spec
from odoo.osv import expression
from odoo.service.model import _as_validation_error
from odoo.tools import SQL, float_compare, float_is_zero, format_date, formatLang, split_every

from ..report.report_currency import conversion_rates, currency_rate_table
from ..tools import MAX_NAMED, changed_by, named_for_message
from .invoicera_billable_mixin import ENGINE, engine_flag

_logger = logging.getLogger(__name__)

#: item fields the client sees in the portal: changing them asks the client again
#: (the same rate in another currency or unit is another amount)
CLIENT_VISIBLE_FIELDS = {"quantity", "price_unit", "name", "date", "uom_id", "currency_id"}
#: what a user changes on an item not invoiced yet (Unbilled Work); the rest
#: comes from its source through the engine: another client, project, product,
#: unit or currency would bill the work to someone else or at another value
USER_FIELDS = {"name", "date", "quantity", "price_unit", "adjustment_reason"}
#: the fields a user edits on an item, with the flag that keeps the value
#: edited from its source's
MANUAL_FLAGS = {
    "quantity": "quantity_manual",
    "price_unit": "price_manual",
    "name": "name_manual",
    "date": "date_manual",
}
#: what a user changes on an item that the audit of the other items of its
#: employee and day reads: one of two duplicates described anew is no longer
#: the other's twin; time moved to another day leaves its day's hours
TWIN_FIELDS = {"name", "date"}
#: the states of a closed task (project's CLOSED_STATES): time dated after it
#: closed is suspect
CLOSED_TASK_STATES = ("1_done", "1_canceled")
#: invoice line fields rounded to their precision before predicting amounts
ROUNDED_FIELDS = ("price_unit", "quantity", "discount")
#: addons whose override of ``account.move.create`` reads nothing of the lines
#: Odoo's sync adds (18.0: purchase posts a note on vendor bills made from
#: purchase orders): the engine's invoices are created with a single sync pass
SINGLE_SYNC_CREATE_OVERRIDES = {"purchase"}


#: an item leaving the items to bill (excluded, written off, invoiced) leaves the
#: audit: it comes back unflagged until audited again
NOT_FLAGGED = {"audit_flagged": False, "audit_warning": False}


class MonetarySummedInSQL(fields.Monetary):
    """A computed amount its model sums in SQL (``_read_group_select``).

    Odoo asks whether a non-stored field can be summed on every ``fields_get``
    by building its sum, and building this one reads today's exchange rates
    of every company and currency of the items: it is answered here instead.
    """

    def _description_aggregator(self, env):
        return self.aggregator


#: addons whose overrides of how Odoo names a draft invoice keep account's rule
#: (the journal's last number in the period, whatever the client)
DRAFT_NAME_OVERRIDES = {"account_debit_note"}
#: addons whose override of how Odoo chooses an invoice line's account keeps
#: account's rule for customer invoices (18.0: stock_account's stock input
#: account, on vendor bills only)
LINE_ACCOUNT_OVERRIDES = {"stock_account"}
#: what refuses one client's invoices: Odoo's checks and the database's
#: constraints (any addon's); the client fails alone, the others are invoiced
CLIENT_ERRORS = (UserError, ValidationError, psycopg2.IntegrityError)


class InvoiceraBusyError(Exception):
    """The items are being invoiced by another transaction (or just were)."""


class InvoiceraBillableItem(models.Model):
    """One unit of work or cost to bill to a client, fed by a source record.

    An item is a copy of what its source says (hours of a timesheet line, the
    amount of an expense...) that billing staff may edit — billable quantity,
    rate, description — without touching the source. Each source record has at
    most one item (unique in the database). Invoicing links the item to the
    invoice line that bills it and locks it; cancelling or deleting the draft,
    or a full credit note, returns it to the items to bill.
    """

    _name = "invoicera.billable.item"
    _description = "Billable Item"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char("Description", required=True)
    # Not indexed, as client_approval and audit_flagged: a handful of values,
    # always searched with the client or the state, and every index costs each
    # write of an item (invoicing marks thousands at once; the audit and the
    # portal write these flags, in place when no index covers them).
    source = fields.Selection([], required=True, readonly=True)
    source_model = fields.Char(required=True, readonly=True)
    source_id = fields.Many2oneReference(
        "Source ID", model_field="source_model", required=True, readonly=True
    )
    source_ref = fields.Reference(
        selection="_selection_source_ref", string="Source Record", compute="_compute_source_ref"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", "Client", required=True, index=True, check_company=True
    )
    # auto_join: searched by name (the search view's Project and Task) without
    # the project's access rules, as the item shows it: billing staff bill the
    # work of projects they are not invited to
    project_id = fields.Many2one(
        "project.project", index="btree_not_null", check_company=True, auto_join=True
    )
    task_id = fields.Many2one("project.task", check_company=True, auto_join=True)
    employee_id = fields.Many2one("hr.employee", check_company=True)
    # Not checked against the item's company: a sister company's delivery, bill
    # or expense for the project may use a product of its own, billed by the
    # project's company (invoicing says it cannot: _product_errors)
    product_id = fields.Many2one("product.product", required=True)
    date = fields.Date(required=True, index=True)
    worked_quantity = fields.Float(
        digits="Product Unit of Measure",
        readonly=True,
        help="The quantity as recorded by the source (hours worked, units delivered).",
    )
    # Each entry to the precision of units, as an invoice line's: the amounts of
    # the items are the invoice's (Unbilled Work, the client's approvals, the
    # time annex); 20 minutes are 0.33 h (a project's time rounding bills time
    # in steps, of 0.25 h...)
    quantity = fields.Float(
        "Billable Quantity",
        digits="Product Unit of Measure",
        required=True,
        help="What is billed. It may differ from the worked quantity (rounding, "
        "write-up or write-down) without changing the source.",
    )
    uom_id = fields.Many2one("uom.uom", "Unit", required=True)
    currency_id = fields.Many2one("res.currency", required=True)
    # To the precision of Odoo's prices, as an invoice line's: a screw sold at
    # 0.0125 is not billed at 0.01 (an amount in a currency would be rounded)
    # rates are not added up (the list's groups, the pivot's measures)
    price_unit = fields.Float("Rate", digits="Product Price", required=True, aggregator=None)
    standard_price_unit = fields.Float(
        "Standard Rate",
        digits="Product Price",
        aggregator=None,
        readonly=True,
        help="The rate before any manual change.",
    )
    price_at_cost = fields.Boolean(
        "Priced at Cost",
        readonly=True,
        help="A cost billed again (with the project's markup), as Odoo re-invoices "
        "a cost: billed at its rate whatever the client's fiscal position, where "
        "a product's price is adapted to it (taxes included in the price).",
    )
    # In the item's currency: not added up (as Odoo's amounts in currency of
    # journal items), the list's total and group rows add up amount_report
    amount = fields.Monetary(compute="_compute_amount", store=True, aggregator=None)
    # Not stored: in the current company's currency at today's rate (a stored
    # amount would keep yesterday's rate), summed in SQL (_read_group_select)
    report_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_amount_report",
        help="The current company's currency.",
    )
    amount_report = MonetarySummedInSQL(
        "Amount in Company Currency",
        compute="_compute_amount_report",
        currency_field="report_currency_id",
        aggregator="sum",
        help="In the current company's currency, at today's rate (as the billing "
        "reports): amounts of several currencies add up.",
    )
    standard_amount = fields.Monetary(
        "Value at Standard Rates",
        compute="_compute_amount",
        store=True,
        aggregator=None,
        help="Worked quantity at the standard rate: what the work is worth before "
        "rounding, write-ups and write-downs.",
    )
    quantity_manual = fields.Boolean(readonly=True, copy=False)
    quantity_outdated = fields.Boolean(
        "Work Changed Since Adjusted",
        readonly=True,
        copy=False,
        help="The worked quantity changed after the billable quantity was set by hand"
        " (a write-down of 3 h to 2 h, then 1 h worked): the audit flags the item until"
        " its billable quantity is set again.",
    )
    price_manual = fields.Boolean(readonly=True, copy=False)
    name_manual = fields.Boolean(readonly=True, copy=False)
    date_manual = fields.Boolean(readonly=True, copy=False)
    adjustment_reason = fields.Char(
        help="Why the billable quantity or the rate differs from what was recorded."
    )
    state = fields.Selection(
        [
            ("to_bill", "To Bill"),
            ("deferred", "Deferred"),
            ("excluded", "Excluded"),
            ("written_off", "Written Off"),
            ("invoiced", "Invoiced"),
        ],
        default="to_bill",
        required=True,
        readonly=True,
        index=True,
        copy=False,
    )
    active = fields.Boolean(
        default=True,
        readonly=True,
        help="Archived while its work is not billable (time sent back for approval, a "
        "project no longer billed...): the item keeps what was decided on it and "
        "comes back as it was when the work is billable again.",
    )
    deferred_until = fields.Date(readonly=True, copy=False)
    write_off_reason = fields.Char(readonly=True, copy=False)
    invoice_line_id = fields.Many2one(
        "account.move.line", readonly=True, copy=False, index="btree_not_null"
    )
    invoice_id = fields.Many2one(
        related="invoice_line_id.move_id", string="Invoice", store=True, index="btree_not_null"
    )
    client_approval = fields.Selection(
        [
            ("not_required", "Not Required"),
            ("pending", "Awaiting the Client"),
            ("approved", "Approved by the Client"),
            ("disputed", "Disputed by the Client"),
        ],
        default="not_required",
        required=True,
        readonly=True,
        copy=False,
        help="On projects where the client approves work before it is billed, only "
        "the items the client approved in the portal are invoiced.",
    )
    client_comment = fields.Text("Client's Comment", readonly=True, copy=False)
    client_decided_by_id = fields.Many2one("res.partner", "Decided by", readonly=True, copy=False)
    client_decided_on = fields.Datetime("Decided on", readonly=True, copy=False)
    audit_flagged = fields.Boolean(
        "Flagged", readonly=True, copy=False, help="The last audit found a problem."
    )
    audit_warning = fields.Text("Audit", readonly=True, copy=False)

    _sql_constraints = [
        (
            "source_uniq",
            "unique(source_model, source_id)",
            "A source record can only have one billable item.",
        ),
        (
            "invoiced_has_line",
            "CHECK(state != 'invoiced' OR invoice_line_id IS NOT NULL)",
            "An invoiced item must be linked to the invoice line that bills it.",
        ),
    ]

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.model
    def _selection_source_ref(self):
        return [
            (model, self.env[model]._description)
            for model in self.env["invoicera.billable.mixin"]._invoicera_source_models()
        ]

    @api.depends("source_model", "source_id")
    def _compute_source_ref(self):
        for item in self:
            item.source_ref = (
                f"{item.source_model},{item.source_id}"
                if item.source_model in self.env and item.source_id
                else False
            )

    @api.depends("quantity", "price_unit", "worked_quantity", "standard_price_unit", "currency_id")
    def _compute_amount(self):
        for item in self:
            item.amount = item.currency_id.round(item.quantity * item.price_unit)
            item.standard_amount = item.currency_id.round(
                item.worked_quantity * item.standard_price_unit
            )

    @api.depends("amount", "currency_id", "company_id")
    @api.depends_context("company")
    def _compute_amount_report(self):
        pairs = {(item.company_id.id, item.currency_id.id) for item in self}
        rates = conversion_rates(self.env, [pair for pair in pairs if all(pair)])
        for item in self:
            item.report_currency_id = self.env.company.currency_id
            rate = rates.get((item.company_id.id, item.currency_id.id), 1.0)
            item.amount_report = item.amount * rate

    def _read_group_select(self, aggregate_spec, query):
        """The amounts in the company's currency add up in the pivot and graph:
        each item's amount at today's rate of its company and currency."""
        fname, __, func = parse_read_group_spec(aggregate_spec)
        if fname != "amount_report" or func not in ("sum", "avg", "min", "max"):
            return super()._read_group_select(aggregate_spec, query)
        converted = SQL(
            "(%(amount)s * COALESCE((SELECT currency_rate.rate FROM %(rates)s"
            " WHERE currency_rate.company_id = %(company)s"
            " AND currency_rate.currency_id = %(currency)s), 1))",
            amount=self._field_to_sql(self._table, "amount", query),
            rates=currency_rate_table(self.env),
            company=self._field_to_sql(self._table, "company_id", query),
            currency=self._field_to_sql(self._table, "currency_id", query),
        )
        return READ_GROUP_AGGREGATE[func](self._table, converted)

    @api.depends("name", "partner_id", "date")
    def _compute_display_name(self):
        for item in self:
            item.display_name = f"{item.partner_id.name} · {item.date} · {item.name}"

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("quantity_manual", "price_manual", "adjustment_reason")
    def _check_adjustment_reason(self):
        missing = self.filtered(
            lambda i: (i.quantity_manual or i.price_manual)
            and not (i.adjustment_reason or "").strip()
        )
        if missing:
            raise ValidationError(
                _(
                    "Give a reason when you change the billable quantity or the rate "
                    "of: %(items)s",
                    items=missing._names(),
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # Items are made by the engine from their source records
        # (``_invoicera_sync_items``), one per record: made by hand, one would
        # bill work billed by another, or carry a client's approval the client
        # never gave (printed on the time annex).
        if not (
            engine_flag(self.env, "invoicera_sync") or engine_flag(self.env, "invoicera_engine")
        ):
            raise UserError(
                _(
                    "Billable items are made by the billing engine from the work they "
                    "bill (a timesheet, an expense...), not by hand: record the work "
                    "itself."
                )
            )
        for vals in vals_list:
            if "client_approval" not in vals:
                vals["client_approval"] = self._client_approval_of(vals.get("project_id"))
        return super().create(vals_list)

    def write(self, vals):
        # The engine's own writes carry its flag (see ENGINE); the others may
        # change what the user edits, on items not invoiced.
        engine = engine_flag(self.env, "invoicera_engine")
        synced = engine_flag(self.env, "invoicera_sync")
        # the employees and days the items leave, audited again below
        days_before = (
            self._audit_days() if not engine and not synced and TWIN_FIELDS & set(vals) else set()
        )
        if "active" in vals and not synced:
            raise UserError(
                _(
                    "Billable items are archived by the billing engine while their work "
                    "is not billable, and come back when it is: exclude or write off "
                    "items instead.%(items)s",
                    items=self._names(),
                )
            )
        if not engine and not synced:
            owned = [
                field.string
                for fname, field in self._fields.items()
                if fname in vals and fname not in USER_FIELDS
            ]
            if owned:
                raise UserError(
                    _(
                        "These fields of billable items are set by the billing engine and "
                        "the items' buttons, not written: %(fields)s.",
                        fields=", ".join(owned),
                    )
                )
            self._check_not_invoiced()
            # Only a value that changes is an edit: one sent again (a list keeps
            # a field restored to its value as edited; an import) leaves the
            # item following its source.
            sent = [fname for fname in MANUAL_FLAGS if fname in vals]
            if sent:
                # (a quantity whose work changed since it was set, set again as
                # it is, is confirmed: an edit)
                by_edit = self.grouped(
                    lambda item: tuple(
                        f
                        for f in sent
                        if changed_by(item, vals, [f])
                        or (f == "quantity" and item.quantity_outdated)
                    )
                )
                if list(by_edit) != [tuple(sent)]:
                    for edited, items in by_edit.items():
                        items.write(
                            {
                                fname: value
                                for fname, value in vals.items()
                                if fname not in sent or fname in edited
                            }
                        )
                    return True
            vals = dict(vals, **{MANUAL_FLAGS[fname]: True for fname in sent})
            if "quantity" in vals:
                vals["quantity_outdated"] = False
        if CLIENT_VISIBLE_FIELDS & set(vals) and not engine:
            # What the client approved or disputed changed: ask again. On a
            # project that no longer asks its client, approved work needs no
            # approval; disputed work stays so until staff settle it.
            # (what changes: a write-down confirmed as it is shows the client
            # nothing new)
            decided = changed_by(self, vals, CLIENT_VISIBLE_FIELDS).filtered(
                lambda i: i.client_approval in ("approved", "disputed")
            )
            for approval, items in decided.grouped(
                lambda i: i._client_approval_of(i.project_id.id)
            ).items():
                if approval == "not_required":
                    items = items.filtered(lambda i: i.client_approval == "approved")
                super(InvoiceraBillableItem, items).write({"client_approval": approval})
        res = super().write(vals)
        if not engine and not synced and USER_FIELDS & set(vals):
            # what the audit said of the items may be fixed (a rate set, a
            # quantity set again) or found since: said anew; a description or
            # a date, also of the other items of their employees and days,
            # before and after (a twin described anew, an hour moved away)
            if days_before:
                self._audit_twins(days_before)
            else:
                self._audit(self)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        self._check_not_invoiced()

    @api.ondelete(at_uninstall=False)
    def _unlink_only_with_the_source(self):
        # An item goes when its source record does, through the engine
        # (``_invoicera_unlink_items``): deleted by hand, its work would be
        # billed by no one until its source changes again.
        if not (
            engine_flag(self.env, "invoicera_sync") or engine_flag(self.env, "invoicera_engine")
        ):
            raise UserError(
                _(
                    "Billable items are deleted with the work they bill (a timesheet, an "
                    "expense...), not by hand: exclude or write off items instead.%(items)s",
                    items=self._names(),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_include(self):
        """Bill these items in the next run (undo exclude, defer, write-off)."""
        self._check_not_invoiced()
        self.with_context(invoicera_engine=ENGINE).write(
            {"state": "to_bill", "deferred_until": False, "write_off_reason": False}
        )
        # back among the items to bill: an excluded copy is a duplicate again,
        # of its twin too, and counts in its day again
        self._audit_twins()
        return True

    def action_exclude(self):
        """Keep these items out of invoicing runs until included again."""
        self._check_not_invoiced()
        self.with_context(invoicera_engine=ENGINE).write(
            {
                "state": "excluded",
                "deferred_until": False,
                "write_off_reason": False,
                **NOT_FLAGGED,
            }
        )
        self._audit_twins()
        return True

    def action_undo_edits(self):
        """Undo what was edited by hand on these items (a write-down, a rate, a
        description, a date): they follow their work again, as it stands."""
        self._check_not_invoiced()
        self.with_context(invoicera_engine=ENGINE).write(
            {
                "quantity_manual": False,
                "quantity_outdated": False,
                "price_manual": False,
                "name_manual": False,
                "date_manual": False,
                "adjustment_reason": False,
            }
        )
        # sudo: the work is everyone's (an expense, a delivery the user may not read)
        for sources in self.sudo()._sources().values():
            sources._invoicera_sync_items()
        self._audit(self)
        return True

    def _audit_days(self):
        """``{(employee id, day)}`` of these items: what ties an item to the audit
        of the others (a possible duplicate, a day of too many hours)."""
        return {(item.employee_id.id, item.date) for item in self if item.employee_id}

    def _audit_twins(self, days=(), leaving=None, company_language=False):
        """Audit again these items and the items to bill of their employees and
        days and of ``days`` (:meth:`_audit_days` of them before a change): a
        duplicate or a long day is the problem of all its items, fixed or undone
        by a change of one (put aside, included again, described anew, moved to
        another day, its work corrected or deleted). ``leaving``: source records
        about to be deleted, their work no longer counted. ``company_language``:
        the warnings in each company's language, as the nightly audit's (work
        changed at its source, by an employee in theirs). Returns the flagged
        items. One search more than the audit, whatever the number of items."""
        # The items a source reads include its archived ones (work no longer
        # billable, off the screen): they are neither audited nor counted.
        items = self.with_context(active_test=True).filtered("active")
        days = set(days) | items._audit_days()
        if days:
            candidates = items.search(
                [
                    ("employee_id", "in", list({employee for employee, _day in days})),
                    ("date", "in", list({day for _employee, day in days})),
                    ("state", "in", ("to_bill", "deferred")),
                ]
            )
            items |= candidates.filtered(lambda i: (i.employee_id.id, i.date) in days)
        if company_language:
            return items._audit_in_company_languages(leaving=leaving)
        return items._audit(items, leaving=leaving)

    def _audit_in_company_languages(self, leaving=None):
        """:meth:`_audit` of these items, each company's in its language (its
        partner's): a scheduled action has none, a source's change the
        language of whoever made it, and either would write the warnings in
        it over those the billing staff's audit wrote (each rewrite locking the
        items' rows). Returns the flagged items."""
        flagged = []
        for company, items in self.grouped("company_id").items():
            in_its_language = items.with_context(lang=company.partner_id.lang or None)
            flagged += in_its_language._audit(in_its_language, leaving=leaving).ids
        return self.browse(flagged)

    def action_defer(self, until):
        """Leave these items out of runs whose cut-off date is before ``until``."""
        if not until:
            raise UserError(_("Give the date until which to defer the items."))
        try:
            day = fields.Date.to_date(until)
        except (TypeError, ValueError):
            day = None  # called from outside (RPC) with something else than a date
        if not day:
            raise UserError(
                _(
                    "%(value)s is not a date: give the date until which to defer the "
                    "items (YYYY-MM-DD).",
                    value=until,
                )
            )
        until = day
        error = self._defer_date_error(until)
        if error:
            raise UserError(error)
        self._check_not_invoiced()
        self.with_context(invoicera_engine=ENGINE).write(
            {"state": "deferred", "deferred_until": until, "write_off_reason": False}
        )
        # billed later by the clerk's choice: no longer "older than" (_audit_own_warnings)
        self._audit(self)
        return True

    @api.model
    def _defer_date_error(self, until):
        """Why items cannot be deferred until ``until`` (False when they can).

        A date reached already defers nothing: the next run would bill them.
        """
        until = fields.Date.to_date(until)
        if until and until <= fields.Date.context_today(self):
            return _(
                "Defer the items to a date after today, not %(date)s: from that date "
                "on, they are billed by the next run.",
                date=format_date(self.env, until),
            )
        return False

    def action_write_off(self, reason):
        """Never bill these items; the reason is kept for realization reports."""
        if not isinstance(reason, str) or not reason.strip():
            raise UserError(_("Give the reason for writing these items off."))
        self._check_not_invoiced()
        self.with_context(invoicera_engine=ENGINE).write(
            {
                "state": "written_off",
                "write_off_reason": reason.strip(),
                "deferred_until": False,
                **NOT_FLAGGED,
            }
        )
        self._audit_twins()
        return True

    def action_open_source(self):
        """Open the record this item bills (a timesheet, an expense...), for a
        user who may read it; else a UserError saying which rights it needs.

        What opens is the source's to say (``_invoicera_source_action`` of
        invoicera.billable.mixin: by default the source in its default form
        view). The record is read as the user: one they may not read is not
        shown, the item's fields say what it is.
        """
        self.ensure_one()
        if self.source_model not in self.env:
            raise UserError(_("The source of this item is no longer installed."))
        source = self.env[self.source_model].browse(self.source_id)
        if not source.exists():
            raise UserError(_("The source of this item was deleted: its details are on the item."))
        return source._invoicera_source_action(self)

    def _source_action(self, record, view=None, what=None, rights=None, denied=None):
        """The action opening ``record`` (the source or what shows it best: a
        vendor bill line's bill...) in its form, ``view`` (an XML id) if given,
        when the user may read it; else a UserError: ``denied``, the whole
        sentence saying so ("You cannot open this time entry: it needs
        Timesheets access; its details are on the item.", translated whole);
        by default one naming the item's source and access to the record's model.

        ``what`` ("time entry") and ``rights`` ("Timesheets access"), the words
        an earlier version put into its own sentence, are still taken where
        ``denied`` is not given; translators then see them apart from it.
        """
        self.ensure_one()
        record.ensure_one()
        if not record.has_access("read"):
            raise UserError(denied or self._source_denied(record, what, rights))
        view_id = self.env.ref(view).id if view else False
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(view_id, "form")],
            "target": "current",
        }

    def _source_denied(self, record, what=None, rights=None):
        """Why the user may not open ``record``, the source of this item, when
        its source gives no sentence of its own (:meth:`_source_action`)."""
        kind = dict(self._fields["source"]._description_selection(self.env)).get(
            self.source, self.source_model
        )
        # the model's name in the user's language, as Odoo's access errors name it
        records = self.env["ir.model"]._get(record._name).name
        if not (what or rights):
            return _(
                "You cannot open this source (%(kind)s): it needs access to %(records)s "
                "records; its details are on the item.",
                kind=kind,
                records=records,
            )
        return _(
            "You cannot open this %(what)s: it needs %(rights)s; its details are on the item.",
            what=what or _("source (%(kind)s)", kind=kind),
            rights=rights or _("access to %(records)s records", records=records),
        )

    # ------------------------------------------------------------------
    # Business: sync with sources
    # ------------------------------------------------------------------
    def _sync_from_source(self, vals, synced_fields):
        """Update one item from its source, keeping what the user edited.
        Returns the values changed (the source audits the items it changed
        again, all at once: ``_invoicera_sync_items``)."""
        self.ensure_one()
        if self.state == "invoiced":
            return {}
        skip = set()
        if self.quantity_manual:
            skip.add("quantity")
            vals = self._source_in_own_unit(vals)
        if self.price_manual:
            skip.add("price_unit")
        if self.name_manual:
            skip.add("name")
        if self.date_manual:
            skip.add("date")
        changes = {}
        for fname in synced_fields:
            if fname in skip or fname not in vals:
                continue
            field = self._fields[fname]
            old, new = self[fname], vals[fname]
            if field.type == "many2one":
                old, new = old.id or False, new or False
            # as the item keeps it: the source's 0.3333 h are the item's 0.33 h,
            # no change (a change would send the client's approval back)
            if field.convert_to_cache(new, self) != field.convert_to_cache(old, self):
                changes[fname] = new
        if self.quantity_manual and "worked_quantity" in changes:
            # the billable quantity set by hand was decided on other work
            changes["quantity_outdated"] = True
        if self.price_manual and {"uom_id", "currency_id"} & set(changes):
            changes["price_unit"] = self._manual_price_in(changes)
        if {"project_id", "partner_id"} & set(changes):
            # Another project or client: the client's approval is its to give.
            changes.update(
                client_approval=self._client_approval_of(
                    changes.get("project_id", self.project_id.id)
                ),
                client_comment=False,
                client_decided_by_id=False,
                client_decided_on=False,
            )
        if changes:
            self.with_context(invoicera_sync=ENGINE).write(changes)
        return changes

    def _manual_price_in(self, changes):
        """The rate set by hand on this item, in the unit and currency its source
        changes to (``changes``): a rate is a value, not a number. 50 a piece
        is 600 a dozen; billed in another currency (a client or project billed
        in EUR instead of USD), it is converted at the rate of the work's day,
        as the source's own rates are (80 USD is 40 EUR, not 80 EUR), by the
        company that bills it."""
        price = self.price_unit
        if changes.get("uom_id"):
            price = self.uom_id._compute_price(price, self.env["uom.uom"].browse(changes["uom_id"]))
        if changes.get("currency_id"):
            price = self.currency_id._convert(
                price,
                self.env["res.currency"].browse(changes["currency_id"]),
                self.env["res.company"].browse(changes.get("company_id", self.company_id.id)),
                changes.get("date", self.date) or fields.Date.context_today(self),
                round=False,
            )
        return price

    def _source_in_own_unit(self, vals):
        """The source's values ``vals`` in the item's unit, where the source
        changed to another unit of its kind: a quantity set by hand is one of
        the item's unit (10 pieces stay 10 pieces billed, at a dozen's price
        per piece), not 10 of the source's new unit."""
        uom = self.uom_id
        new_uom = self.env["uom.uom"].browse(vals.get("uom_id"))
        if not new_uom or new_uom == uom or new_uom.category_id != uom.category_id:
            return vals
        vals = dict(vals, uom_id=uom.id)
        if "worked_quantity" in vals:
            vals["worked_quantity"] = new_uom._compute_quantity(
                vals["worked_quantity"], uom, round=False
            )
        for fname in ("price_unit", "standard_price_unit"):
            if fname in vals:
                vals[fname] = new_uom._compute_price(vals[fname], uom)
        return vals

    @api.model
    def _client_approval_of(self, project_id):
        """The client approval an item of ``project_id`` starts with."""
        project = self.env["project.project"].browse(project_id).sudo()
        return "pending" if project.invoicera_client_approval else "not_required"

    @api.model
    def _audit(self, items=None, leaving=None):
        """The pre-billing audit: flag suspicious items to bill, clear the others.

        Flags possible duplicates (of any item of their source, invoiced ones
        included), days over the company's maximum hours per employee (all the
        time worked that day, as its source counts it), zero or negative rates,
        billable quantities set by hand before their work changed, missing
        descriptions, items older than the company's maximum age (but while
        deferred), time on closed tasks, work dated before its currency's first
        rate. Returns the flagged items. ``leaving``: source records about to be
        deleted, whose work no longer counts in its day.
        Checks run with a query per kind of check, whatever the number of items.
        """
        if items is None:
            items = self.search([("state", "in", ("to_bill", "deferred"))])
        items = items.filtered(lambda i: i.state in ("to_bill", "deferred"))
        if not items:
            return items
        warnings = defaultdict(list)
        hours = self.env.ref("uom.uom_categ_wtime")
        time_items = items.filtered(lambda i: i.employee_id and i.uom_id.category_id == hours)
        for item, count in time_items._audit_duplicates().items():
            warnings[item].append(
                _("Possible duplicate: %(count)s identical entries.", count=count)
            )
        # Too many hours in a day for one employee (time not billed included).
        for company in items.company_id:
            company_items = time_items.filtered(lambda i, c=company: i.company_id == c)
            limit = company.invoicera_audit_max_daily_hours
            if not limit or not company_items:
                continue
            days = company_items._audit_daily_hours(leaving)
            for item in company_items:
                total = days.get((item.employee_id.id, item.date), 0.0)
                # to the hundredth: 0.3 + 8.3 + 3.4 is 12.000000000000002
                if float_compare(total, limit, precision_digits=2) > 0:
                    warnings[item].append(
                        _(
                            "%(employee)s has %(hours)s h on %(date)s (more than %(limit)s h).",
                            # sudo: the name alone, of an employee billing
                            # staff may read as a public profile only
                            employee=item.employee_id.sudo().name,
                            hours=round(total, 2),
                            date=format_date(self.env, item.date),
                            limit=limit,
                        )
                    )
        for item, warning in items._audit_rate_days().items():
            warnings[item].append(warning)
        today = fields.Date.context_today(self)
        closings = items._audit_task_closings()
        for item in items:
            found = item._audit_own_warnings(today, closings)
            if found:
                warnings[item] += found
        items._audit_write(warnings)
        return self.browse([item.id for item in warnings])

    def _audit_own_warnings(self, today, closings=None):
        """What the audit finds suspect in this item on its own (``today``: the
        user's date; ``closings``: :meth:`_audit_task_closings` of the items
        audited), as texts."""
        self.ensure_one()
        item, found = self, []
        # sudo: the names and state of the item's task and project, which
        # billing staff audit also on projects they may not read (private)
        task, project = item.task_id.sudo(), item.project_id.sudo()
        # stored rounded to the prices' precision
        rate_sign = (item.price_unit > 0) - (item.price_unit < 0)
        if rate_sign == 0:
            found.append(_("Zero rate."))
        elif rate_sign < 0:
            # refused by the run (_invoicing_errors), as a zero rate
            found.append(_("Negative rate."))
        if item.quantity < 0 or item.worked_quantity < 0:
            # refused by the run (_invoicing_errors): said before it (a small
            # correction rounded to nothing too)
            found.append(_("Negative quantity."))
        elif not item.quantity:
            # stored rounded (0.001 h is 0): billed, a line of nothing
            found.append(_("Zero quantity: it bills nothing."))
        if item.quantity_outdated:
            # (no f-string in the call: Babel's extraction would skip the file)
            worked = "%s %s" % (formatLang(self.env, item.worked_quantity), item.uom_id.name)
            billed = "%s %s" % (formatLang(self.env, item.quantity), item.uom_id.name)
            found.append(
                _(
                    "Its work changed after its billable quantity was set by hand: "
                    "%(worked)s worked, %(billed)s billed. Set the billable quantity again.",
                    worked=worked,
                    billed=billed,
                )
            )
        name = (item.name or "").strip()
        if name in ("", "/") or name in (task.name, project.name):
            found.append(_("No description of the work."))
        max_age = item.company_id.invoicera_audit_max_age_days
        # an item deferred is billed later by the clerk's choice, not forgotten
        deferred = item.state == "deferred" and item.deferred_until and item.deferred_until > today
        if max_age and not deferred and (today - item.date).days > max_age:
            found.append(_("Older than %(days)s days.", days=max_age))
        if task and task.state in CLOSED_TASK_STATES:
            # work dated after the task closed; the time worked while it was
            # open is not suspect
            closed_on = (item._audit_task_closings() if closings is None else closings).get(task.id)
            if not closed_on or item.date > closed_on:
                found.append(_("Time on the closed task %(task)s.", task=task.name))
        return found

    def _audit_task_closings(self):
        """{task id: day} each closed task of these items was closed on, in the
        user's time zone: the day of its last change of state Odoo tracked (the
        state is tracked, a stage is not: a done task moved to another stage
        stays closed since the day it closed), else of its last stage update
        (a task closed while tracking was off, one created closed). One query."""
        # sudo: the tasks and their chatter, of projects billing staff may not read
        tasks = self.task_id.sudo().filtered(lambda task: task.state in CLOSED_TASK_STATES)
        if not tasks:
            return {}
        state = self.env["ir.model.fields"]._get("project.task", "state")
        changed_on = dict(
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", "project.task"),
                    ("res_id", "in", tasks.ids),
                    ("tracking_value_ids.field_id", "=", state.id),
                ],
                ["res_id"],
                ["date:max"],
            )
        )
        closings = {}
        for task in tasks:
            closed_at = changed_on.get(task.id) or task.date_last_stage_update
            if closed_at:
                closings[task.id] = fields.Datetime.context_timestamp(self, closed_at).date()
        return closings

    def _audit_rate_days(self):
        """{item: warning} for the items of ``self`` in a currency other than
        their company's dated before that currency's first rate: a rate
        converted into it on their day (a price of the client's pricelist, a
        cost) was converted one to one, Odoo's rate where it has none. A rate
        added for that day prices them again (``res.currency.rate``). Two
        queries."""
        oldest = defaultdict(dict)
        for company, currency, day in self.sudo()._read_group(
            [("id", "in", self.ids)], ["company_id", "currency_id"], ["date:min"]
        ):
            if currency != company.currency_id:
                # the oldest of the branches of a company
                days = oldest[company.root_id]
                days[currency] = min(day, days.get(currency, day))
        warnings = {}
        for root, days in oldest.items():
            first_rate = dict(
                self.env["res.currency.rate"]
                .sudo()
                ._read_group(
                    [
                        ("currency_id", "in", [currency.id for currency in days]),
                        "|",
                        ("company_id", "=", False),
                        ("company_id", "=", root.id),
                    ],
                    ["currency_id"],
                    ["name:min"],
                )
            )
            for currency, day in days.items():
                first = first_rate.get(currency)
                if first is not None and day >= first:
                    continue
                for item in self.filtered(
                    lambda i, c=currency, r=root, f=first: i.currency_id == c
                    and i.company_id.root_id == r
                    and (f is None or i.date < f)
                ):
                    warnings[item] = _(
                        "%(currency)s has no exchange rate on or before %(date)s: a "
                        "rate converted into it that day was converted one to one. "
                        "Add a rate for that day.",
                        currency=currency.name,
                        date=format_date(self.env, item.date),
                    )
        return warnings

    def _audit_duplicates(self):
        """{item: number of identical entries} for the time items of ``self`` that
        have a possible duplicate: same company, source, client, employee, day,
        project, task, hours and text, among all the items of their sources —
        invoiced ones included (a copy of billed work bills it twice), written-off
        and excluded ones not (they bill nothing). One query."""
        if not self:
            return {}
        hours = self.env.ref("uom.uom_categ_wtime")
        groups = self.sudo()._read_group(
            [
                ("company_id", "in", self.company_id.ids),
                ("source", "in", list(set(self.mapped("source")))),
                ("employee_id", "in", self.employee_id.ids),
                ("date", "in", list(set(self.mapped("date")))),
                ("uom_id.category_id", "=", hours.id),
                ("state", "in", ("to_bill", "deferred", "invoiced")),
            ],
            [
                "company_id",
                "source",
                "partner_id",
                "employee_id",
                "date:day",
                "project_id",
                "task_id",
                "worked_quantity",
                "name",
            ],
            ["id:array_agg"],
        )
        audited = set(self.ids)
        return {
            self.browse(item_id): len(ids)
            for *_key, ids in groups
            if len(ids) > 1
            for item_id in ids
            if item_id in audited
        }

    def _audit_daily_hours(self, leaving=None):
        """{(employee id, day): hours} worked by the employees of these time items
        (of one company) on their days. By default the hours of the company's
        items, billed ones included (:meth:`_audit_item_hours`); a source that
        records all the time worked, billable or not, overrides it, leaving out
        its records about to be deleted (``leaving``: their items are gone
        already)."""
        return self._audit_item_hours()

    def _audit_item_hours(self, domain=()):
        """{(employee id, day): hours} of the company's items of the employees and
        days of these items (and of ``domain``), billed ones included: their
        quantities in a unit of working time, converted to hours (a day is
        Odoo's 8 hours), other units being no time."""
        if not self:
            return {}
        hour = self.env.ref("uom.product_uom_hour")
        groups = self.sudo()._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("employee_id", "in", self.employee_id.ids),
                ("date", "in", list(set(self.mapped("date")))),
                ("uom_id.category_id", "=", hour.category_id.id),
                ("state", "!=", "written_off"),
                *domain,
            ],
            ["employee_id", "date:day", "uom_id"],
            ["worked_quantity:sum"],
        )
        days = defaultdict(float)
        for employee, day, uom, quantity in groups:
            days[employee.id, day] += uom._compute_quantity(quantity, hour, round=False)
        return dict(days)

    def _audit_write(self, warnings):
        """Flag the items of ``warnings`` (``{item: [text]}``), clear the rest of ``self``.

        Only the items whose flag changes are written: an audit finding nothing
        new locks no row, and leaves billing runs free to invoice them.
        """
        items = self.with_context(invoicera_engine=ENGINE)
        flagged_ids = {item.id for item in warnings}
        cleared = items.filtered(
            lambda i: i.id not in flagged_ids and (i.audit_flagged or i.audit_warning)
        )
        if cleared:
            cleared.write({"audit_flagged": False, "audit_warning": False})
        ids_by_warning = defaultdict(list)
        for item, texts in warnings.items():
            warning = "\n".join(texts)
            if not item.audit_flagged or item.audit_warning != warning:
                ids_by_warning[warning].append(item.id)
        for warning, ids in ids_by_warning.items():
            items.browse(ids).write({"audit_flagged": True, "audit_warning": warning})

    def action_audit(self):
        """Run the pre-billing audit on these items (all items to bill when none)."""
        return self._audit_notification(self._audit(self or None))

    @api.model
    def _audit_notification(self, flagged):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if flagged else "success",
                "message": _("%(count)s item(s) flagged by the audit.", count=len(flagged))
                if flagged
                else _("The audit found nothing suspicious."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _cron_audit(self):
        self.search([("state", "in", ("to_bill", "deferred"))])._audit_in_company_languages()

    def _client_decide(self, decision, partner, comment=None):
        """The client (``partner``, a contact of it) approves or disputes these items.

        Only items awaiting the client's approval change. A dispute needs a
        comment. The projects' managers are told. Returns the items decided.
        """
        if decision not in ("approved", "disputed"):
            raise UserError(_("Unknown decision: %(decision)s.", decision=decision))
        comment = (comment or "").strip()
        if decision == "disputed" and not comment:
            raise UserError(_("Say what is wrong with the items you dispute."))
        items = self.filtered(
            lambda i: i.client_approval == "pending" and i.state in ("to_bill", "deferred")
        )
        items.with_context(invoicera_engine=ENGINE).write(
            {
                "client_approval": decision,
                "client_comment": comment or False,
                "client_decided_by_id": partner.id,
                "client_decided_on": fields.Datetime.now(),
            }
        )
        for project, project_items in items.grouped("project_id").items():
            if not project:
                continue
            if decision == "approved" and not comment:
                body = _(
                    "%(client)s approved %(count)s item(s) of unbilled work.",
                    client=partner.display_name,
                    count=len(project_items),
                )
            elif decision == "approved":
                body = _(
                    "%(client)s approved %(count)s item(s) of unbilled work: %(comment)s",
                    client=partner.display_name,
                    count=len(project_items),
                    comment=comment,
                )
            else:
                body = _(
                    "%(client)s disputed %(count)s item(s) of unbilled work: %(comment)s",
                    client=partner.display_name,
                    count=len(project_items),
                    comment=comment,
                )
            managers = project.sudo().user_id.partner_id
            project.sudo().message_post(
                body=body,
                partner_ids=managers.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return items

    def action_ask_client_again(self):
        """After fixing disputed items, ask the client to approve them again;
        on a project that no longer asks its client, they are billable again
        (their comment kept: it says what was settled)."""
        self._check_not_invoiced()
        disputed = self.filtered(lambda i: i.client_approval == "disputed")
        for approval, items in disputed.grouped(
            lambda i: i._client_approval_of(i.project_id.id)
        ).items():
            items.with_context(invoicera_engine=ENGINE).write({"client_approval": approval})
        return True

    @api.model
    def _resync_unbilled(self, domain):
        """Sync again from their sources the items not invoiced yet matching
        ``domain`` (archived ones too: back if billable again): what prices or
        bills work changed (a product's price, a client's pricelist, a rate).
        As superuser: the work is everyone's, whoever changes what prices it."""
        items = (
            self.sudo()
            .with_context(active_test=False)
            .search(expression.AND([domain, [("state", "!=", "invoiced")]]))
        )
        for sources in items._sources().values():
            sources._invoicera_sync_items()

    def _sources(self):
        """{model: records} of the sources of ``self`` (one query, items not loaded)."""
        return {model: sources for model, (sources, _items) in self._sources_and_items().items()}

    def _sources_and_items(self):
        """{model: (records, items)}: the sources of ``self`` by model, each with
        its items of ``self``, for the sources' hooks (one query)."""
        return {
            model: (self.env[model].browse(source_ids), self.browse(ids))
            for model, source_ids, ids in self.sudo()._read_group(
                [("id", "in", self.ids)], ["source_model"], ["source_id:array_agg", "id:array_agg"]
            )
        }

    # ------------------------------------------------------------------
    # Business: invoicing
    # ------------------------------------------------------------------
    @api.model
    def _split(self, records, size):
        return [records.browse(ids) for ids in split_every(size, records.ids)]

    def _names(self, limit=MAX_NAMED):
        """The items, named for an error message."""
        return named_for_message(
            self,
            lambda i: f"{i.partner_id.name} · {format_date(self.env, i.date)} · {i.name}",
            limit,
        )

    def _check_not_invoiced(self):
        invoiced = self.filtered(lambda item: item.state == "invoiced")
        if invoiced:
            raise UserError(
                _(
                    "These items are invoiced and locked: cancel or credit the invoice "
                    "first to change them.%(items)s",
                    items=invoiced._names(),
                )
            )

    @api.model
    def _billable_domain(self, company, cutoff_date=None, partners=None):
        """Items to bill in a run: to bill, or deferred to a date reached by the cut-off."""
        domain = [
            ("company_id", "=", company.id),
            ("client_approval", "in", ("not_required", "approved")),
            "|",
            ("state", "=", "to_bill"),
            "&",
            ("state", "=", "deferred"),
            ("deferred_until", "<=", cutoff_date or fields.Date.context_today(self)),
        ]
        if cutoff_date:
            domain.append(("date", "<=", cutoff_date))
        if partners is not None:
            domain.append(("partner_id", "in", partners.ids))
        return domain

    @api.model
    def _invoice_currency(self, partner, company):
        """The currency a client is billed in: its pricelist's, else the company's."""
        pricelist = partner.with_company(company).property_product_pricelist
        return pricelist.currency_id or company.currency_id

    def _lock_for_invoicing(self):
        """Lock the items against concurrent invoicing, or raise InvoiceraBusyError.

        ``FOR UPDATE NOWAIT`` fails at once when another transaction holds the
        rows; under Odoo's REPEATABLE READ isolation it also fails when another
        transaction changed them since this one started. Either way the items
        are not invoiced twice: the database refuses before anything is written.
        Returns ``{client: its items}``, as the locked rows say.
        """
        if not self:
            return {}
        self.flush_model()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT partner_id, id FROM invoicera_billable_item WHERE id = ANY(%s) "
                        "FOR UPDATE NOWAIT",
                        self.ids,
                    )
                )
                rows = self.env.cr.fetchall()
        except (psycopg2.errors.LockNotAvailable, psycopg2.errors.SerializationFailure) as error:
            raise InvoiceraBusyError(str(error)) from error
        # Locked: what the rows say now is what this transaction will change.
        self.invalidate_recordset()
        ids_by_partner = defaultdict(list)
        for partner_id, item_id in rows:
            ids_by_partner[partner_id].append(item_id)
        return {
            self.env["res.partner"].browse(partner_id): self.browse(ids)
            for partner_id, ids in ids_by_partner.items()
        }

    def _by_partner(self):
        """``{client: its items of self}``, read in one query without loading the items."""
        return {
            partner: self.browse(ids)
            for partner, ids in self._read_group(
                [("id", "in", self.ids)], ["partner_id"], ["id:array_agg"]
            )
        }

    def _invoicing_errors(self, company, invoice_date, accounts=None):
        """What prevents invoicing ``self``: ``{client: [message, ...]}``.

        Checked for all the clients of ``self`` at once, with a query per kind
        of check rather than per client or per item; the items themselves are
        only read when one is wrong. ``accounts``: the batch's cache of income
        accounts and fiscal positions (:meth:`_income_account`,
        :meth:`_invoice_fiscal_position`), which invoicing reads again.
        """
        errors = defaultdict(list)
        if not self:
            return errors
        accounts = {} if accounts is None else accounts
        # What the items are made of: clients, currencies, products.
        groups = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group(
                [("id", "in", self.ids)],
                ["partner_id", "currency_id", "product_id", "uom_id"],
                ["id:array_agg"],
            )
        )
        partners = self.env["res.partner"].browse(dict.fromkeys(g[0].id for g in groups))
        currencies_by_partner = defaultdict(lambda: self.env["res.currency"])
        ids_by_product_uom = defaultdict(list)
        for partner, currency, product, uom, ids in groups:
            currencies_by_partner[partner.id] |= currency.with_env(self.env)
            ids_by_product_uom[product.with_env(self.env), uom.with_env(self.env)] += ids
        for partner in partners:
            if not partner.active:
                errors[partner].append(
                    _("The client %(client)s is archived.", client=partner.display_name)
                )
            receivable = partner.with_company(company).property_account_receivable_id
            if not receivable:
                errors[partner].append(
                    _(
                        "The client %(client)s has no receivable account.",
                        client=partner.display_name,
                    )
                )
                continue
            # as the invoice's fiscal position maps it (Odoo's payment term line)
            position = self._client_fiscal_position(partner, company, accounts)
            mapped = position.map_account(receivable) if position else receivable
            if not mapped.deprecated:
                continue
            if mapped == receivable:
                message = _(
                    "The receivable account %(account)s of the client %(client)s is "
                    "deprecated: give the client another one.",
                    account=receivable.display_name,
                    client=partner.display_name,
                )
            else:
                message = _(
                    "The fiscal position %(position)s maps the receivable account "
                    "%(receivable)s of the client %(client)s to %(account)s, which is "
                    "deprecated: map it to another one.",
                    position=position.display_name,
                    receivable=receivable.display_name,
                    client=partner.display_name,
                    account=mapped.display_name,
                )
            errors[partner].append(message)
        # Items: one search finds those that may be wrong (as a rule, none),
        # then each check is applied to them exactly.
        suspects = self.browse(
            self.env[self._name]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("id", "in", self.ids),
                    "|",
                    "|",
                    "|",
                    "|",
                    "|",
                    "|",
                    "|",
                    ("company_id", "!=", company.id),
                    ("state", "not in", ("to_bill", "deferred")),
                    ("active", "=", False),
                    ("client_approval", "not in", ("not_required", "approved")),
                    ("deferred_until", ">", invoice_date),
                    ("quantity", "<", 0),
                    ("worked_quantity", "<", 0),
                    # stored rounded to the prices' precision
                    ("price_unit", "<=", 0),
                ]
            )
            .ids
        )
        for check, message in (
            (
                lambda i: i.company_id != company,
                _("These items belong to another company than %(company)s:%(items)s"),
            ),
            (
                lambda i: i.state not in ("to_bill", "deferred") or not i.active,
                _("These items are not to bill (any more):%(items)s"),
            ),
            # (a run takes neither; items invoiced through the API are refused)
            (
                lambda i: i.client_approval not in ("not_required", "approved"),
                _("These items await the client's approval, or the client disputed them:%(items)s"),
            ),
            (
                lambda i: i.state == "deferred" and i.deferred_until > invoice_date,
                _("These items are deferred to after the invoice date:%(items)s"),
            ),
            (
                # a correction of -0.1 h rounded to 0 h is not billed as nothing
                lambda i: i.quantity < 0 or i.worked_quantity < 0,
                _("These items have a negative quantity:%(items)s"),
            ),
            (
                lambda i: i.price_unit <= 0,
                _("These items have a zero or negative rate:%(items)s"),
            ),
        ):
            self._add_errors(errors, suspects.filtered(check), message, company=company.name)
        # Exchange rates: one query for every currency involved.
        needed = {
            partner: (self._invoice_currency(partner, company) | currencies_by_partner[partner.id])
            - company.currency_id
            for partner in partners
        }
        with_rate = self._currencies_with_rate(
            self.env["res.currency"].union(*needed.values()), company, invoice_date
        )
        ids_by_partner_currency = defaultdict(list)
        for partner, currency, _product, _uom, ids in groups:
            ids_by_partner_currency[partner.id, currency.id] += ids
        for partner, needed_currencies in needed.items():
            invoice_currency = self._invoice_currency(partner, company)
            for currency in needed_currencies.filtered(lambda c: c.id not in with_rate):
                if currency == invoice_currency:
                    errors[partner].append(
                        _(
                            "The currency %(currency)s has no exchange rate on or before "
                            "%(date)s (client %(client)s).",
                            currency=currency.name,
                            date=format_date(self.env, invoice_date),
                            client=partner.display_name,
                        )
                    )
                    continue
                # the items' currency (a project's rates in another one), not
                # the client's: those items are named, as every check does
                self._add_errors(
                    errors,
                    self.browse(ids_by_partner_currency[partner.id, currency.id]),
                    _(
                        "The currency %(currency)s has no exchange rate on or before "
                        "%(date)s, to convert these items' rates into %(client_currency)s "
                        "(the client's currency):%(items)s"
                    ),
                    currency=currency.name,
                    date=format_date(self.env, invoice_date),
                    client_currency=invoice_currency.name,
                )
        self._converted_rate_errors(errors, company, invoice_date, groups, with_rate)
        self._product_errors(errors, company, ids_by_product_uom)
        self._mapped_account_errors(errors, company, groups, accounts)
        return errors

    @api.model
    def _currencies_with_rate(self, currencies, company, day):
        """The ids of ``currencies`` with an exchange rate on or before ``day`` in
        ``company`` (of its root company, or of every company): without one,
        Odoo converts one to one (one query)."""
        if not currencies:
            return set()
        return {
            currency.id
            for (currency,) in self.env["res.currency.rate"]._read_group(
                [
                    ("currency_id", "in", currencies.ids),
                    ("name", "<=", day),
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "=", company.root_id.id),
                ],
                ["currency_id"],
            )
        }

    def _converted_rate_errors(self, errors, company, invoice_date, groups, with_rate):
        """Add to ``errors`` the items whose rate, converted into their client's
        currency at the invoice date, is worth nothing at the precision of an
        invoice line's price (50 IDR an hour is 0.003 USD): billed, they would be
        billed 0.00 and locked. ``groups``: the items by client, currency,
        product and unit (``_invoicing_errors``); ``with_rate``: the ids of the
        currencies with a rate on that date."""
        digits = self.env["decimal.precision"].precision_get("Product Price")
        rates = {}
        for partner, currency, _product, _uom, ids in groups:
            invoice_currency = self._invoice_currency(partner, company)
            if currency == invoice_currency or not all(
                c == company.currency_id or c.id in with_rate for c in currency | invoice_currency
            ):
                continue
            key = (currency, invoice_currency)
            if key not in rates:
                rates[key] = currency._get_conversion_rate(
                    currency, invoice_currency, company, invoice_date
                )
            worthless = self.browse(ids).filtered(
                lambda i, rate=rates[key]: i.price_unit > 0
                and float_is_zero(i.price_unit * rate, precision_digits=digits)
            )
            self._add_errors(
                errors,
                worthless,
                _(
                    "These items' rate, converted into %(currency)s (the client's "
                    "currency) on the invoice date, rounds to 0: they would be billed "
                    "nothing:%(items)s"
                ),
                currency=invoice_currency.name,
            )

    def _product_errors(self, errors, company, ids_by_product_uom):
        """Add to ``errors`` what the products of the items prevent: a product
        of another company, a missing income account, a unit of another kind
        than the product's.

        ``ids_by_product_uom``: ``{(product, unit): [item ids]}``; each product
        is checked once.
        """
        ids_by_product = defaultdict(list)
        for (product, _uom), ids in ids_by_product_uom.items():
            ids_by_product[product] += ids
        # Products of another company (a sister company's work for the project):
        # not on this company's invoices, as Odoo checks an invoice line's.
        products = self.env["product.product"].union(*ids_by_product).sudo()
        allowed = products.filtered_domain(products._check_company_domain(company))
        for product in products - allowed:
            self._add_errors(
                errors,
                self.browse(ids_by_product[product]),
                _(
                    "The product %(product)s belongs to %(product_company)s, not to "
                    "%(company)s, so these items cannot be invoiced:%(items)s"
                ),
                product=product.display_name,
                product_company=product.company_id.name,
                company=company.name,
            )
        # Income accounts: once per product.
        for product, ids in ids_by_product.items():
            # deprecated: as the client's fiscal position maps it (_mapped_account_errors)
            if product.product_tmpl_id.with_company(company).get_product_accounts()["income"]:
                continue
            self._add_errors(
                errors,
                self.browse(ids),
                _(
                    "The product %(product)s has no income account, so these items "
                    "cannot be invoiced:%(items)s"
                ),
                product=product.display_name,
            )
        # Units: an invoice line bills its product in a unit of the same kind.
        for (product, uom), ids in ids_by_product_uom.items():
            if uom.category_id == product.uom_id.category_id:
                continue
            self._add_errors(
                errors,
                self.browse(ids),
                _(
                    "The product %(product)s is sold in %(product_uom)s, these items are "
                    "in %(uom)s:%(items)s"
                ),
                product=product.display_name,
                product_uom=product.uom_id.name,
                uom=uom.name,
            )

    def _mapped_account_errors(self, errors, company, groups, accounts):
        """Add to ``errors`` the items whose invoice line would get a deprecated
        income account: the product's own, or the one their client's fiscal
        position maps it to (which Odoo's create refuses naming the account
        alone). A deprecated account that the position maps to a valid one is
        fine, as Odoo invoices on the mapped account. Products without an income
        account are refused by ``_product_errors``.

        ``groups``: the items by client, currency, product and unit
        (``_invoicing_errors``); ``accounts``: the batch's cache, where each
        client's fiscal position is found once (:meth:`_invoice_fiscal_position`)
        and each product and position looked at once (:meth:`_income_account`),
        for the check and the invoices alike.
        """
        Position = self.env["account.fiscal.position"]
        ids_by_product_position = defaultdict(list)
        for partner, _currency, product, _uom, ids in groups:
            position = self._client_fiscal_position(partner, company, accounts)
            ids_by_product_position[product.with_env(self.env), position] += ids
        for (product, position), ids in ids_by_product_position.items():
            account = self._income_account(product, position, company, accounts)
            if not account.deprecated:
                continue  # valid, or none (_product_errors)
            income = self._income_account(product, Position, company, accounts)
            if account == income:
                message = _(
                    "The product %(product)s's income account %(account)s is deprecated, "
                    "so these items cannot be invoiced:%(items)s"
                )
            else:
                message = _(
                    "The fiscal position %(position)s maps the product %(product)s's "
                    "income account %(income)s to %(account)s, which is deprecated, so "
                    "these items cannot be invoiced:%(items)s"
                )
            self._add_errors(
                errors,
                self.browse(ids),
                message,
                position=position.display_name,
                product=product.display_name,
                income=income.display_name,
                account=account.display_name,
            )

    @api.model
    def _add_errors(self, errors, items, message, **params):
        """Add to ``errors`` (``{client: [message, ...]}``) the translated
        ``message`` for each client of ``items``, naming its items
        (``%(items)s``) and filled with ``params``."""
        for partner, wrong in items.grouped("partner_id").items():
            errors[partner].append(message % dict(params, items=wrong._names()))

    @api.model
    def _line_name(self, partner, detail, line, cache=None):
        """The label of an invoice line, in the language of ``partner`` (the
        invoice's address: its PDF's, e-mail's and annex's language).

        ``line``: what the line bills, as :meth:`_invoice_lines` gives it;
        ``cache``: a dict kept for one batch, where each date, project and
        product name is put in each language once (names are translatable:
        those of a batch are read in one go per language).
        """
        cache = {} if cache is None else cache
        lang = partner.lang

        def in_lang(value, fname="display_name"):
            key = (lang, value, fname)
            if key not in cache:
                lang_env = self.env if self.env.lang == lang else self.with_context(lang=lang).env
                if isinstance(value, models.BaseModel):
                    # with_context: the project read as superuser stays so
                    # (see _invoice_lines)
                    cache[key] = value.with_context(lang=lang)[fname]
                else:
                    cache[key] = format_date(lang_env, value, lang_code=lang)
            return cache[key]

        if detail == "item" and len(line["item_ids"]) == 1:
            item = self.browse(line["item_ids"][0])
            parts = [in_lang(item.date)]
            if line["employee"]:
                parts.append(line["employee"].name)
            parts.append(item.name)
            return " · ".join(parts)
        period = in_lang(line["date_from"])
        if line["date_to"] != line["date_from"]:
            period += " – " + in_lang(line["date_to"])
        parts = [in_lang(line["project"], "name")] if line["project"] else []
        if detail == "task" and line["task"]:
            parts.append(line["task"].name)
        if detail == "employee" and line["employee"]:
            parts.append(line["employee"].name)
        parts.append(in_lang(line["product"]))
        return f"{' · '.join(parts)} ({period})"

    def _invoice_lines(self):
        """The invoice lines billing ``self``: ``{client: [line, ...]}``, in invoice order.

        Items sharing a project, product, unit, rate and currency are billed on
        one line, split per task, per employee or per item as the client's
        detail level asks. The items are summed by the database (one query
        whatever their number). Each line is a dict: ``project``, ``task``,
        ``employee``, ``product``, ``uom``, ``currency``, ``price_unit``, ``at_cost``,
        ``quantity``, ``date_from``, ``date_to``, ``item_ids``.
        """
        groups = self._read_group(
            [("id", "in", self.ids)],
            [
                "partner_id",
                "project_id",
                "product_id",
                "uom_id",
                "currency_id",
                "price_unit",
                "price_at_cost",
                "task_id",
                "employee_id",
            ],
            ["quantity:sum", "date:min", "date:max", "id:array_agg"],
        )
        lines = defaultdict(dict)
        per_item = []
        for (
            partner,
            project,
            product,
            uom,
            currency,
            price,
            at_cost,
            task,
            employee,
            quantity,
            date_from,
            date_to,
            item_ids,
        ) in groups:
            # sudo: a line names its project, task and employee, and takes the
            # project's analytic account; billing staff invoice every client's
            # work, also on projects and tasks they may not read (private
            # projects) and of employees they read as public profiles (no HR
            # rights). Only those names and the analytic account are read.
            project, task, employee = project.sudo(), task.sudo(), employee.sudo()
            detail = partner.invoicera_invoice_detail or "project"
            if detail == "item":
                per_item += item_ids
                continue
            key = (project.id, product.id, uom.id, currency.id, price, at_cost)
            if detail == "task":
                key += (task.id,)
            elif detail == "employee":
                key += (employee.id,)
            line = lines[partner].get(key)
            if line:
                line["quantity"] += quantity
                line["date_from"] = min(line["date_from"], date_from)
                line["date_to"] = max(line["date_to"], date_to)
                line["item_ids"] += item_ids
                continue
            lines[partner][key] = {
                "project": project,
                "task": task,
                "employee": employee,
                "product": product,
                "uom": uom,
                "currency": currency,
                "price_unit": price,
                "at_cost": at_cost,
                "quantity": quantity,
                "date_from": date_from,
                "date_to": date_to,
                "item_ids": item_ids,
            }
        for item in self.browse(per_item):
            lines[item.partner_id][item.id] = {
                # sudo: as above, names and analytic account only
                "project": item.project_id.sudo(),
                "task": item.task_id.sudo(),
                "employee": item.employee_id.sudo(),
                "product": item.product_id,
                "uom": item.uom_id,
                "currency": item.currency_id,
                "price_unit": item.price_unit,
                "at_cost": item.price_at_cost,
                "quantity": item.quantity,
                "date_from": item.date,
                "date_to": item.date,
                "item_ids": [item.id],
            }
        # In the order of the work: per project, then by first date.
        return {
            partner: sorted(
                partner_lines.values(),
                key=lambda line: (line["project"].id, line["date_from"], min(line["item_ids"])),
            )
            for partner, partner_lines in lines.items()
        }

    def _prepare_invoices(self, company, invoice_date, run=None, accounts=None):
        """Invoice values for ``self``, per client, with the items of each line.

        Returns ``{client: [(invoice_values, [item ids of line 1, ...]), ...]}``:
        one invoice per client in its currency (and per project when the client
        wants it). ``accounts``: the batch's cache of income accounts and fiscal
        positions (:meth:`_income_account`, :meth:`_invoice_fiscal_position`),
        filled by the check (:meth:`_invoicing_errors`), which creating the
        invoices reads again.
        """
        rates, result, headers, names, prices, analytics = {}, {}, {}, {}, {}, {}
        # the clients' settings (line detail, one invoice per project) are per
        # company: the invoicing company's, whichever company the user is in
        lines_by_partner = self.with_company(company)._invoice_lines()
        # The lines show their project's name and analytic accounts (one per
        # plan): read those alone (as superuser, see _invoice_lines).
        Project = self.env["project.project"].sudo()
        Project.union(
            *(line["project"] for lines in lines_by_partner.values() for line in lines)
        ).fetch(["name", *Project._get_plan_fnames()])
        for partner, partner_lines in lines_by_partner.items():
            detail = partner.invoicera_invoice_detail or "project"
            currency = self._invoice_currency(partner, company)
            invoice_address = self._invoice_address(partner, company)
            # the language of the invoice's PDF, e-mail and annex: its address's
            reader = partner.browse(invoice_address)
            header = self._invoice_header(
                company, invoice_address, currency, headers, invoice_date, positions=accounts
            )
            position = self.env["account.fiscal.position"].browse(header["fiscal_position_id"])
            # the invoice lines' partner (account.move.line._compute_partner_id)
            line_partner = partner.browse(header["partner_id"]).commercial_partner_id
            invoices = defaultdict(list)
            for line in partner_lines:
                key = line["project"].id if partner.invoicera_invoice_per_project else None
                invoices[key].append(line)
            result[partner] = []
            for lines in invoices.values():
                line_vals = []
                for sequence, line in enumerate(lines, start=10):
                    key = (line["currency"].id, currency.id)
                    if key not in rates:
                        rates[key] = line["currency"]._get_conversion_rate(
                            line["currency"], currency, company, invoice_date
                        )
                    vals = {
                        "sequence": sequence,
                        "display_type": "product",
                        "product_id": line["product"].id,
                        "name": self._line_name(reader, detail, line, names),
                        "quantity": line["quantity"],
                        "product_uom_id": line["uom"].id,
                        "price_unit": (
                            line["price_unit"]
                            if line["at_cost"]
                            else self._price_in_position(
                                line["product"], position, line["price_unit"], company, prices
                            )
                        )
                        * rates[key],
                    }
                    # the project's accounts and the analytic distribution models'
                    distribution = self._line_analytic_distribution(
                        line["project"],
                        line_partner,
                        line["product"],
                        position,
                        company,
                        analytics,
                        accounts=accounts,
                    )
                    if distribution:
                        vals["analytic_distribution"] = distribution
                    line_vals.append(vals)
                projects = dict.fromkeys(line["project"] for line in lines if line["project"])
                # in the language of the PDF, which shows it, as the lines
                origin = ", ".join(
                    project.with_context(lang=reader.lang).name for project in projects
                )
                invoice_vals = {
                    **header,
                    "invoice_date": invoice_date,
                    "invoice_origin": origin[:250] or False,
                    "invoice_line_ids": [fields.Command.create(vals) for vals in line_vals],
                }
                if run:
                    invoice_vals["invoicera_run_id"] = run.id
                result[partner].append((invoice_vals, [line["item_ids"] for line in lines]))
        return result

    @api.model
    def _line_analytic_distribution(
        self, project, partner, product, position, company, cache, accounts=None
    ):
        """The analytic distribution of an invoice line billing ``product`` of
        ``project`` to ``partner`` (the invoice's commercial partner) in the
        fiscal ``position``.

        The analytic distribution models (Accounting ▸ Configuration) that
        match the line, as Odoo matches them for an invoice line
        (``account.move.line._compute_analytic_distribution``: product, its
        category, partner, its tags, income account, company), fill their
        plans: on a plan both fill, the model's accounts win over the
        project's, as on a sales order line (``sale.order.line``'s and
        sale_project's ``_compute_analytic_distribution``). The project's
        accounts (``project._get_analytic_distribution()``, as Odoo's sale flow
        gives them) fill the other plans.

        ``cache``: a dict kept for one batch, where whether the company has
        models is asked once, the models are looked for once per client,
        product and fiscal position, and each project merged with them once;
        ``accounts``: the batch's cache of income accounts (by default ``cache``).
        """
        key = (project.id, partner.id, product.id, position.id)
        if key in cache:
            return cache[key]
        Model = self.env["account.analytic.distribution.model"].with_company(company)
        if "any model" not in cache:
            cache["any model"] = bool(
                Model.search_count([("company_id", "in", [company.id, False])], limit=1)
            )
        model_key = ("models", partner.id, product.id, position.id)
        if not cache["any model"]:
            cache[model_key] = {}
        elif model_key not in cache:
            account = self._income_account(
                product, position, company, cache if accounts is None else accounts
            )
            cache[model_key] = Model._get_distribution(
                {
                    "product_id": product.id,
                    "product_categ_id": product.categ_id.id,
                    "partner_id": partner.id,
                    "partner_category_id": partner.category_id.ids,
                    "account_prefix": account.code,
                    "company_id": company.id,
                }
            )
        applied = cache[model_key]
        distribution = project._get_analytic_distribution()
        if applied and distribution:
            Account = project.env["account.analytic.account"]
            plans = (
                Account.browse(
                    {int(account_id) for ids in applied for account_id in ids.split(",")}
                )
                .exists()
                .root_plan_id
            )
            kept = project._get_analytic_accounts().filtered(
                lambda account: account.root_plan_id not in plans
            )
            distribution = {",".join(map(str, kept.ids)): 100} if kept else {}
        cache[key] = {**distribution, **applied}
        return dict(cache[key])

    @api.model
    def _income_account(self, product, position, company, cache):
        """The income account Odoo gives an invoice line of ``company`` billing
        ``product`` to a client in the fiscal ``position``
        (``account.move.line._compute_account_id``): the product's (else its
        category's), mapped by the position. ``cache``: a dict kept for one
        batch, where each product and position is looked at once, for the
        check of the items (:meth:`_mapped_account_errors`), the lines'
        analytic models (:meth:`_line_analytic_distribution`) and account
        (:meth:`_predict_line_amounts`) alike."""
        key = ("income account", product.id, position.id)
        if key not in cache:
            cache[key] = product.with_company(company).product_tmpl_id.get_product_accounts(
                fiscal_pos=position
            )["income"]
        return cache[key]

    @api.model
    def _price_in_position(self, product, position, price, company, cache):
        """The price of ``product`` at the rate ``price`` for a client in the
        fiscal ``position``, as Odoo prices a product on an invoice or a sales
        order line (``_get_tax_included_unit_price_from_price``).

        Rates are entered as the product's price is: including the product's
        taxes that are included in its price. Where the position maps all
        those included taxes to other ones (an exempt client, another rate),
        Odoo takes the price without the original taxes and adds the included
        ones it maps to: 121 with "21% included" becomes 100 with "0%". Else
        (no position, taxes not all included, mapped to themselves) the price
        is kept as it is.

        ``cache``: a dict kept for one batch, where each product and position
        is looked at once, and each distinct price adapted once.
        """
        key = (product.id, position.id)
        if key not in cache:
            # the product's own taxes, as the engine maps them (_predict_line_amounts);
            # taxes an income account gives to a product without any change no price
            taxes = (
                product.taxes_id.filtered_domain(
                    self.env["account.tax"]._check_company_domain(company)
                )._filter_taxes_by_company(company)
                if position
                else product.taxes_id.browse()
            )
            mapped = position.map_tax(taxes) if taxes else taxes
            adapt = taxes and mapped != taxes and all(taxes.mapped("price_include"))
            cache[key] = (taxes, mapped) if adapt else None
        if cache[key] is None:
            return price
        price_key = (*key, price)
        if price_key not in cache:
            taxes, mapped = cache[key]
            cache[price_key] = product._get_tax_included_unit_price_from_price(
                price, taxes, product_taxes_after_fp=mapped
            )
        return cache[price_key]

    @api.model
    def _invoice_address(self, partner, company, kind="invoice"):
        """The address (an id) of ``kind`` of ``partner`` on an invoice from
        ``company``, found as Odoo's ``address_get`` finds it (its contacts
        first, depth first, then its parents' up to the commercial entity; else
        its first contact of type "contact", else itself), among the contacts of
        that company (or a parent) or of none: a shared client's contact of
        another company would be refused on the invoice. ``address_get`` walks
        the contacts the user reads in the companies they have checked, which
        may come first. Here the contacts are read as superuser (as the
        transaction's cache holds them: read first by a user who has the
        invoicing company checked, as every invoicing path has, they include
        its contacts), then filtered by company."""
        allowed = company.parent_ids
        found, visited = {}, set()
        current = partner.sudo()  # only the contacts' type, company and links
        while current:
            to_scan = [current]
            while to_scan:
                record = to_scan.pop(0)
                visited.add(record)
                if record.type in (kind, "contact"):
                    found.setdefault(record.type, record.id)
                if kind in found:
                    return found[kind]
                to_scan = [
                    child
                    for child in record.child_ids
                    if child not in visited and not child.is_company and child.company_id <= allowed
                ] + to_scan
            if current.is_company or not current.parent_id:
                break
            current = current.parent_id
        return found.get("contact", partner.id)

    @api.model
    def _client_fiscal_position(self, partner, company, cache):
        """The fiscal position of ``partner``'s invoices from ``company``, as
        :meth:`_prepare_invoices` finds it (its invoice address's), looked for
        once per batch (``cache``, as :meth:`_invoice_fiscal_position`)."""
        key = ("client position", company.id, partner.id)
        if key not in cache:
            invoice_address = self._invoice_address(partner, company)
            cache[key] = self._invoice_fiscal_position(company, invoice_address, cache)[1]
        return cache[key]

    @api.model
    def _invoice_fiscal_position(self, company, invoice_address, cache):
        """``(delivery address, fiscal position)`` of an invoice of ``company`` to
        ``invoice_address`` (an id), as ``account.move`` computes them: the
        address's delivery address, and the position Odoo finds for both
        (``_compute_fiscal_position_id``). ``cache``: a dict kept for one batch,
        where each address is looked at once, by the check of the items
        (:meth:`_mapped_account_errors`) and their invoice (:meth:`_invoice_header`)."""
        key = ("fiscal position", company.id, invoice_address)
        if key not in cache:
            partner = self.env["res.partner"].browse(invoice_address)
            delivery = partner.browse(self._invoice_address(partner, company, "delivery"))
            position = (
                self.env["account.fiscal.position"]
                .with_company(company)
                ._get_fiscal_position(partner, delivery=delivery)
            )
            cache[key] = (delivery, position)
        return cache[key]

    @api.model
    def _invoice_header(
        self, company, invoice_address, currency, cache, invoice_date, positions=None
    ):
        """The values Odoo would compute for a new invoice to ``invoice_address``
        (an id) in ``currency`` dated ``invoice_date``, given to it as sale's
        ``_prepare_invoice`` gives them.

        Odoo computes them invoice by invoice: the delivery address and fiscal
        position per client, here as ``account.move`` computes them; the
        client's salesperson and their team as sale gives them
        (:meth:`_invoice_salesperson`); the journal and the sales team of a
        client without salesperson, the same for every invoice of a company in a
        currency, once per ``cache`` (a dict kept for one batch, of one invoice
        date) from an unsaved invoice, so that Odoo's own defaults and
        computations (and their overrides) choose them. Without a sales
        journal, none is given: each client's invoice then fails with Odoo's
        message.

        The draft's name too (:meth:`_draft_name`): Odoo gives the first
        invoice of a journal in its numbering period the period's first number
        and names the next drafts "/", asking the database for the journal's
        last number invoice by invoice; once the journal has a number in the
        period, every new draft is "/", asked once here. ``positions``: the
        batch's cache of fiscal positions (:meth:`_invoice_fiscal_position`),
        by default ``cache``.
        """
        Move = self.env["account.move"].with_company(company)
        key = (company.id, currency.id)
        if key not in cache:
            values = {"move_type": "out_invoice", "company_id": company.id}
            values["currency_id"] = currency.id
            values.update(Move.default_get(["team_id", "journal_id"]))
            template = Move.new({**values, "invoice_date": invoice_date})
            try:
                values["journal_id"] = template.journal_id.id
            except UserError:
                # no sales journal: Odoo's create says so, client by client
                values.pop("journal_id", None)
            else:
                values.update(self._draft_name(template))
            values["team_id"] = template.team_id.id
            cache[key] = values
        partner = self.env["res.partner"].browse(invoice_address)
        delivery, position = self._invoice_fiscal_position(
            company, invoice_address, cache if positions is None else positions
        )
        header = {
            **cache[key],
            **self._invoice_salesperson(company, partner, cache),
            "partner_id": partner.id,
            "partner_shipping_id": delivery.id,
            "fiscal_position_id": position.id,
        }
        if not partner.with_company(company).property_payment_term_id:
            # Without payment terms Odoo makes an invoice due the day it is
            # created: one dated later (a run of next month's invoices) would be
            # due before its own date, overdue once posted. It is due on its
            # date then; one dated earlier keeps Odoo's due date.
            header["invoice_date_due"] = max(
                fields.Date.to_date(invoice_date), fields.Date.context_today(self)
            )
        return header

    @api.model
    def _invoice_salesperson(self, company, partner, cache):
        """``{"invoice_user_id", "team_id"}`` of an invoice to ``partner``: the
        client's salesperson and their sales team, as Odoo's sale flow gives
        an order's (``sale.order._compute_user_id``, ``_compute_team_id``) to
        its invoices; ``{}`` for a client without one (the invoice then names
        the user who bills, as Odoo's invoices do). ``cache``: as for
        :meth:`_invoice_header`, each salesperson's team is looked for once."""
        salesperson = partner.user_id or partner.commercial_partner_id.user_id
        if not salesperson:
            return {}
        key = ("salesperson", company.id, salesperson.id)
        if key not in cache:
            Team = self.env["crm.team"].with_company(company)
            team = Team._get_default_team_id(
                user_id=salesperson.id, domain=Team._check_company_domain(company)
            )
            cache[key] = {"invoice_user_id": salesperson.id, "team_id": team.id}
        return cache[key]

    @api.model
    def _draft_name(self, template):
        """``{"name": "/"}`` when Odoo names every new draft like ``template``
        (an unsaved invoice) "/", else ``{}``: Odoo then names the drafts itself.

        Odoo names a new draft "/" when its journal already has a number in
        the draft's numbering period; in quick encoding mode it leaves the
        name empty, and addons may number per client (Latin American document
        types): those are left to Odoo, as is a journal whose numbering Odoo
        refuses (its create says why, client by client).
        """
        Move = template.browse()
        if template.quick_edit_mode or not all(
            self._overridden_only_by(Move, method, DRAFT_NAME_OVERRIDES)
            for method in ("_compute_name", "_get_last_sequence_domain", "_get_last_sequence")
        ):
            return {}
        try:
            has_number = template._get_last_sequence()
        except UserError:
            return {}
        return {"name": "/"} if has_number else {}

    def _invoice(self, company, invoice_date, post=False, run=None):
        """Invoice ``self`` (the items of one client) and return the invoices.

        Raises UserError naming what is wrong, and InvoiceraBusyError when
        another transaction is invoicing these items: then nothing is created,
        for any client of ``self`` (:meth:`_invoice_clients` invoices the others).
        """
        if not self:
            return self.env["account.move"]
        moves = self.env["account.move"]
        with self.env.cr.savepoint():
            results = self._invoice_clients(company, invoice_date, post=post, run=run)
            for status, result in results.values():
                if status == "skipped":
                    raise InvoiceraBusyError(result)
                if status == "failed":
                    raise UserError(result)
                moves |= result
        return moves

    def _invoice_clients(self, company, invoice_date, post=False, run=None):
        """Invoice the items of ``self``, client by client, in as few steps as possible.

        Returns ``{client: (status, invoices or message)}``: ``invoiced`` with
        the invoices, ``failed`` with the reason (nothing of that client is
        created), ``skipped`` when another transaction holds its items. The
        clients are locked, checked, created and posted together; when the
        batch fails, each client is retried on its own so that one client's
        problem does not stop the others.
        """
        results = {}
        invoice_date = fields.Date.to_date(invoice_date)
        # 1. Lock: all at once, else client by client to find who is busy.
        try:
            locked = self._lock_for_invoicing()
        except InvoiceraBusyError:
            locked = {}
            for partner, items in self._by_partner().items():
                try:
                    locked.update(items._lock_for_invoicing())
                except InvoiceraBusyError as error:
                    results[partner] = ("skipped", str(error))
        # 2. Check. The income account of each (product, fiscal position) and
        # the fiscal position of each client are looked for once in the batch:
        # for the check, the lines' analytic models and their account.
        accounts = {}
        errors = (
            self.browse()
            .union(*locked.values())
            ._invoicing_errors(company, invoice_date, accounts=accounts)
        )
        for partner in locked:
            if errors.get(partner):
                results[partner] = ("failed", "\n".join(errors[partner]))
        to_invoice = self.browse().union(
            *(items for partner, items in locked.items() if not errors.get(partner))
        )
        prepared = to_invoice._prepare_invoices(company, invoice_date, run, accounts=accounts)
        # 3. Create (and post): all at once, else client by client.
        try:
            with self.env.cr.savepoint():
                created = self._create_invoices(prepared, company, post, accounts=accounts)
        except CLIENT_ERRORS:
            created = {}
            for partner, invoices in prepared.items():
                try:
                    with self.env.cr.savepoint():
                        created.update(
                            self._create_invoices(
                                {partner: invoices}, company, post, accounts=accounts
                            )
                        )
                except CLIENT_ERRORS as error:
                    if isinstance(error, psycopg2.IntegrityError):
                        # as Odoo words it for a user (the constraint's message)
                        error = _as_validation_error(self.env, error)
                    results[partner] = ("failed", str(error.args[0]))
        for partner, moves in created.items():
            results[partner] = ("invoiced", moves)
        return results

    def _create_invoices(self, prepared, company, post, accounts=None):
        """Create the invoices of ``{client: prepared invoices}``, link and lock their items.

        ``accounts``: the batch's cache of income accounts (:meth:`_income_account`).
        """
        if not prepared:
            return {}
        vals_list, links = [], []
        for partner, invoices in prepared.items():
            for invoice_vals, line_items in invoices:
                vals_list.append(invoice_vals)
                links.append((partner, line_items))
        # No "Invoice created" note nor follower subscription per invoice: the
        # run's log says who made them.
        Move = (
            self.env["account.move"]
            .with_company(company)
            .with_context(
                default_move_type="out_invoice",
                mail_create_nolog=True,
                mail_create_nosubscribe=True,
            )
        )
        self._predict_line_amounts(vals_list, company, accounts=accounts)
        moves = self._create_moves(Move, vals_list)
        billed, by_partner = [], defaultdict(lambda: self.env["account.move"])
        for move, (partner, line_items) in zip(moves, links, strict=True):
            by_partner[partner] |= move
            for line, item_ids in zip(
                move.invoice_line_ids.sorted("sequence"), line_items, strict=True
            ):
                billed += [(item_id, line.id, move.id) for item_id in item_ids]
        items = self.browse([item_id for item_id, _line, _move in billed])
        items._mark_invoiced(billed)
        for sources, their_items in items._sources_and_items().values():
            sources._invoicera_on_invoiced(their_items)
        if post:
            moves.action_post()
        return dict(by_partner)

    @api.model
    def _create_moves(self, Move, vals_list):
        """Create invoices as ``Move.create`` does, with one pass of Odoo's line sync.

        Creating an invoice, Odoo adds its dynamic lines (payment terms, taxes,
        early payment discounts, cash rounding) in ``_sync_dynamic_lines``
        around the creation, then clears the new invoices' "manually modified"
        flag, which runs that whole sync a second time on every invoice for
        nothing: the lines were just made from the same values. Here the
        creation runs inside Odoo's own ``_check_balanced`` and
        ``_sync_dynamic_lines``, nested as ``create`` nests them, so that the
        flag is cleared while the sync is under way: the lines are made once,
        by Odoo's code, and checked balanced.

        Code that overrides ``account.move.create`` around account's then
        runs before the dynamic lines exist; where an addon not known to be
        indifferent to that does, invoices are created by ``Move.create`` alone.
        """
        if not self._single_sync_is_safe(Move):
            return Move.create(vals_list)
        container = {"records": Move.browse()}
        with Move._check_balanced(container), Move._sync_dynamic_lines(container):
            moves = Move.create(vals_list)
            container["records"] = moves
        # A sync step writing on an invoice would set the flag again.
        moves.filtered("is_manually_modified").with_context(
            skip_invoice_sync=True
        ).is_manually_modified = False
        return moves

    @api.model
    def _single_sync_is_safe(self, Move):
        """No addon overrides ``account.move.create`` around account's, but known ones."""
        return self._overridden_only_by(Move, "create", SINGLE_SYNC_CREATE_OVERRIDES)

    @api.model
    def _overridden_only_by(self, Model, method, modules):
        """Whether no addon but ``modules`` overrides account's ``Model.method``."""
        for cls in type(Model).__mro__:
            module = getattr(cls, "_module", None)
            if module == "account":
                return True
            if method in vars(cls) and module not in modules:
                return False
        return False

    @api.model
    def _predict_line_amounts(self, vals_list, company, accounts=None):
        """Give the lines of ``vals_list`` (new customer invoices) their account,
        taxes and amounts, as Odoo would compute them.

        Creating an invoice, Odoo computes each line's taxes and amounts, then
        writes them line by line where they differ from what the line was
        created with — one write per line, the biggest cost of creating many
        invoices. The amounts are predicted here as Odoo computes them (the
        taxes, Odoo's own tax engine, the invoice's exchange rate) and given at
        creation. Odoo still recomputes every line of a new invoice and keeps
        its own result: a wrong prediction costs the write it would have made
        anyway, never a wrong amount (``test_invoice_amounts``).

        The account and taxes themselves are given with the lines, as sale
        gives an order line's taxes, where Odoo's rule chooses them and no
        addon changes that rule: then Odoo does not look for them again line
        by line, and keeps them. The account: the product's income account
        (its category's), mapped by the invoice's fiscal position (a product
        without one is refused before, ``_product_errors``). The taxes: the
        product's, else the sales taxes of that account, mapped by the fiscal
        position. Where an addon changes either rule, Odoo chooses them.
        ``accounts``: the batch's cache of income accounts (:meth:`_income_account`).
        """
        AccountTax = self.env["account.tax"]
        Line = self.env["account.move.line"]
        chosen, rates = {}, {}  # chosen: {(fiscal position, product): (account, taxes)}
        accounts = {} if accounts is None else accounts
        give_taxes = all(
            self._overridden_only_by(Line, method, ())
            for method in ("_compute_tax_ids", "_get_computed_taxes")
        )
        give_account = give_taxes and self._overridden_only_by(
            Line, "_compute_account_id", LINE_ACCOUNT_OVERRIDES
        )
        company_domain = AccountTax._check_company_domain(company)
        for vals in vals_list:
            partner = self.env["res.partner"].browse(vals["partner_id"])
            currency = self.env["res.currency"].browse(vals["currency_id"])
            position = self.env["account.fiscal.position"].browse(vals.get("fiscal_position_id"))
            rate_key = (currency.id, vals["invoice_date"])
            if rate_key not in rates:
                rates[rate_key] = self.env["res.currency"]._get_conversion_rate(
                    company.currency_id, currency, company, vals["invoice_date"]
                )
            rate = rates[rate_key]
            base_lines = []
            for command in vals["invoice_line_ids"]:
                line = command[2]
                for fname in ROUNDED_FIELDS:  # as the ORM stores them
                    if fname in line:
                        line[fname] = Line._fields[fname].convert_to_cache(line[fname], Line)
                product = self.env["product.product"].browse(line["product_id"])
                key = (position.id, product.id)
                if key not in chosen:
                    account = self.env["account.account"]
                    if give_account:
                        account = self._income_account(product, position, company, accounts)
                    taxes = product.taxes_id.filtered_domain(
                        company_domain
                    ) or account.tax_ids.filtered(lambda tax: tax.type_tax_use == "sale")
                    taxes = taxes._filter_taxes_by_company(company)
                    chosen[key] = (account, position.map_tax(taxes) if taxes else taxes)
                account, taxes = chosen[key]
                if account:
                    # Odoo's account: so are its taxes, even none
                    line["account_id"] = account.id
                    line["tax_ids"] = [fields.Command.set(taxes.ids)]
                elif taxes and give_taxes:
                    # the product's taxes, as sale gives an order line's
                    line["tax_ids"] = [fields.Command.set(taxes.ids)]
                base_lines.append(
                    AccountTax._prepare_base_line_for_taxes_computation(
                        line,
                        price_unit=line["price_unit"],
                        quantity=line["quantity"],
                        discount=line.get("discount", 0.0),
                        tax_ids=taxes,
                        currency_id=currency,
                        partner_id=partner.commercial_partner_id,
                        product_id=product,
                        account_id=account,
                        rate=rate,
                        sign=-1,
                        is_refund=False,
                        tax_tag_invert=True,
                    )
                )
            AccountTax._add_tax_details_in_base_lines(base_lines, company)
            AccountTax._round_base_lines_tax_details(base_lines, company)
            AccountTax._add_accounting_data_in_base_lines_tax_details(base_lines, company)
            to_update = AccountTax._prepare_tax_lines(base_lines, company)["base_lines_to_update"]
            for base_line, amounts in to_update:
                base_line["record"].update(amounts)

    def _mark_invoiced(self, billed):
        """Link items to the invoice lines billing them: ``[(item, line, invoice)]`` ids.

        One UPDATE whatever the number of items (the ORM would split it into
        batches of 100 rows), so an invoice costs the same number of queries
        for 10 or 1,000 items; the rows are already locked by this transaction.
        """
        item_ids, line_ids, move_ids = (list(column) for column in zip(*billed, strict=True))
        self.env.cr.execute(
            SQL(
                """
                UPDATE invoicera_billable_item AS item
                   SET state = 'invoiced',
                       invoice_line_id = billed.line_id,
                       invoice_id = billed.move_id,
                       deferred_until = NULL,
                       write_off_reason = NULL,
                       audit_flagged = FALSE,
                       audit_warning = NULL,
                       write_uid = %(uid)s,
                       write_date = %(now)s
                  FROM unnest(%(items)s::int[], %(lines)s::int[], %(moves)s::int[])
                       AS billed(item_id, line_id, move_id)
                 WHERE item.id = billed.item_id
                """,
                uid=self.env.uid,
                now=self.env.cr.now(),
                items=item_ids,
                lines=line_ids,
                moves=move_ids,
            )
        )
        self.browse(item_ids).invalidate_recordset(
            [
                "state",
                "invoice_line_id",
                "invoice_id",
                "deferred_until",
                "write_off_reason",
                "audit_flagged",
                "audit_warning",
                "write_uid",
                "write_date",
            ]
        )
        self.env["account.move.line"].invalidate_model(["invoicera_item_ids"])

    def _release(self):
        """Return invoiced items to the items to bill (their invoice is gone)."""
        invoiced = self.filtered(lambda item: item.state == "invoiced")
        if not invoiced:
            return
        # sudo: the invoice's cancellation or credit note, which the user may
        # make, unlocks its items
        invoiced.sudo().with_context(invoicera_engine=ENGINE).write(
            {"state": "to_bill", "invoice_line_id": False}
        )
        # billed before its project asked its client: now it does
        invoiced.filtered(
            lambda item: item.client_approval == "not_required"
            and item._client_approval_of(item.project_id.id) == "pending"
        ).sudo().with_context(invoicera_engine=ENGINE).client_approval = "pending"
        for sources, their_items in invoiced._sources_and_items().values():
            sources._invoicera_on_released(their_items)
            # What changed at the source while it was invoiced (a return of
            # delivered goods...) now counts: the item is to bill as it stands.
            sources._invoicera_sync_items()
