import hashlib
from datetime import date, timedelta

from werkzeug.exceptions import Forbidden

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import format_date

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

#: session key of what the next billing page says (see redirect_to_dashboard)
FLASH = "invoicera_flash"


def redirect_to_dashboard(message=None, error=None, path="/my/billing", selected_ids=None):
    """Back to ``path``, which then says what happened (a translated message or error),
    the invoices of ``selected_ids`` still ticked (the dashboard's).

    What it says travels in the session, never in the address: a link made by
    someone else cannot put words of theirs on the client's billing pages.
    """
    request.session[FLASH] = {
        "message": message,
        "error": error,
        "selected_ids": list(selected_ids or []),
    }
    return request.redirect(path)


def portal_client():
    """The client the logged-in user acts for on the billing pages: the
    commercial partner, in the user's environment (``env.user`` is superuser's
    record: read through it, the client's documents would escape Odoo's record
    rules, another company's and quotations not shared with the user shown).

    The pages are its portal contacts'; an employee, whose contact anyone with
    Contact rights may attach to a client, reads them in the back office, by
    their rights (Forbidden).
    """
    user = request.env.user
    if not user.share:
        raise Forbidden()
    return user.partner_id.commercial_partner_id.with_env(request.env)


def pop_flash():
    """What the billing page shows once: ``{"message": ..., "error": ...,
    "selected_ids": ids of the invoices ticked}``."""
    flash = request.session.pop(FLASH, None) or {}
    return {
        "message": flash.get("message"),
        "error": flash.get("error"),
        "selected_ids": set(flash.get("selected_ids") or []),
    }


class InvoiceraPortal(CustomerPortal):
    """The client's billing pages: /my/billing and what hangs from it."""

    #: open invoices listed on a page of the dashboard
    _invoicera_invoices_per_page = 50

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "invoicera_open_count" in counters:
            Move = request.env["account.move"]
            partner = request.env.user.partner_id.commercial_partner_id
            values["invoicera_open_count"] = (
                Move.search_count(partner._invoicera_open_invoices_domain())
                if Move.has_access("read")
                else 0
            )
        return values

    def _invoicera_client(self):
        return portal_client()

    @http.route(
        ["/my/billing", "/my/billing/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_billing(self, page=1, **kw):
        client = self._invoicera_client()
        values = self._prepare_portal_layout_values()
        # The open invoices a page at a time, as Odoo's portal lists; the totals
        # count them all.
        Move = request.env["account.move"]
        open_total = (
            Move.search_count(client._invoicera_open_invoices_domain())
            if Move.has_access("read")
            else 0
        )
        pager = portal_pager(
            url="/my/billing",
            total=open_total,
            page=page,
            step=self._invoicera_invoices_per_page,
        )
        # What is overdue, and may be promised, is judged by the day in the time
        # zone of each invoice's company; the page's dates by the current company's.
        values.update(
            client._invoicera_dashboard(
                list_limit=self._invoicera_invoices_per_page,
                list_offset=pager["offset"],
            )
        )
        today = values["today"]
        # offered to pay no more, as Odoo's invoice page
        values["being_paid"] = values["invoices"]._invoicera_being_paid()
        values["approval_count"] = len(self._invoicera_items_to_approve(client))
        # nothing is paid online, automatically neither, while staff turn it off
        values["online_payment"] = request.env["account.move"]._invoicera_online_payment_enabled()
        values["tokens"] = self._invoicera_tokens()
        autopay_token_sudo = client.sudo().invoicera_autopay_token_id
        # a saved method deleted since, or its owner gone, pays nothing: said so
        values["autopay_stopped"] = client._invoicera_autopay_stopped()
        values["autopay_token"] = (
            autopay_token_sudo.browse() if values["autopay_stopped"] else autopay_token_sudo
        )
        values["autopay_removed"] = autopay_token_sudo - values["autopay_token"]
        # the page's sentences with numbers or names: one term each to translate
        # (a template splits a sentence at each value it shows)
        values["autopay_stopped_text"] = self._invoicera_autopay_stopped_text(
            values["autopay_stopped"], values["autopay_removed"]
        )
        if pager["page_count"] > 1:
            values["pager_text"] = _(
                "Open invoices %(first)s-%(last)s of %(total)s.",
                first=pager["offset"] + 1,
                last=pager["offset"] + len(values["invoices"]),
                total=open_total,
            )
        values["approval_text"] = _(
            "%(count)s item(s) of work await your approval before we bill them.",
            count=values["approval_count"],
        )
        values["quotations_text"] = _(
            "%(shown)s of %(count)s estimates awaiting your decision, those expiring first.",
            shown=len(values["quotations"]),
            count=values["quotation_count"],
        )
        values.update(self._invoicera_dashboard_texts(values))
        values.update(
            {
                "page_name": "invoicera_billing",
                "client": client,
                "pager": pager,
                "open_total": open_total,
                **pop_flash(),
                "statement_from": today.replace(day=1) - timedelta(days=90),
                "statement_to": today,
            }
        )
        return request.render("invoicera_portal.portal_my_billing", values)

    def _invoicera_dashboard_texts(self, values):
        """The dashboard's sentences with a name, a number or a date in them, of
        the ``values`` of ``client._invoicera_dashboard``: one term each to
        translate, dates in the visitor's language as the page's date widget."""
        env = request.env
        # one account per company, each with its title (with nothing to pay, the
        # current company's: the page's, as its day)
        accounts = [
            (company, summaries, _("Your account with %(company)s", company=company.name))
            for company, summaries in values["companies"] or [(env.company, [])]
        ]
        for summary in values["currencies"]:
            summary["bucket_texts"] = {
                key: _("%(count)s invoice(s)", count=count)
                for key, (_amount, count) in summary["buckets"].items()
            }
        invoices = values["invoices"]
        return {
            "accounts": accounts,
            # {invoice id: text} of the listed invoices promised
            "promised_texts": {
                invoice.id: _(
                    "Promised by %(date)s",
                    date=format_date(env, invoice.invoicera_promised_date),
                )
                for invoice in invoices
                if invoice.id in values["promised_ids"]
            },
            # {invoice id: text} of the listed invoices with instalments still open
            "instalment_texts": {
                invoice_id: _("Next instalment: %(date)s", date=format_date(env, rows[0][0]))
                for invoice_id, rows in values["instalments"].items()
                if len(rows) > 1
            },
        }

    def _invoicera_autopay_stopped_text(self, stopped, token):
        """Why automatic payment stopped (``stopped``: as
        ``res.partner._invoicera_autopay_stopped``), of the saved ``token``."""
        if not stopped:
            return ""
        method, owner = token.display_name, token.partner_id.name
        if stopped == "removed":
            return _(
                "Automatic payment stopped: %(method)s, the payment method it used, was removed.",
                method=method,
            )
        if stopped == "moved":
            return _(
                "Automatic payment stopped: %(method)s was saved by %(owner)s, no longer one "
                "of your contacts.",
                method=method,
                owner=owner,
            )
        return _(
            "Automatic payment stopped: %(method)s was saved by %(owner)s, who no longer has "
            "access to this portal.",
            method=method,
            owner=owner,
        )

    def _invoicera_items_to_approve(self, client, item_ids=None, pending=True):
        """Items of ``client`` awaiting its approval (those of ``item_ids`` only, if
        given; ``pending=False``: those of ``item_ids`` whatever their state).

        Items are not readable in the portal: read for this client only, in the
        companies of the user (as its invoices and statement).
        """
        domain = [
            ("partner_id", "=", client.id),
            ("company_id", "in", request.env.companies.ids),
        ]
        if pending:
            domain += [
                ("client_approval", "=", "pending"),
                ("state", "in", ("to_bill", "deferred")),
            ]
        if item_ids is not None:
            domain.append(("id", "in", item_ids))
        # whatever their state: work taken off the bill meanwhile (archived) too
        return (
            request.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=pending)
            .search(domain, order="project_id, date, id")
        )

    @staticmethod
    def _invoicera_approval_stamp(item):
        """What the approval page shows of ``item``, as a short fingerprint: the
        page sends it back with the decision, which then goes only for work
        unchanged since the client saw it."""
        shown = (
            item.name,
            str(item.date),
            item.quantity,
            item.uom_id.id,
            item.price_unit,
            item.amount,
            item.currency_id.id,
        )
        return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]

    @http.route("/my/billing/approvals", type="http", auth="user", website=True)
    def portal_my_billing_approvals(self, **kw):
        client = self._invoicera_client()
        values = self._prepare_portal_layout_values()
        items = self._invoicera_items_to_approve(client)
        values.update(
            {
                "page_name": "invoicera_billing",
                "items": items,
                "stamps": {item.id: self._invoicera_approval_stamp(item) for item in items},
                **pop_flash(),
            }
        )
        return request.render("invoicera_portal.portal_my_billing_approvals", values)

    @http.route(
        "/my/billing/approvals/decide", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_billing_approvals_decide(self, decision=None, comment=None, **kw):
        def back(message=None, error=None):
            return redirect_to_dashboard(message, error, path="/my/billing/approvals")

        try:
            item_ids = [int(i) for i in request.httprequest.form.getlist("item_ids")]
        except ValueError:
            return back(error=_("The items you chose are not valid."))
        if not item_ids:
            return back(error=_("Select the items to approve or dispute."))
        client = self._invoicera_client()
        items = self._invoicera_items_to_approve(client, item_ids)
        # the client's items of the form that no longer await its approval
        missing = set(item_ids) - set(items.ids)
        others = self._invoicera_items_to_approve(client, list(missing), pending=False)
        Item = request.env["invoicera.billable.item"].sudo()
        if len(items) + len(others) != len(set(item_ids)):
            if Item.browse(missing - set(others.ids)).exists():
                return back(error=_("Some of these items are not yours."))
            return back(
                error=_(
                    "Some of the work you chose was deleted since you opened this page: "
                    "nothing was decided. Check the work below again."
                )
            )
        # The form sent again (a double click, the page reloaded): what this
        # contact already decided so is done, not an error.
        repeated = others.filtered(
            lambda item: item.client_approval == decision
            and item.client_decided_by_id == request.env.user.partner_id
            and item.state in ("to_bill", "deferred")
        )
        gone = others - repeated
        if gone:
            return back(
                error=_(
                    "%(items)s no longer awaits your approval: it was decided, billed or "
                    "taken off the bill since you opened this page.",
                    items=", ".join(gone.mapped("name")),
                )
            )
        form = request.httprequest.form
        changed = items.filtered(
            lambda item: (
                form.get(f"seen_{item.id}") not in (None, self._invoicera_approval_stamp(item))
            )
        )
        if changed:
            return back(
                error=_(
                    "This work changed since you opened this page: %(items)s. Check it "
                    "again before you approve or dispute it.",
                    items=", ".join(changed.mapped("name")),
                )
            )
        try:
            decided = items._client_decide(decision, request.env.user.partner_id, comment)
        except UserError as error:
            return back(error=error.args[0])
        decided |= repeated
        if decision == "approved":
            return back(message=_("You approved %(count)s item(s). Thank you!", count=len(decided)))
        return back(
            message=_("You disputed %(count)s item(s): we will look into it.", count=len(decided))
        )

    def _invoicera_tokens(self):
        """The saved payment methods of the logged-in contact (read for it only)
        that pay the portal's invoices: those of its companies' providers, as
        Odoo's token rule shows them (a card saved with another company of the
        database never pays these invoices)."""
        Token = request.env["payment.token"].sudo()
        return Token.search(
            [
                ("partner_id", "=", request.env.user.partner_id.id),
                *Token._check_company_domain(request.env.companies),
            ]
        )

    @http.route("/my/billing/autopay", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_billing_autopay(self, token_id=None, **kw):
        """Turn automatic payment on (with one of the contact's saved methods) or off."""
        client_sudo = self._invoicera_client().sudo()
        if not token_id:
            client_sudo.invoicera_autopay_token_id = False
            return redirect_to_dashboard(message=_("Automatic payment is off."))
        try:
            token_id = int(token_id)
        except ValueError:
            token_id = None
        if token_id and token_id == client_sudo.invoicera_autopay_token_id.id:
            # the method in use, maybe a colleague's: kept as it is
            return redirect_to_dashboard(message=_("Automatic payment is unchanged."))
        token = self._invoicera_tokens().filtered(lambda t: t.id == token_id)
        if not token:
            return redirect_to_dashboard(error=_("Choose one of your saved payment methods."))
        client_sudo.invoicera_autopay_token_id = token
        return redirect_to_dashboard(
            message=_(
                "New invoices will be paid automatically with %(method)s.",
                method=token.display_name,
            )
        )

    @http.route("/my/billing/statement", type="http", auth="user", website=True)
    def portal_my_billing_statement(self, date_from=None, date_to=None, **kw):
        try:
            start = date.fromisoformat(date_from or "")
            end = date.fromisoformat(date_to or "")
        except ValueError:
            return redirect_to_dashboard(error=_("Give the statement's period as two dates."))
        if start > end:
            return redirect_to_dashboard(
                error=_("The statement's start date must be on or before its end date.")
            )
        client = self._invoicera_client()
        # Rendered as superuser for this client only: payments are not readable
        # in the portal.
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(
                "invoicera_portal.action_report_statement",
                client.ids,
                data={"date_from": start.isoformat(), "date_to": end.isoformat()},
            )
        )
        filename = _(
            "Statement %(client)s %(start)s %(end)s.pdf", client=client.name, start=start, end=end
        )
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )

    @http.route("/my/billing/promise", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_billing_promise(self, invoice_id=None, promised_date=None, note=None, **kw):
        try:
            invoice_sudo = self._document_check_access("account.move", int(invoice_id or 0))
        except (AccessError, MissingError, ValueError):
            invoice_sudo = None
        # Following another client's invoice shows it; promising (which pauses
        # its reminders) is for its client's contacts only.
        if not invoice_sudo or invoice_sudo.commercial_partner_id != self._invoicera_client():
            return redirect_to_dashboard(error=_("This invoice is not yours to promise."))
        try:
            day = date.fromisoformat(promised_date or "")
        except ValueError:
            return redirect_to_dashboard(error=_("Give the date you will pay by."))
        Promise = request.env["invoicera.payment.promise"].sudo()
        try:
            Promise._check_promise(invoice_sudo, day)
        except (UserError, ValidationError) as error:
            return redirect_to_dashboard(error=error.args[0])
        thanks = _(
            "Thank you: we noted your promise to pay %(invoice)s.", invoice=invoice_sudo.name
        )
        if invoice_sudo.invoicera_promise_ids.filtered(
            lambda promise: promise.state == "open" and promise.promised_date == day
        ):
            # The form sent again (a double click, the page reloaded): noted already,
            # not a new promise replacing the same one.
            return redirect_to_dashboard(message=thanks)
        Promise.create(
            {
                "invoice_id": invoice_sudo.id,
                "promised_date": day,
                "note": (note or "").strip()[:2000],
                "promised_by_id": request.env.user.partner_id.id,
            }
        )
        invoice_sudo.message_post(
            body=_(
                "%(who)s promised to pay by %(date)s.",
                who=request.env.user.partner_id.name,
                # in the language of the message, as Odoo shows dates
                date=format_date(request.env, day),
            ),
            author_id=request.env.user.partner_id.id,
        )
        return redirect_to_dashboard(message=thanks)
