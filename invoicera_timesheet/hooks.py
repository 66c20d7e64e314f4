import json
import logging
from collections import defaultdict

from odoo import models
from odoo.osv import expression
from odoo.tools import split_every

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE

from .models.invoicera_billable_item import SOURCES

_logger = logging.getLogger(__name__)

#: the attachment that keeps, from an uninstall to the next install, what was
#: decided on the items of this addon's sources (deleted with the addon)
KEPT_ITEMS = "invoicera_timesheet_kept_items.json"
#: the codes of this addon's sources
SOURCE_CODES = list(dict(SOURCES))
#: the items kept: invoiced, written off, excluded or deferred, edited by
#: hand, approved or disputed by the client (the others are made again from
#: their work)
DECIDED = expression.OR(
    [
        [("state", "!=", "to_bill")],
        [("quantity_manual", "=", True)],
        [("price_manual", "=", True)],
        [("name_manual", "=", True)],
        [("date_manual", "=", True)],
        [("client_approval", "in", ("approved", "disputed"))],
    ]
)


def post_init_hook(env):
    """Give the work already recorded on billable projects its billable items,
    after restoring those kept when the addon was uninstalled."""
    restore_kept_items(env)
    env["account.analytic.line"]._invoicera_collect([("project_id", "!=", False)])
    recompute_billed_time_type(env)
    env["hr.expense"]._invoicera_collect(
        [("state", "in", ("approved", "done")), ("analytic_distribution", "!=", False)]
    )
    env["account.move.line"]._invoicera_collect(
        [
            ("move_id.move_type", "=", "in_invoice"),
            ("parent_state", "=", "posted"),
            ("display_type", "=", "product"),
            ("analytic_distribution", "!=", False),
        ]
    )
    env["project.milestone"]._invoicera_collect([("is_reached", "=", True)])
    env["stock.move"]._invoicera_collect(
        [("state", "=", "done"), ("picking_id.project_id", "!=", False)]
    )


def uninstall_hook(env):
    """Keep what was decided on the items of this addon's sources, which go with
    it: installed again, an expense or a delivery an invoice billed would
    otherwise come back to bill, as would work written off, and the time of an
    invoice cancelled afterwards would not. And the invoices whose work went
    back to bill (cancelled, credited in full), which must not bill it again."""
    env["ir.attachment"].search([("name", "=", KEPT_ITEMS), ("res_model", "=", False)]).unlink()
    Item = env["invoicera.billable.item"].with_context(active_test=False)
    items = Item.search([("source", "in", SOURCE_CODES), *DECIDED], order="id")
    released = env["account.move"].search([("invoicera_items_released", "=", True)])
    if not items and not released:
        return
    names = kept_fields(Item)
    rows = []
    for batch in Item._split(items, 5000):
        rows += batch.read(names, load=None)
        batch.invalidate_recordset()
    env["ir.attachment"].create(
        {
            "name": KEPT_ITEMS,
            "mimetype": "application/json",
            "raw": json.dumps({"items": rows, "released": released.ids}, default=str).encode(),
            "description": "Invoicera: the billable items kept when Invoicera Timesheet "
            "was uninstalled, restored when it is installed again.",
        }
    )


def restore_kept_items(env):
    """Make again the items kept by ``uninstall_hook``, as they were left, for
    the work still there, then let the engine do what it would have done
    meanwhile: the work of an invoice cancelled or credited in full goes back
    to bill (a draft deleted, it is to bill), unbilled work follows its
    project's client approval and whether it is still billable."""
    attachments = env["ir.attachment"].search(
        [("name", "=", KEPT_ITEMS), ("res_model", "=", False)]
    )
    try:
        kept = [json.loads(attachment.raw) for attachment in attachments]
    except ValueError:
        # its file lost (a database restored without its filestore)
        _logger.warning("%s could not be read: billable items not restored", KEPT_ITEMS)
        return
    if not kept:
        return
    Item = env["invoicera.billable.item"].with_context(active_test=False, invoicera_sync=ENGINE)
    fields_ = Item._fields
    names = set(kept_fields(Item))
    rows = [
        {name: value for name, value in row.items() if name in names}
        for content in kept
        for row in content["items"]
    ]
    existing = existing_ids(env, rows, fields_)
    known = {
        (item.source_model, item.source_id)
        for item in Item.search([("source", "in", SOURCE_CODES)])
    }
    vals_list = []
    for vals in rows:
        source = (vals["source_model"], vals["source_id"])
        if source in known or vals["source_id"] not in existing[vals["source_model"]]:
            continue
        missing = False
        for name, value in vals.items():
            field = fields_[name]
            if field.type == "many2one" and value and value not in existing[field.comodel_name]:
                missing = missing or field.required
                vals[name] = False
        if missing:
            continue
        if vals["state"] == "invoiced" and not vals["invoice_line_id"]:
            # its invoice deleted (a draft)
            vals["state"] = "to_bill"
        known.add(source)
        vals_list.append(vals)
    items = Item.browse()
    for batch in split_every(5000, vals_list, list):
        items |= Item.create(batch)
    # the invoices whose work went back to bill remember it (reset to draft,
    # they may not bill it again), and those cancelled or credited in full
    # meanwhile give theirs back (the time of a timesheet too)
    released = (
        env["account.move"]
        .browse([move_id for content in kept for move_id in content["released"]])
        .exists()
    )
    released.filtered(lambda m: not m.invoicera_items_released).invoicera_items_released = True
    invoices = items.filtered(lambda item: item.state == "invoiced").invoice_id
    cancelled = invoices.filtered(lambda m: m.state == "cancel")
    # cancelled though credited in part (which Invoicera refuses): released,
    # its work would be billed again in full while the client keeps the credit
    credited = cancelled.filtered(lambda m: m._invoicera_credit_notes_standing())
    (cancelled - credited)._invoicera_release_items()
    for invoice in credited:
        _logger.warning("%s: cancelled though credited in part, work kept on it", invoice.name)
        invoice.message_post(
            body=env._(
                "This invoice was cancelled while Invoicera Timesheet was not installed, "
                "though %(credit_notes)s credited part of it: its work stays billed by it "
                "rather than be billed again in full while the client keeps that credit. "
                "Reset it to draft and post it again, then credit the rest of it (its work "
                "then goes back to Billing ▸ Unbilled Work), or reverse the credit notes "
                "and cancel it again.",
                credit_notes=", ".join(
                    invoice._invoicera_credit_notes_standing().mapped("display_name")
                ),
            )
        )
    invoices._invoicera_release_credited()
    # unbilled work: its project's client approval as set now (disputed work
    # stays so until settled), and no longer billable meanwhile (an expense
    # refused, a delivery returned...) archived
    unbilled = items.filtered(lambda item: item.state != "invoiced")
    unbilled.project_id._invoicera_update_client_approval()
    for sources, _items in unbilled._sources_and_items().values():
        for batch in Item._split(sources, 5000):
            batch._invoicera_sync_items()
    attachments.unlink()


def kept_fields(Item):
    """The fields of the items that say what they are, as stored (not computed)."""
    return [
        name
        for name, field in Item._fields.items()
        if field.store
        and not field.compute
        and name not in models.MAGIC_COLUMNS
        and field.type not in ("one2many", "many2many", "binary")
    ]


def existing_ids(env, rows, fields_):
    """The ids of the records the rows name that still exist, by model."""
    named = defaultdict(set)
    for vals in rows:
        if vals["source_model"] in env:
            named[vals["source_model"]].add(vals["source_id"])
        for name, value in vals.items():
            if fields_[name].type == "many2one" and value:
                named[fields_[name].comodel_name].add(value)
    return defaultdict(
        set,
        {model: set(env[model].browse(list(ids)).exists().ids) for model, ids in named.items()},
    )


def recompute_billed_time_type(env):
    """Show the time billed here as "Billed on Timesheets" in Odoo's reports, not
    "Non-Billable" (account.analytic.line._compute_timesheet_invoice_type): at
    install, and by the migration to 18.0.1.1.0 for a database that had the module."""
    time = env["account.analytic.line"].search(
        [
            ("project_id.allow_billable", "=", True),
            ("so_line", "=", False),
            ("timesheet_invoice_type", "=", "non_billable"),
        ]
    )
    env.add_to_compute(time._fields["timesheet_invoice_type"], time)
