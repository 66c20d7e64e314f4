from collections import Counter, defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date, formatLang

from .invoicera_billable_mixin import ENGINE

#: the type of a document's reversal (Odoo's ``_reverse_moves``): the credit
#: note of an invoice, the invoice withdrawing a credit note...
REVERSAL_TYPE = {
    "out_invoice": "out_refund",
    "out_refund": "out_invoice",
    "in_invoice": "in_refund",
    "in_refund": "in_invoice",
}


class AccountMove(models.Model):
    _inherit = "account.move"

    # groups: who reads invoices without Billing rights (an accountant, a
    # salesman) is not offered, in an export or a filter, what they cannot read
    invoicera_run_id = fields.Many2one(
        "invoicera.billing.run",
        "Billing Run",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="invoicera_billing.group_billing_user",
    )
    invoicera_item_count = fields.Integer(
        "Billed Items", compute="_compute_invoicera_item_count", compute_sudo=True
    )
    invoicera_items_released = fields.Boolean(
        "Items Back to Unbilled",
        readonly=True,
        copy=False,
        help="Cancelling or crediting in full this invoice gave the work it billed back "
        "to the unbilled items: it is invoiced again from there, not by this invoice.",
    )
    invoicera_annex_id = fields.Many2one(
        "ir.attachment", "Time Annex", readonly=True, copy=False, groups="base.group_user"
    )

    @api.depends("invoice_line_ids.invoicera_item_ids")
    def _compute_invoicera_item_count(self):
        counts = dict(
            self.env["invoicera.billable.item"]._read_group(
                [("invoice_id", "in", self.ids)], ["invoice_id"], ["__count"]
            )
        )
        for move in self:
            move.invoicera_item_count = counts.get(move, 0)

    def write(self, vals):
        if vals.get("partner_id"):
            self._invoicera_check_client(vals["partner_id"])
        if "move_type" in vals:
            self._invoicera_check_type_kept(vals["move_type"])
        if vals.get("currency_id"):
            self._invoicera_check_currency_kept(vals["currency_id"])
        if vals.get("auto_post") in ("monthly", "quarterly", "yearly"):
            self._invoicera_check_not_recurring()
        # work billed in another currency is converted at the invoice date
        dated = {}
        if "invoice_date" in vals:
            dated = {
                move: move.invoice_date
                for move in self
                if move.state == "draft" and move.invoicera_item_count
            }
        res = super().write(vals)
        for move, before in dated.items():
            if move.invoice_date and move.invoice_date != before:
                move._invoicera_convert_again()
        return res

    def _invoicera_convert_again(self):
        """Convert again, at the invoice's date, the lines of this draft that
        bill work of another currency: from their items' own rate, as the
        engine converted it (a date cleared, then set by posting, included;
        not from the line's rounded price, which each change would round again)."""
        self.ensure_one()
        Item = self.env["invoicera.billable.item"]
        rates, prices = {}, {}  # each rate looked up once, each price adapted once
        # sudo: who dates the invoice need not read the items; only their rate
        lines = self.invoice_line_ids.filtered(lambda line: line.sudo().invoicera_item_ids)
        self._invoicera_check_exchange_rates(
            lines.sudo().invoicera_item_ids.currency_id - self.currency_id
        )
        for line in lines:
            item = line.sudo().invoicera_item_ids[:1]  # a line bills items of one rate
            currency = item.currency_id
            if currency == self.currency_id:
                continue
            if currency not in rates:
                rates[currency] = currency._get_conversion_rate(
                    currency, self.currency_id, self.company_id, self.invoice_date
                )
            price = item.price_unit
            if not item.price_at_cost:
                price = Item._price_in_position(
                    item.product_id, self.fiscal_position_id, price, self.company_id, prices
                )
            line.with_context(invoicera_engine=ENGINE).price_unit = price * rates[currency]

    def _invoicera_check_exchange_rates(self, currencies):
        """Refuse to convert work billed in ``currencies`` into this invoice's
        currency on its date when one of them (or the invoice's) has no exchange
        rate on or before that day: Odoo would convert it one to one. The
        engine's rule, which refuses to invoice on such a day
        (``invoicera.billable.item._invoicing_errors``)."""
        self.ensure_one()
        company = self.company_id
        needed = (currencies | self.currency_id) - company.currency_id
        if not currencies or not needed:
            return
        with_rate = self.env["invoicera.billable.item"]._currencies_with_rate(
            needed, company, self.invoice_date
        )
        missing = needed.filtered(lambda currency: currency.id not in with_rate)
        if missing:
            raise UserError(
                _(
                    "%(invoice)s cannot be dated %(date)s: the currency %(currency)s has no "
                    "exchange rate on or before %(date)s, and the work it bills would be "
                    "converted one to one. Add a rate for that day or choose another date.",
                    invoice=self._invoicera_names(),
                    date=format_date(self.env, self.invoice_date),
                    currency=", ".join(missing.mapped("name")),
                )
            )

    def _invoicera_names(self):
        """The names of the moves of ``self`` for a message, never empty: a
        draft never posted has no number and, cancelled, Odoo 18 names it
        nothing; it is then "Invoice (* 42)", as Odoo named documents without a
        number before."""
        return ", ".join(
            move.display_name or _("%(document)s (* %(id)s)", document=move.type_name, id=move.id)
            for move in self
        )

    def _invoicera_check_not_recurring(self):
        """Refuse to make an invoice of billed work recur: Odoo copies a recurring
        invoice every period, and each copy would bill that work again."""
        billed = self.filtered("invoicera_item_count")
        if billed:
            raise UserError(
                _(
                    "%(invoices)s bills work from Billing ▸ Unbilled Work: it cannot "
                    "recur, each copy would bill that work again. The work done later is "
                    "billed from Unbilled Work.",
                    invoices=", ".join(billed.mapped("display_name")),
                )
            )

    def copy_data(self, default=None):
        # A credit note is a copy of another type: it stays possible.
        move_type = (default or {}).get("move_type")
        self.filtered(lambda m: move_type in (None, m.move_type))._invoicera_check_copyable()
        return super().copy_data(default)

    def _invoicera_check_copyable(self):
        """Refuse to duplicate invoices of billed work: their lines are that work's,
        which the invoice locks or, cancelled or credited in full, gave back to
        Billing ▸ Unbilled Work, where it is invoiced again. A copy would bill it
        a second time."""
        billed = self.filtered(lambda m: m.invoicera_item_count or m.invoicera_items_released)
        if billed:
            raise UserError(
                _(
                    "%(invoices)s bills work from Billing ▸ Unbilled Work: a copy would "
                    "bill it a second time. That work is invoiced from Unbilled Work (it "
                    "goes back there when its invoice is cancelled or credited in full); "
                    "create a new invoice for anything else.",
                    invoices=billed._invoicera_names(),
                )
            )

    def _invoicera_check_currency_kept(self, currency_id):
        """Refuse another currency on invoices of billed work: Odoo keeps the lines'
        prices as they are, so 90 an hour in EUR would bill 90 an hour in USD."""
        billed = self.filtered(lambda m: m.currency_id.id != currency_id and m.invoicera_item_count)
        if billed:
            raise UserError(
                _(
                    "%(invoices)s bills work from Billing ▸ Unbilled Work in %(currency)s: "
                    "its currency stays. To bill that work in another currency, cancel or "
                    "delete the invoice (the work goes back to Unbilled Work) and set the "
                    "client's pricelist currency.",
                    invoices=", ".join(billed.mapped("display_name")),
                    currency=", ".join(billed.currency_id.mapped("name")),
                )
            )

    def _invoicera_check_type_kept(self, move_type):
        """Refuse to turn an invoice of billed work into another kind of document
        (Switch into credit note): it would credit the client for the work it
        bills, and keep that work locked as invoiced."""
        billed = self.filtered(lambda m: m.move_type != move_type and m.invoicera_item_count)
        if billed:
            raise UserError(
                _(
                    "%(invoices)s bills work from Billing ▸ Unbilled Work: it stays an "
                    "invoice. To credit the client, post it and make a credit note, or "
                    "cancel it: the work goes back to Unbilled Work, where it is "
                    "corrected and invoiced again.",
                    invoices=", ".join(billed.mapped("display_name")),
                )
            )

    def _invoicera_check_client(self, partner_id):
        """Refuse to send invoices of billed work to another client than the work's:
        the lines, their time annex and the items locked by them are that client's."""
        client = self.env["res.partner"].browse(partner_id).commercial_partner_id
        # sudo: who edits the invoice need not read the items; only their client is used
        items = self.sudo().invoice_line_ids.invoicera_item_ids
        wrong = items.filtered(lambda item: item.partner_id.commercial_partner_id != client)
        if wrong:
            raise UserError(
                _(
                    "%(invoices)s bills work of %(clients)s: send it to one of its contacts. "
                    "Work billed to the wrong client goes back to Billing ▸ Unbilled Work "
                    "when the invoice is cancelled or deleted; it is billed to the client of "
                    "its project.",
                    invoices=", ".join(wrong.invoice_id.mapped("display_name")),
                    clients=", ".join(wrong.partner_id.commercial_partner_id.mapped("name")),
                )
            )

    def button_cancel(self):
        self._invoicera_check_not_credited_in_part()
        res = super().button_cancel()
        cancelled = self.filtered(lambda m: m.state == "cancel")
        cancelled._invoicera_release_items()
        # A credit note's reversal withdrawn for good (cancelled; or deleted,
        # unlink): its credit note stands again and, with the others, may now
        # credit the invoice in full. Reset to draft, the reversal may be posted
        # again: nothing changes until it is cancelled or deleted.
        cancelled._invoicera_credit_note_reversals()._invoicera_chain_root()._invoicera_release_credited()
        return res

    def _invoicera_credit_note_reversals(self):
        """The moves of ``self`` that reverse a credit note: withdrawn, that
        credit note stands again (a credit note withdrawn credits less)."""
        return self.filtered(
            lambda m: m.move_type in ("out_invoice", "in_invoice")
            and m.reversed_entry_id.move_type in ("out_refund", "in_refund")
        )

    def _invoicera_release_credited(self):
        """Give back the work of the posted invoices of ``self`` that their credit
        notes now credit in full (net of their reversals)."""
        credited = self.filtered(lambda m: m.state == "posted")._invoicera_credited_in_full()
        credited._invoicera_release_items()

    @api.depends(
        "invoicera_items_released",
        "reversed_entry_id.invoicera_items_released",
        "reversed_entry_id.state",
        # a credit note's reversal, and a credit note of that reversal
        "reversed_entry_id.reversed_entry_id.invoicera_items_released",
        "reversed_entry_id.reversed_entry_id.state",
        "reversed_entry_id.reversed_entry_id.reversed_entry_id.invoicera_items_released",
        "reversed_entry_id.reversed_entry_id.reversed_entry_id.state",
    )
    def _compute_show_reset_to_draft_button(self):
        # not offered where it is refused (button_draft): a cancelled invoice
        # whose work went back to unbilled, an invoice credited in full, and
        # the credit notes and reversals of both
        res = super()._compute_show_reset_to_draft_button()
        offered = self.filtered("show_reset_to_draft_button")
        refused = (
            offered._invoicera_released_cancelled()
            | offered._invoicera_credited_posted()
            | offered._invoicera_credit_notes_to_keep()
        )
        refused.show_reset_to_draft_button = False
        return res

    def unlink(self):
        # before Odoo deletes the lines, which gives their items back
        self._invoicera_check_no_credit_note_pending()
        self._invoicera_check_not_credited_in_part()
        roots = self._invoicera_credit_note_reversals()._invoicera_chain_root() - self
        res = super().unlink()
        roots.exists()._invoicera_release_credited()
        return res

    def _invoicera_check_not_credited_in_part(self):
        """Refuse to cancel or delete the invoices of ``self`` billing work that
        posted credit notes credit in part (counted net of their reversals,
        :meth:`_invoicera_credit_notes_standing`): cancelled, the invoice gives
        its work back to unbilled, where it is billed again in full, while the
        client keeps the credit."""
        credited = self.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.invoicera_item_count
            and m._invoicera_credit_notes_standing()
        )
        # credited in full by its credit notes, a reversal of one of them left a
        # draft: its work goes back once that draft is withdrawn for good
        full = credited.filtered(lambda m: m.state == "posted")._invoicera_credited_in_full()
        # the reversals of credit notes left drafts, anywhere down the chain (a
        # credit note started meanwhile is none)
        drafts = (
            full._invoicera_chain()
            .filtered(lambda m: m.state == "draft")
            ._invoicera_credit_note_reversals()
        )
        if drafts:
            raise UserError(
                _(
                    "%(invoices)s is credited in full by %(credit_notes)s while a reversal "
                    "of one of them, %(reversals)s, is a draft. Post it again, or cancel "
                    "or delete it: the invoice's work then goes back to Billing ▸ Unbilled "
                    "Work by itself.",
                    invoices=full._invoicera_names(),
                    credit_notes=", ".join(
                        full._invoicera_credit_notes_standing().mapped("display_name")
                    ),
                    reversals=drafts._invoicera_names(),
                )
            )
        if credited:
            # reset to draft (Odoo allows it), an invoice cannot be credited: the
            # drafts are named on their own
            drafted = credited.filtered(lambda m: m.state == "draft")
            named = drafted or credited
            params = {
                "invoices": named._invoicera_names_credited(),
                "credit_notes": ", ".join(
                    named._invoicera_credit_notes_standing().mapped("display_name")
                ),
            }
            if drafted:
                raise UserError(
                    _(
                        "%(invoices)s was credited in part by %(credit_notes)s: cancelled "
                        "or deleted, it would give its work back to Billing ▸ Unbilled "
                        "Work, to be billed again in full while the client keeps that "
                        "credit. Post it again, then credit the rest of it (its work then "
                        "goes back to Unbilled Work), or reverse the credit notes first.",
                        **params,
                    )
                )
            raise UserError(
                _(
                    "%(invoices)s was credited in part by %(credit_notes)s: cancelled or "
                    "deleted, it would give its work back to Billing ▸ Unbilled Work, to "
                    "be billed again in full while the client keeps that credit. Credit "
                    "the rest of the invoice instead (its work then goes back to Unbilled "
                    "Work), or reverse the credit notes first.",
                    **params,
                )
            )

    def _invoicera_names_credited(self):
        """The names of the invoices of ``self`` for a message, each with how
        much its standing credit notes (:meth:`_invoicera_credit_notes_standing`)
        credit out of its total, in its currency: "INV/2026/00003 (credited
        $ 270.00 of $ 900.00)". The user sees what is left to credit."""
        names = []
        for invoice in self:
            credited = 0.0
            standing = invoice._invoicera_credit_notes_standing()
            nets = standing._invoicera_net(lambda m: m.state == "posted")
            # net of their posted reversals, as they are counted standing; one
            # in another currency at its date (as _invoicera_credited_amounts)
            for credit_note, (total, _untaxed) in nets.items():
                credited += credit_note.currency_id._convert(
                    total, invoice.currency_id, invoice.company_id, credit_note.date
                )
            names.append(
                _(
                    "%(invoice)s (credited %(credited)s of %(total)s)",
                    invoice=invoice._invoicera_names(),
                    credited=formatLang(self.env, credited, currency_obj=invoice.currency_id),
                    total=formatLang(
                        self.env, invoice.amount_total, currency_obj=invoice.currency_id
                    ),
                )
            )
        return ", ".join(names)

    def _invoicera_credit_notes_standing(self):
        """The posted credit notes of the invoices of ``self`` that their posted
        reversals do not withdraw in full: counted net of them, each reversal net
        of its own posted credit notes, and so on (:meth:`_invoicera_net`). A
        reversal credited in its turn withdraws nothing: its credit note stands
        again."""
        credit_notes = self.reversal_move_ids.filtered(
            lambda m: m.move_type == "out_refund" and m.state == "posted"
        )
        nets = credit_notes._invoicera_net(lambda m: m.state == "posted")
        return credit_notes.filtered(lambda m: m.currency_id.compare_amounts(nets[m][0], 0) > 0)

    def _invoicera_net(self, counted):
        """``{move: (total, untaxed)}``: what each move of ``self`` is worth, in
        its currency, net of its reversals that ``counted`` (a predicate on a
        move) accepts, each of them net of its own, and so on: a credit note
        withdrawn by its reversal is worth nothing; that reversal credited in
        its turn withdraws nothing, and the credit note is worth all of it
        again. A reversal in another currency counts at its date."""

        def net(move):
            total, untaxed = move.amount_total, move.amount_untaxed
            reversals = move.reversal_move_ids.filtered(
                lambda m: m.move_type == REVERSAL_TYPE.get(move.move_type) and counted(m)
            )
            for reversal in reversals:
                reversal_total, reversal_untaxed = net(reversal)
                convert = reversal.currency_id._convert
                total -= convert(reversal_total, move.currency_id, move.company_id, reversal.date)
                untaxed -= convert(
                    reversal_untaxed, move.currency_id, move.company_id, reversal.date
                )
            return total, untaxed

        return {move: net(move) for move in self}

    def _invoicera_chain_root(self):
        """The documents at the start of the reversal chains of the moves of
        ``self``: the invoice of a credit note, of that credit note's reversal,
        of a credit note of that reversal, and so on; a move reversing nothing
        is its own."""
        roots = self.browse()
        for move in self:
            seen = move
            while move.reversed_entry_id and move.reversed_entry_id not in seen:
                move = move.reversed_entry_id
                seen |= move
            roots |= move
        return roots

    def _invoicera_chain(self):
        """The moves reversing those of ``self``, the moves reversing them, and
        so on: an invoice's credit notes, their reversals, the credit notes of
        those..."""
        return self.reversal_move_ids._invoicera_counted_chain(lambda move: True)

    def _invoicera_check_no_credit_note_pending(self):
        """Refuse to delete an invoice of billed work with credit notes still to
        post: deleted, its work goes back to unbilled and is invoiced again,
        while they, no longer tied to it, would be posted as credits for
        nothing."""
        pending = self.filtered(
            lambda m: m.move_type == "out_invoice"
            and (m.invoicera_item_count or m.invoicera_items_released)
        ).reversal_move_ids.filtered(lambda m: m.move_type == "out_refund" and m.state == "draft")
        if pending:
            raise UserError(
                _(
                    "%(invoices)s has credit notes still to post (%(credit_notes)s): delete "
                    "them first. Deleted, the invoice (or its lines billing work) gives its "
                    "work back to Billing ▸ Unbilled Work, and they would credit the client "
                    "for work billed again.",
                    invoices=", ".join(pending.reversed_entry_id.mapped("display_name")),
                    credit_notes=", ".join(pending.mapped("display_name")),
                )
            )

    def button_draft(self):
        released = self._invoicera_released_cancelled()
        if released:
            raise UserError(
                _(
                    "The work billed by %(invoices)s went back to the unbilled items when "
                    "the invoice was cancelled. Invoice it again from Billing ▸ Unbilled "
                    "Work, so that it is billed once.",
                    invoices=released._invoicera_names(),
                )
            )
        self._invoicera_check_credited_kept()
        self._invoicera_check_credit_note_kept()
        res = super().button_draft()
        # Back to draft, the invoice may change: its next sending gets a new
        # annex (the one already sent stays among its attachments).
        self.sudo().filtered("invoicera_annex_id").invoicera_annex_id = False
        return res

    def _post(self, soft=True):
        # Credit notes of one invoice of billed work posted together (Post
        # Entries on several drafts): one after the other, each checked against
        # what those before it credited. Checked together, two full credit
        # notes both posted: the client credited twice, the work billed again.
        # The batches are made here, below the addons overriding _post after
        # this one, which run once for all.
        later = self.browse()
        credited = set()
        for refund in self.filtered(lambda m: m.move_type == "out_refund" and m.state == "draft"):
            # its invoice, also for a credit note of a credit note's reversal
            invoice = refund._invoicera_chain_root()
            if invoice.move_type != "out_invoice" or not (
                invoice.invoicera_item_count or invoice.invoicera_items_released
            ):
                continue
            if invoice in credited:
                later |= refund
            credited.add(invoice)
        posted = self.browse()
        for batch in [self - later, *later]:
            posted |= batch._invoicera_post(soft)
        return posted

    def _invoicera_post(self, soft):
        """Post ``self`` (Odoo's ``_post``, and the addons' below this one) with
        the checks, the release and the note of credit notes."""
        self._invoicera_check_credited_posted()
        # a credit note's reversal (or a credit note of that reversal...), left
        # a draft (or scheduled) while the invoice's work went back to unbilled
        # (credited in full, or cancelled): posted, it credits or bills the
        # client again for that work
        self.filtered(
            lambda m: m.state == "draft"
        ).reversed_entry_id._invoicera_check_credit_note_kept()
        posted = super()._post(soft=soft)
        # An invoice credited in full (by one credit note or several, net of
        # their reversals) gives its items back to unbilled; partly credited,
        # they stay invoiced (README).
        # an invoice posted again while a credit note's reversal was withdrawn
        # (cancelled or deleted) is checked too
        (
            posted.filtered("reversed_entry_id")._invoicera_chain_root()
            | posted.filtered("reversal_move_ids")
        )._invoicera_release_credited()
        posted._invoicera_note_credited()
        return posted

    def _invoicera_check_credited_posted(self):
        """Refuse to post the credit notes of ``self`` crediting an invoice of
        billed work that is not posted (reset to draft, or cancelled: its work
        went back to Billing ▸ Unbilled Work). The client would be credited for
        work that invoice no longer bills, and that is invoiced again."""
        refunds = self.filtered(
            lambda m: m.move_type == "out_refund"
            and m.state == "draft"
            and m.reversed_entry_id.move_type == "out_invoice"
            and m.reversed_entry_id.state != "posted"
            and (
                m.reversed_entry_id.invoicera_item_count
                or m.reversed_entry_id.invoicera_items_released
            )
        )
        if refunds:
            raise UserError(
                _(
                    "%(credit_notes)s credits %(invoices)s, which bills work from Billing "
                    "▸ Unbilled Work and is not posted: the client would be credited for "
                    "work that invoice does not bill. Post the invoice first; or, to bill "
                    "the work again, cancel the invoice (its work goes back to Unbilled "
                    "Work) and delete the credit note.",
                    credit_notes=", ".join(refunds.mapped("display_name")),
                    invoices=", ".join(refunds.reversed_entry_id.mapped("display_name")),
                )
            )
        # a second credit note of an invoice credited in full (Credit Note
        # clicked twice): its work went back to unbilled, invoiced anew since
        again = self.filtered(
            lambda m: m.move_type == "out_refund"
            and m.state == "draft"
            and m.reversed_entry_id.move_type == "out_invoice"
            and m.reversed_entry_id.state == "posted"
            and m.reversed_entry_id.invoicera_items_released
        )
        if again:
            raise UserError(
                _(
                    "%(credit_notes)s credits %(invoices)s, which was credited in full "
                    "already: its work went back to Billing ▸ Unbilled Work, where it is "
                    "invoiced again. The client would be credited twice: delete the credit "
                    "note, or credit the invoice that bills the work now.",
                    credit_notes=", ".join(again.mapped("display_name")),
                    invoices=", ".join(again.reversed_entry_id.mapped("display_name")),
                )
            )

    def _invoicera_credited_in_full(self, scheduled=False):
        """The invoices (or vendor bills) of ``self`` that their posted credit
        notes, one or several, credit in full: their total reaches the
        invoice's; or their untaxed amount and total do but for the rounding of
        their lines and taxes (each credit note rounds its own: a cent may
        lack, :meth:`_invoicera_rounding`). A credit note
        that lost its taxes credits in part. With ``scheduled``, counting the
        draft credit notes Odoo will post at their date (a reversal dated
        later). A credit note reversed in its turn (its reversal posted)
        credits that much less, that reversal credited in its turn withdraws
        that much less, and so on (:meth:`_invoicera_net`)."""
        credited = self.browse()

        def counted(move):
            return move.state == "posted" or (scheduled and move._invoicera_scheduled())

        for move in self.filtered(lambda m: m.move_type in ("out_invoice", "in_invoice")):
            refunds = move._invoicera_refunds(counted)
            if not refunds:
                continue
            total, untaxed = move._invoicera_credited_amounts(counted)
            currency = move.currency_id
            lines, taxes = move._invoicera_rounding(refunds._invoicera_counted_chain(counted))
            if currency.compare_amounts(total, move.amount_total) >= 0 or (
                currency.compare_amounts(untaxed + lines, move.amount_untaxed) >= 0
                and currency.compare_amounts(total + lines + taxes, move.amount_total) >= 0
            ):
                credited |= move
        return credited

    def _invoicera_refunds(self, counted):
        """The credit notes of this invoice (or vendor bill) that ``counted`` (a
        predicate on a move) accepts."""
        self.ensure_one()
        return self.reversal_move_ids.filtered(
            lambda m: m.move_type == REVERSAL_TYPE[self.move_type] and counted(m)
        )

    def _invoicera_credited_amounts(self, counted):
        """``(total, untaxed)`` that the credit notes of this invoice that
        ``counted`` accepts credit, net of their reversals
        (:meth:`_invoicera_net`), in the invoice's currency (a credit note in
        another one counts at its date)."""
        self.ensure_one()
        total = untaxed = 0.0
        for refund, (refund_total, refund_untaxed) in (
            self._invoicera_refunds(counted)._invoicera_net(counted).items()
        ):
            convert = refund.currency_id._convert
            total += convert(refund_total, self.currency_id, self.company_id, refund.date)
            untaxed += convert(refund_untaxed, self.currency_id, self.company_id, refund.date)
        return total, untaxed

    def _invoicera_note_credited(self):
        """Say on each invoice of billed work that the credit notes of ``self``
        (just posted) credit what became of its work: back in Unbilled Work, or
        still invoiced and how much is credited. Nothing else tells the user
        (the Billed Items button disappears)."""
        by_invoice = defaultdict(self.browse)
        # a credit note of a credit note's reversal credits the invoice too
        for refund in self.filtered(lambda m: m.move_type == "out_refund" and m.state == "posted"):
            invoice = refund._invoicera_chain_root()
            if invoice.move_type == "out_invoice" and invoice.state == "posted":
                by_invoice[invoice] |= refund
        for invoice, credit_notes in by_invoice.items():
            if invoice.invoicera_item_count:
                credited = invoice._invoicera_credited_amounts(lambda m: m.state == "posted")[0]
                body = _(
                    "Credited in part by %(credit_notes)s (%(credited)s of %(total)s "
                    "credited in all): the work it bills stays invoiced. Credit the rest "
                    "of the invoice to give it back to Billing ▸ Unbilled Work.",
                    credit_notes=", ".join(credit_notes.mapped("name")),
                    credited=formatLang(self.env, credited, currency_obj=invoice.currency_id),
                    total=formatLang(
                        self.env, invoice.amount_total, currency_obj=invoice.currency_id
                    ),
                )
            elif invoice.invoicera_items_released:
                body = _(
                    "Credited in full by %(credit_notes)s: the work it billed is back in "
                    "Billing ▸ Unbilled Work, to invoice again.",
                    credit_notes=", ".join(credit_notes.mapped("name")),
                )
            else:
                continue
            invoice.message_post(body=body)

    def _invoicera_counted_chain(self, counted):
        """The moves of ``self``, their reversals that ``counted`` accepts, the
        reversals of those, and so on: the documents :meth:`_invoicera_net`
        adds up."""
        documents = reversals = self
        while reversals:
            reversals = (
                reversals.reversal_move_ids.filtered(
                    lambda m: m.move_type == REVERSAL_TYPE.get(m.reversed_entry_id.move_type)
                    and counted(m)
                )
                - documents
            )
            documents |= reversals
        return documents

    def _invoicera_rounding(self, documents):
        """``(lines, taxes)``: the most the untaxed amounts of ``documents`` (the
        credit notes of this invoice and their reversals,
        :meth:`_invoicera_counted_chain`) may lack to this invoice's when they
        credit all its lines, each document rounding its own amounts, and what
        their totals may lack beside for taxes. In units of the invoice's
        currency: ``lines``, one per line of each document that is no line of
        the invoice as it stands (hours credited in parts are priced apart), half
        a unit per document and for the invoice and per tax where the company
        rounds taxes globally and several documents credit it (each rounds the
        sum of its lines' unrounded amounts per tax), and
        the cash rounding of each document and of the invoice; ``taxes``, one
        per document and per tax amount the invoice rounds (one per tax line;
        one per tax of each product line when the company rounds taxes per
        line). A credit note that lost its taxes lacks far more: it credits in
        part."""
        self.ensure_one()
        unit = self.currency_id.rounding

        def priced(line):
            return (line.product_id, line.price_unit, line.discount, line.quantity)

        def products(move):
            return move.invoice_line_ids.filtered(lambda line: line.display_type == "product")

        # a line copied from the invoice as it is rounds as it does: only the
        # others (hours credited in parts...) may lack a unit, each line of the
        # invoice matching one line of a document
        own = Counter(priced(line) for line in products(self))
        lines = self.invoice_cash_rounding_id.rounding
        for document in documents:
            left = Counter(own)
            for line in products(document):
                if left[priced(line)]:
                    left[priced(line)] -= 1
                else:
                    lines += unit
            lines += document.invoice_cash_rounding_id.rounding
        if self.company_id.tax_calculation_rounding_method == "round_globally" and (
            len(documents) > 1
        ):
            # each document's untaxed amount is its lines' unrounded amounts
            # added up, then rounded, per tax: the invoice's may be a unit above
            # its lines (708.11 for lines of 67.97, 612.86 and 27.27), credited
            # as they are by two credit notes; a half unit at most per document
            # and for the invoice, per tax (one credit note of all its lines
            # rounds as it does)
            taxes_used = len(products(self).tax_ids) or 1
            lines += (len(documents) + 1) // 2 * taxes_used * unit
        if self.company_id.tax_calculation_rounding_method == "round_per_line":
            amounts = sum(len(line.tax_ids.flatten_taxes_hierarchy()) for line in products(self))
        else:
            amounts = len(self.line_ids.filtered(lambda line: line.display_type == "tax"))
        return lines, len(documents) * amounts * unit

    def _invoicera_scheduled(self):
        """Whether this draft is one Odoo posts at its date (``auto_post``)."""
        self.ensure_one()
        return self.state == "draft" and self.auto_post != "no"

    def _invoicera_credits_keep_their_origin(self):
        """Whether a credit note of this invoice, corrected ("Reverse and create
        a new draft" on the credit note), must keep crediting it: an invoice of
        billed work (or whose work its credit notes gave back), whose credit
        notes in full return that work to unbilled. Sources of billable items
        on other documents (vendor bills) extend this."""
        self.ensure_one()
        return self.move_type == "out_invoice" and bool(
            self.invoicera_item_count or self.invoicera_items_released
        )

    def _invoicera_correction_values(self):
        """Hook: values the new draft made by "Reverse and create a new draft"
        of this move is copied with, beside Odoo's (a source whose decisions on
        a document's items carry over to its correction). None by default."""
        self.ensure_one()
        return {}

    def _invoicera_check_modifiable(self):
        """Refuse "Reverse and create a new draft" on invoices of billed items.

        Its full credit note returns their work to Billing ▸ Unbilled Work
        (README, "Credit notes"), where it is invoiced again; the new draft, a
        copy without the items, would bill that work a second time.
        """
        billed = self.filtered("invoicera_item_count")
        if billed:
            raise UserError(
                _(
                    "%(invoices)s bills work from Billing ▸ Unbilled Work. Make a credit "
                    "note instead: the work goes back to Unbilled Work, where you correct "
                    "it and invoice it again, so that it is billed once.",
                    invoices=", ".join(billed.mapped("display_name")),
                )
            )

    def _invoicera_check_credited_kept(self):
        """Refuse to reset to draft (or cancel, which resets first) the posted
        invoices of ``self`` whose credit notes credited them in full and so
        gave their work back to unbilled. Their credit notes stay posted
        (:meth:`_invoicera_check_credit_note_kept`): cancelled, the invoice would
        leave the client a credit for nothing beside the next invoice of that
        work; posted again, it would bill that work again."""
        credited = self._invoicera_credited_posted()
        if credited:
            raise UserError(
                _(
                    "%(invoices)s was credited in full by %(credit_notes)s: the work it "
                    "billed went back to Billing ▸ Unbilled Work, where it is invoiced "
                    "again. The invoice stays as it is, with its credit note, so that the "
                    "work is billed once and the client credited once.",
                    invoices=", ".join(credited.mapped("display_name")),
                    credit_notes=", ".join(
                        credited.reversal_move_ids.filtered(
                            lambda m: m.move_type == "out_refund" and m.state == "posted"
                        ).mapped("display_name")
                    ),
                )
            )

    def _invoicera_check_credit_note_kept(self):
        """Refuse to withdraw (reset, cancel, reverse) the posted credit notes and
        reversals of ``self`` of an invoice whose work went back to unbilled
        (:meth:`_invoicera_credit_notes_to_keep`): credited in full, the invoice
        would bill that work again beside its next invoice; cancelled, the client
        would be credited or billed for work the invoice no longer bills."""
        kept = self._invoicera_credit_notes_to_keep()
        if not kept:
            return
        root = {move: move._invoicera_chain_root() for move in kept}
        cancelled = self.browse().union(*(root[m] for m in kept if root[m].state == "cancel"))
        if cancelled:
            raise UserError(
                _(
                    "%(invoices)s was cancelled: its work went back to Billing ▸ Unbilled "
                    "Work, where it is invoiced again, and its credit notes and their "
                    "reversals (%(moves)s) cancel each other out. Keep them posted: "
                    "withdrawn, one of them would credit or bill the client for work the "
                    "invoice no longer bills.",
                    invoices=cancelled._invoicera_names(),
                    moves=", ".join(
                        cancelled._invoicera_chain()
                        .filtered(lambda m: m.state == "posted")
                        .sorted("id")
                        .mapped("display_name")
                    ),
                )
            )
        reversals = kept.filtered(lambda m: m.move_type == "out_invoice")
        if reversals:
            raise UserError(
                _(
                    "%(reversals)s withdrew credit notes of %(invoices)s, since credited in "
                    "full: the work billed went back to Billing ▸ Unbilled Work, where it "
                    "is invoiced again. Keep them, so that the client is not credited "
                    "twice.",
                    reversals=", ".join(reversals.mapped("display_name")),
                    invoices=", ".join(reversals._invoicera_chain_root().mapped("display_name")),
                )
            )
        raise UserError(
            _(
                "%(credit_notes)s credited %(invoices)s in full: the work billed went "
                "back to Billing ▸ Unbilled Work, where it is invoiced again. Keep the "
                "credit note, so that the work is billed once.",
                credit_notes=", ".join(kept.mapped("display_name")),
                invoices=", ".join(kept._invoicera_chain_root().mapped("display_name")),
            )
        )

    def _invoicera_released_cancelled(self):
        """The cancelled invoices of ``self`` whose work went back to unbilled."""
        return self.filtered(lambda m: m.state == "cancel" and m.invoicera_items_released)

    def _invoicera_credited_posted(self):
        """The posted invoices of ``self`` credited in full (their work went back
        to unbilled): they stay posted."""
        return self.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.state == "posted"
            and m.invoicera_items_released
        )

    def _invoicera_credit_notes_to_keep(self):
        """The posted credit notes of ``self`` of an invoice whose work went back
        to unbilled, the posted reversals of its credit notes, the posted credit
        notes of those reversals, and so on: they stay posted. Credited in full
        (they count net, :meth:`_invoicera_credited_in_full`), the invoice would
        bill its work again were one of its credit notes withdrawn, or credit
        it again were a reversal. Cancelled (it was credited in part by none,
        :meth:`_invoicera_check_not_credited_in_part`), its credit notes and
        their reversals cancel each other out: withdrawn, one of them would
        credit or bill the client for work that invoice no longer bills."""
        return self.filtered(
            lambda m: m.state == "posted"
            and m.move_type in ("out_invoice", "out_refund")
            and m.reversed_entry_id
            and m._invoicera_chain_root().invoicera_items_released
        )

    def _invoicera_release_items(self):
        """Give the work ``self`` billed back to unbilled. The invoices remember it
        (``invoicera_items_released``): neither they (reset to draft) nor their
        credit notes (withdrawn) may bill it again beside its next invoice."""
        # sudo: the invoice's cancellation or credit note, which the user may
        # make, unlocks its items
        items = self.sudo().invoice_line_ids.invoicera_item_ids
        items.invoice_id.invoicera_items_released = True
        items._release()

    # ------------------------------------------------------------------
    # Time annex
    # ------------------------------------------------------------------
    def _invoicera_annex_detail(self):
        self.ensure_one()
        # the client's setting in the invoice's company (it is per company)
        partner = self.commercial_partner_id.with_company(self.company_id)
        return partner.invoicera_annex_detail or "summary"

    def _invoicera_annex_sections(self):
        """What the annex lists, at the client's detail level.

        A list of sections ``{"title", "rows": [...], "amount", "approval"}``,
        one per project; rows (``label``, ``quantity``, ``uom``, ``amount``,
        ``date``, ``count``) are per product (summary), per task, or every item
        (entry).

        The amounts are the invoice's: each invoice line's untaxed subtotal
        (after its discount, without the taxes its price may include) is shared
        among the items it bills in proportion to their quantities, each share
        rounded to the invoice's currency and the last item of the line taking
        what the others leave. Rows and section totals are sums of these
        rounded shares: the printed rows add up to the printed total, and the
        sections to the subtotals of the lines billing work (the invoice's
        untaxed amount but for lines added by hand).
        """
        self.ensure_one()
        detail = self._invoicera_annex_detail()
        items = self.sudo().invoice_line_ids.invoicera_item_ids.sorted(
            lambda i: (i.project_id.name or "", i.date, i.id)
        )
        shares = self._invoicera_annex_shares(items)
        sections = []
        for project, project_items in items.grouped("project_id").items():
            rows = defaultdict(
                lambda: {"label": "", "quantity": 0.0, "amount": 0.0, "uom": "", "count": 0}
            )
            for item in project_items:
                if detail == "entry":
                    key = item.id
                    label = " · ".join(filter(None, [item.employee_id.name, item.name]))
                    if item.client_approval == "approved":
                        # the client's day, whoever makes the annex (a clerk
                        # elsewhere, the sending cron)
                        decider = item.client_decided_by_id
                        tz = decider.tz or self.partner_id.tz or self.company_id.partner_id.tz
                        decided = fields.Datetime.context_timestamp(
                            self.with_context(tz=tz or "UTC"), item.client_decided_on
                        )
                        label += " · " + _(
                            "approved by %(who)s on %(date)s",
                            who=decider.name,
                            date=format_date(self.env, decided.date()),
                        )
                elif detail == "task":
                    key = (item.task_id.id, item.product_id.id, item.uom_id.id)
                    label = item.task_id.name or item.product_id.name
                else:
                    key = (item.product_id.id, item.uom_id.id)
                    label = item.product_id.name
                row = rows[key]
                row.update(label=label, uom=item.uom_id.name, date=item.date)
                row["quantity"] += item.quantity
                row["amount"] += shares[item]
                row["count"] += 1
            for row in rows.values():
                row["amount"] = self.currency_id.round(row["amount"])
            approved = project_items.filtered(lambda i: i.client_approval == "approved")
            sections.append(
                {
                    "title": project.display_name or _("Other work"),
                    "rows": list(rows.values()),
                    "amount": self.currency_id.round(sum(row["amount"] for row in rows.values())),
                    "approval": _(
                        "Approved by %(who)s in the portal: %(count)s of %(total)s items.",
                        who=", ".join(sorted(set(approved.client_decided_by_id.mapped("name")))),
                        count=len(approved),
                        total=len(project_items),
                    )
                    if approved
                    else False,
                }
            )
        return sections

    def _invoicera_annex_quantity_digits(self):
        """The decimals the annex prints quantities with: those of the items'
        and invoice lines' quantities (Product Unit of Measure), as the invoice."""
        return self.env["decimal.precision"].precision_get("Product Unit of Measure")

    def _invoicera_annex_shares(self, items):
        """``{item: amount}``: each invoice line's ``price_subtotal`` shared among
        ``items`` it bills, in proportion to their quantities, rounded to the
        currency; the line's last item takes the rounding difference, so that
        the shares of a line add up to its subtotal (see
        ``_invoicera_annex_sections``)."""
        currency = self.currency_id
        shares = {}
        for line, line_items in items.grouped("invoice_line_id").items():
            line_items = line_items.sorted(lambda i: (i.date, i.id))
            quantity = sum(line_items.mapped("quantity"))
            left = line.price_subtotal
            for item in line_items[:-1]:
                share = (
                    currency.round(line.price_subtotal * item.quantity / quantity)
                    if quantity
                    else 0.0
                )
                shares[item] = share
                left -= share
            shares[line_items[-1]] = currency.round(left)
        return shares

    def _invoicera_has_annex(self):
        """Whether this invoice goes with a time annex: a posted invoice with
        billed items, of a client who wants one."""
        self.ensure_one()
        return bool(
            self.move_type == "out_invoice"
            and self.state == "posted"
            and self._invoicera_annex_detail() != "none"
            and self.sudo().invoice_line_ids.invoicera_item_ids
        )

    def _invoicera_annex_filename(self):
        self.ensure_one()
        # the client's file: in its language, whoever sends it
        return self.with_context(lang=self.partner_id.lang).env._(
            "Annex %(invoice)s.pdf", invoice=self.name.replace("/", "_")
        )

    def _invoicera_annex_attachment(self, make=True):
        """The annex PDF of a posted invoice with billed items, made once and kept
        (until the invoice is reset to draft). Without ``make``, only the annex
        already made: rendering it is for sending or printing the invoice
        (``account.move.send``), as Odoo does for the invoice's PDF."""
        self.ensure_one()
        # The annex sent stays the invoice's whatever it bills now (credited in
        # full, its work is unbilled again) or its client now wants.
        annex = self.sudo().invoicera_annex_id
        if annex or not make or not self._invoicera_has_annex():
            return annex
        # on the paper of the company that invoices, as Odoo renders the invoice
        pdf, _report_type = (
            self.env["ir.actions.report"]
            .sudo()
            .with_company(self.company_id)
            ._render_qweb_pdf("invoicera_billing.action_report_time_annex", self.ids)
        )
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self._invoicera_annex_filename(),
                    "raw": pdf,
                    "res_model": self._name,
                    "res_id": self.id,
                    "mimetype": "application/pdf",
                }
            )
        )
        self.sudo().invoicera_annex_id = attachment
        return attachment

    def _get_invoice_legal_documents_all(self, allow_fallback=False):
        # Downloaded with its documents (the portal's Download, Odoo's download of
        # sent invoices): the annex goes with them, made now if the invoice was
        # posted again since it was sent.
        if self.invoice_pdf_report_id:
            self._invoicera_annex_attachment()
        return super()._get_invoice_legal_documents_all(allow_fallback=allow_fallback)

    def action_view_invoicera_items(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "invoicera_billing.action_invoicera_billable_item"
        )
        action["domain"] = [("invoice_id", "=", self.id)]
        action["context"] = {"search_default_invoiced": 1}
        return action
