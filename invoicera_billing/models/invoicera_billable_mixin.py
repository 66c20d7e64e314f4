from odoo import api, models

#: The value of the engine's context flags: ``invoicera_sync`` (a source
#: updating its items) and ``invoicera_engine`` (the engine changing items).
#: Writes carrying one skip the locks the engine enforces on everyone else. No
#: request can send this object: a caller's context never unlocks anything.
ENGINE = object()


def engine_flag(env, flag):
    """Whether the engine set ``flag`` in ``env``'s context (not a caller)."""
    return env.context.get(flag) is ENGINE


class InvoiceraBillableMixin(models.AbstractModel):
    """What a source of billable work implements to feed the billing engine.

    A source is any model whose records become billable to a client: timesheet
    lines, expenses, vendor bill lines, milestones, stock moves. It inherits
    this mixin, adds its key to ``invoicera.billable.item.source`` with
    ``selection_add``, and implements two methods:

    - ``_invoicera_billable()``: the records of ``self`` that should be billed
      now (the others have no item, or lose theirs while not invoiced);
    - ``_invoicera_item_values()``: for each record of ``self``, in order, the
      values of its billable item (see ``invoicera.billable.item``).

    It then calls ``_invoicera_sync_items()`` whenever a record may have changed
    (create, write, state changes) and ``_invoicera_unlink_items()`` before its
    records are deleted. The engine does the rest: the Unbilled Work screen,
    invoicing, locking, returning items to unbilled.
    """

    _name = "invoicera.billable.mixin"
    _description = "Source of Billable Work"

    #: key of this source in invoicera.billable.item.source
    _invoicera_source = None
    #: fields of the item that the source keeps up to date while the item is
    #: not invoiced; a field the user edited on the item is no longer synced
    _invoicera_synced_fields = (
        "name",
        "date",
        "partner_id",
        "project_id",
        "task_id",
        "employee_id",
        "product_id",
        "worked_quantity",
        "quantity",
        "uom_id",
        "price_unit",
        "standard_price_unit",
        "price_at_cost",
        "currency_id",
    )

    def _invoicera_billable(self):
        """Records of ``self`` that must have a billable item."""
        raise NotImplementedError

    def _invoicera_item_values(self):
        """List of item values, one dict per record of ``self``, in order."""
        raise NotImplementedError

    def _invoicera_on_invoiced(self, items):
        """Hook: ``items`` of these records were just invoiced (draft invoice created).

        Runs as the user invoicing (a Billing User, who may not write these
        records: use ``sudo()`` for what the hook writes)."""

    def _invoicera_on_released(self, items):
        """Hook: ``items`` of these records are to bill again (their invoice is gone).

        Runs as superuser: whoever may cancel or credit the invoice releases
        its work."""

    def _invoicera_source_action(self, item):
        """Hook: the action "Open the source" of ``item`` (whose source is the
        record ``self``) returns. By default ``self`` in its default form view;
        a source shows the record that explains it best (a vendor bill line's
        bill) or names the rights it needs, through ``item._source_action``."""
        return item._source_action(self)

    @api.model
    def _invoicera_project_records(self, projects):
        """The records of this source that may be billed on ``projects``, with an
        item or not (one search for all the projects; ``_invoicera_billable``
        decides). A project syncs them when it becomes billable: work recorded
        while it was not has no item to follow it. None by default."""
        return self.browse()

    @api.model
    def _invoicera_search_analytic(self, projects, domain):
        """The records of this source (an ``analytic.mixin``) matching ``domain``
        whose analytic distribution goes to the analytic accounts of ``projects``:
        for ``_invoicera_project_records`` of costs."""
        if not projects.account_id:
            return self.browse()
        return self.search([("analytic_distribution", "in", projects.account_id.ids), *domain])

    @api.model
    def _invoicera_source_models(self):
        """The names of the source models (the models inheriting this mixin)."""
        return [
            model
            for model in self.env.registry.descendants(["invoicera.billable.mixin"], "_inherit")
            if model != "invoicera.billable.mixin" and not self.env[model]._abstract
        ]

    @api.model
    def _invoicera_collect(self, domain=None):
        """Create the missing items of every billable record (safety net, backfill)."""
        records = self.search(domain or [])
        for batch in self.env["invoicera.billable.item"]._split(records, 5000):
            batch._invoicera_sync_items()

    def _invoicera_items(self):
        """The items of ``self``, archived ones included."""
        return (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=False)
            .search([("source_model", "=", self._name), ("source_id", "in", self.ids)])
        )

    def _invoicera_sync_items(self):
        """Create, update, archive or restore the billable items of ``self``.

        Work that stops being billable (time sent back for approval, a project
        no longer billed...) has its unbilled items archived, with what was
        decided on them (excluded, deferred, written off, hours or rate edited);
        when it is billable again, they come back as they were left.
        """
        if not self:
            return
        Item = self.env["invoicera.billable.item"].sudo().with_context(invoicera_sync=ENGINE)
        existing = self._invoicera_items().with_context(invoicera_sync=ENGINE)
        by_source = {item.source_id: item for item in existing}
        billable = self._invoicera_billable()
        billable_ids = set(billable.ids)
        archived = existing.filtered(
            lambda item: item.active
            and item.source_id not in billable_ids
            and item.state != "invoiced"
        )
        archived.write({"active": False})
        restored = existing.filtered(
            lambda item: not item.active and item.source_id in billable_ids
        )
        restored.write({"active": True})
        # the items whose work changed, and the employees and days they had
        changed_ids = set((archived | restored).ids)
        days = archived._audit_days()
        new = billable.filtered(lambda record: record.id not in by_source)
        if new:
            # one dict per record: a source returning fewer would leave work unbilled
            Item.create(
                [
                    dict(vals, source=self._invoicera_source, source_model=self._name)
                    for _record, vals in zip(new, new._invoicera_item_values(), strict=True)
                ]
            )
        known = billable - new
        if known:
            for record, vals in zip(known, known._invoicera_item_values(), strict=True):
                item = by_source[record.id]
                before = item._audit_days()
                if item._sync_from_source(vals, self._invoicera_synced_fields):
                    changed_ids.add(item.id)
                    days |= before
        if changed_ids:
            # What the audit said of them, and of the other items of their
            # employees and days before and after, is said anew, not at the next
            # audit: a duplicate's twin corrected, a long day's time cut, an
            # hour set by hand before the work changed (a run would bill it as
            # it stands).
            Item.browse(changed_ids)._audit_twins(days, company_language=True)

    def _invoicera_check_not_billed(self):
        """Refuse to change records whose work is invoiced (UserError naming it)."""
        self._invoicera_items()._check_not_invoiced()

    def _invoicera_billed(self):
        """The records of ``self`` whose work is invoiced (locked)."""
        invoiced = self._invoicera_items().filtered(lambda item: item.state == "invoiced")
        return self.browse(invoiced.mapped("source_id"))

    def _invoicera_unlink_items(self):
        """Drop the items of records about to be deleted (refused when invoiced),
        and audit again the other items of their employees and days: the twin of
        a duplicate deleted is no longer one, a day without this work may no
        longer be too long."""
        items = self._invoicera_items()
        items._check_not_invoiced()
        days = items.filtered("active")._audit_days()
        items.with_context(invoicera_sync=ENGINE).unlink()
        if days:
            items.browse()._audit_twins(days, leaving=self, company_language=True)
