import math

from odoo import _, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request
from odoo.tools import float_compare, format_amount

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.account_payment.controllers.portal import PortalAccount

from ..models.account_move import PAYABLE_STATES
from .portal import portal_client, redirect_to_dashboard


class InvoiceraPayMany(PaymentPortal, PortalAccount):
    """Pay any set of open invoices (one currency) in one transaction, in full or
    in part. A partial amount goes to what falls due first: Odoo reconciles the
    payment with the invoices' open instalments by their due dates (not with
    whole invoices by their last due date), as the page's preview shows."""

    @http.route()
    def invoice_transaction(self, invoice_id, access_token, **kwargs):
        """Odoo's payment of one invoice (its portal page, a payment link), one
        at a time as pay-many and autopay: the invoice is held while the
        payment is made, and refused while another one is under way (Odoo's
        page hides its Pay button then, but a double submit, a second tab or
        autopay at that moment charged a saved card twice)."""
        try:
            invoice_sudo = self._document_check_access("account.move", invoice_id, access_token)
        except (AccessError, MissingError):
            # Odoo's own answer
            return super().invoice_transaction(invoice_id, access_token, **kwargs)
        invoice_sudo._invoicera_lock_for_payment()
        if invoice_sudo._invoicera_being_paid():
            raise ValidationError(
                _("A payment of %(invoice)s is under way: wait for it.", invoice=invoice_sudo.name)
            )
        return super().invoice_transaction(invoice_id, access_token, **kwargs)

    @http.route()
    def overdue_invoices_transaction(self, payment_reference, **kwargs):
        """Odoo's payment of all the overdue invoices, one at a time likewise."""
        if not request.env.user._is_public():
            overdue = request.env["account.move"].search(self._get_overdue_invoices_domain())
            overdue._invoicera_lock_for_payment()
            overdue._invoicera_check_not_being_paid()
        return super().overdue_invoices_transaction(payment_reference, **kwargs)

    def _invoicera_payable(self, invoice_ids, amount=None):
        """The invoices and amount of a pay-many request, checked; ValidationError else."""
        invoices = self._invoicera_payable_invoices(invoice_ids, lock=True)
        return invoices, self._invoicera_payable_amount(invoices, amount)

    @staticmethod
    def _invoicera_parse_ids(invoice_ids):
        """The invoice ids of a request, as integers; ValidationError if one is not."""
        try:
            return sorted({int(i) for i in invoice_ids if str(i).strip()})
        except (TypeError, ValueError):
            raise ValidationError(_("The invoices to pay are not valid.")) from None

    def _invoicera_payable_invoices(self, invoice_ids, lock=False):
        """The invoices of a pay-many request, checked; ValidationError else.

        The invoices are searched as the logged-in user: an id the user may not
        see, or of an invoice not open any more, is refused. ``lock``: about
        to pay them, they are held until the request ends, so that a second
        request (a double submit, a second tab) does not pay them again
        (``account.move._invoicera_lock_for_payment``).
        """
        ids = self._invoicera_parse_ids(invoice_ids)
        if not ids:
            raise ValidationError(_("Select the invoices to pay."))
        Move = request.env["account.move"]
        if not Move._invoicera_online_payment_enabled():
            raise ValidationError(
                _("Invoices are not paid online here: pay them as your invoices say.")
            )
        client = portal_client()
        invoices = Move.search(
            [("id", "in", ids)] + client._invoicera_open_invoices_domain(),
            order="invoice_date_due, id",
        )
        if set(invoices.ids) != set(ids):
            raise ValidationError(
                _("Some of these invoices are not yours to pay, or are already paid.")
            )
        if lock:
            invoices._invoicera_lock_for_payment()
        on_hold = invoices.filtered(lambda invoice: invoice.payment_state not in PAYABLE_STATES)
        if on_hold:
            # As Odoo's invoice page: staff blocked its payment (a dispute...).
            raise ValidationError(
                _(
                    "%(invoices)s cannot be paid online: contact us about it.",
                    invoices=", ".join(on_hold.mapped("name")),
                )
            )
        # As Odoo's invoice page: an invoice being paid is not paid again.
        invoices._invoicera_check_not_being_paid()
        if len(invoices.currency_id) > 1:
            raise ValidationError(
                _(
                    "Invoices in different currencies cannot be paid together: "
                    "pay each currency on its own."
                )
            )
        if len(invoices.company_id) > 1:
            raise ValidationError(
                _("These invoices come from different companies: pay them separately.")
            )
        return invoices

    def _invoicera_payable_amount(self, invoices, amount=None):
        """The amount to pay ``invoices`` (checked by ``_invoicera_payable_invoices``)
        that the client asked for (None or "": what they owe); ValidationError if it
        is refused, saying why."""
        currency = invoices.currency_id
        due = currency.round(sum(invoices.mapped("amount_residual")))
        if amount in (None, ""):
            amount = due
            if len(invoices) == 1:
                # As Odoo's invoice page: an invoice in its early payment discount
                # period is offered at its discounted amount. sudo: reads its
                # reconciliations, as Odoo's page does; the invoice is one the
                # user may pay (searched as the user).
                amount = invoices.sudo()._invoicera_amount_to_pay()
        try:
            amount = float(amount)
        except (TypeError, ValueError):
            amount = None
        if amount is None or not math.isfinite(amount):  # inf, nan, 1e400
            raise ValidationError(_("The amount to pay is not a number."))
        amount = currency.round(amount)
        if float_compare(amount, 0.0, precision_rounding=currency.rounding) <= 0:
            raise ValidationError(_("The amount to pay must be more than zero."))
        if float_compare(amount, due, precision_rounding=currency.rounding) > 0:
            raise ValidationError(
                _(
                    "You entered %(amount)s: the amount to pay cannot be more than what "
                    "these invoices owe (%(due)s).",
                    amount=format_amount(request.env, amount, currency),
                    due=format_amount(request.env, due, currency),
                )
            )
        if len(invoices) > 1:
            self._invoicera_check_early_discounts(invoices, amount)
        return amount

    @staticmethod
    def _invoicera_check_early_discounts(invoices, amount):
        """Refuse an amount of several invoices that Odoo would take for one's early
        payment discount: recording a payment, Odoo writes off the discount of
        any of its invoices whose discounted amount is the amount paid, while the
        payment goes to the invoices due first."""
        currency = invoices.currency_id
        for invoice in invoices:
            # sudo: reads its reconciliations, as Odoo's invoice page does; the
            # invoice is one the user may pay (searched as the user)
            terms = invoice.sudo()._get_invoice_next_payment_values()
            if terms.get("installment_state") == "epd" and not currency.compare_amounts(
                terms["amount_due"], amount
            ):
                raise ValidationError(
                    _(
                        "%(amount)s is what %(invoice)s owes with its early payment "
                        "discount: pay %(invoice)s on its own to get the discount.",
                        amount=format_amount(request.env, amount, currency),
                        invoice=invoice.name,
                    )
                )

    @staticmethod
    def _invoicera_allocation(invoices, amount):
        """How a payment of ``amount`` is spread over ``invoices``, as Odoo will do
        it: a list of (invoice, amount paid, due date of its first open instalment),
        the invoices in the order they are paid.

        Recording the payment (account_payment's ``_create_payment``), Odoo
        reconciles it with the invoices' open receivable lines, one per instalment
        of their payment terms, sorted by (due date, currency, amount, balance)
        (``account.move.line._optimize_reconciliation_plan``): the first instalment
        of an invoice is paid before another invoice due before its last
        instalment (``invoice_date_due``, the last one's date).
        """
        currency = invoices.currency_id
        # sudo: reads the invoices' journal items, which a portal user may not
        # read; the invoices are ones the user may pay (searched as the user).
        # Ties keep the order Odoo reads them in: the invoices' default order,
        # then their lines'.
        lines = (
            invoices.sudo()
            .sorted()
            .line_ids.filtered(
                lambda line: line.display_type == "payment_term" and not line.reconciled
            )
            .sorted(
                lambda line: (
                    line.date_maturity or line.date,
                    line.amount_currency,  # one currency: Odoo's currency key is moot
                    line.balance,
                )
            )
        )
        paid, first_due, left = {}, {}, amount
        for line in lines:
            part = currency.round(max(0.0, min(left, line.amount_residual_currency)))
            paid[line.move_id.id] = paid.get(line.move_id.id, 0.0) + part
            first_due.setdefault(line.move_id.id, line.date_maturity or line.date)
            left = currency.round(left - part)
        # in the order they are paid (an invoice with no open line, if any, last)
        by_id = {invoice.id: invoice for invoice in invoices}
        order = [by_id[i] for i in first_due] + [i for i in invoices if i.id not in first_due]
        return [
            (
                invoice,
                paid.get(invoice.id, 0.0),
                first_due.get(invoice.id, invoice.invoice_date_due),
            )
            for invoice in order
        ]

    @staticmethod
    def _invoicera_check_partner_company(company):
        """Refuse a payment of ``company``'s invoices by a contact registered with
        another company (a crafted request: the page says so instead of offering
        to pay), as Odoo's invoice page (``res.partner._invoicera_can_pay_in_company``)."""
        partner = request.env.user.partner_id
        if not partner._invoicera_can_pay_in_company(company):
            raise ValidationError(
                _(
                    "Your contact is registered with %(own)s: it cannot pay the invoices "
                    "of %(company)s online. Contact us to pay them.",
                    own=partner.company_id.name,
                    company=company.name,
                )
            )

    @staticmethod
    def _invoicera_check_provider(company, provider_id=None, token_id=None, flow=None, **kwargs):
        """Refuse a provider (or saved payment method) of another company than the
        invoices' (a crafted request: the page offers their company's only). Its
        payment would be recorded in its own company, never on these invoices.

        Returns the provider (sudo)."""
        try:
            if flow == "token":
                # sudo: tokens and providers are not readable in the portal; Odoo
                # checks the token is the client's when it creates the transaction.
                provider_sudo = (
                    request.env["payment.token"].sudo().browse(int(token_id)).exists().provider_id
                )
            else:
                provider_sudo = request.env["payment.provider"].sudo().browse(int(provider_id))
                provider_sudo = provider_sudo.exists()
        except (TypeError, ValueError):
            provider_sudo = request.env["payment.provider"].sudo()
        if not provider_sudo.filtered_domain(provider_sudo._check_company_domain(company)):
            raise ValidationError(
                _(
                    "This payment method cannot pay invoices of %(company)s: choose another one.",
                    company=company.name,
                )
            )
        return provider_sudo

    @http.route("/my/billing/pay", type="http", auth="user", website=True)
    def portal_my_billing_pay(self, amount=None, **kw):
        invoice_ids = request.httprequest.args.getlist("invoice_ids")
        if len(invoice_ids) == 1 and "," in invoice_ids[0]:
            invoice_ids = invoice_ids[0].split(",")
        try:
            invoices = self._invoicera_payable_invoices(invoice_ids)
        except ValidationError as error:
            # Back to the dashboard, which says why, the invoices still ticked.
            try:
                selected = self._invoicera_parse_ids(invoice_ids)
            except ValidationError:
                selected = []
            return redirect_to_dashboard(error=error.args[0], selected_ids=selected)
        try:
            amount = self._invoicera_payable_amount(invoices, amount)
            amount_error = None
        except ValidationError as error:
            # The same invoices, with what is wrong with the amount entered (kept
            # to correct it); nothing to pay until it is.
            amount_error = error.args[0]
        first = invoices[0]
        values = self._prepare_portal_layout_values()
        if not amount_error:
            ids_path = "-".join(str(i) for i in invoices.ids)
            values.update(
                self._get_common_page_view_values(
                    invoices_data={
                        "partner": first.partner_id,
                        "company": first.company_id,
                        "total_amount": amount,
                        "currency": first.currency_id,
                        "amount_residual": amount,
                        "landing_route": "/my/billing",
                        "transaction_route": f"/my/billing/pay/transaction/{ids_path}",
                    },
                    # no request parameter: Odoo's would make it the page of one
                    # invoice (invoice_id), or an anonymous payment (access_token)
                )
            )
        values.update(
            {
                "page_name": "invoicera_billing",
                "amount": amount,
                "amount_error": amount_error,
                "currency": first.currency_id,
                "invoices": invoices,
                # one sentence to translate each (a template splits it at the value)
                "title": _("Pay %(count)s invoice(s)", count=len(invoices)),
                "amount_label": _("Amount to pay (%(currency)s)", currency=first.currency_id.name),
                # rounded: a float sum (300.79999999999995) is the amount field's
                # maximum, which the browser holds against the amount owed (300.80)
                "due": first.currency_id.round(sum(invoices.mapped("amount_residual"))),
                # the order the invoices are paid in (nothing paid if the amount is refused)
                "allocation": self._invoicera_allocation(invoices, 0.0 if amount_error else amount),
                "invoice_ids_csv": ",".join(str(i) for i in invoices.ids),
            }
        )
        return request.render("invoicera_portal.portal_pay_many", values)

    @http.route("/my/billing/pay/transaction/<string:invoice_ids>", type="json", auth="user")
    def portal_my_billing_pay_transaction(self, invoice_ids, amount=None, **kwargs):
        """Create the one transaction paying the chosen invoices (payment form's route)."""
        invoices, amount = self._invoicera_payable(invoice_ids.split("-"), amount)
        company = invoices.company_id
        self._validate_transaction_kwargs(kwargs)
        self._invoicera_check_partner_company(company)
        provider_sudo = self._invoicera_check_provider(company, **kwargs)
        # One invoice: no reference given, Odoo computes a unique one from the
        # invoice's number (a second payment of the invoice gets a suffix).
        # Several: the company's next batch number, made unique as Odoo makes a
        # reference (each company numbers its batches from 00001, references are
        # unique in the database).
        reference = False
        if len(invoices) > 1:
            reference = (
                request.env["payment.transaction"]
                .sudo()
                ._compute_reference(
                    provider_sudo.code, prefix=company.get_next_batch_payment_communication()
                )
            )
        return self._process_transaction(
            request.env.user.partner_id.id,
            invoices.currency_id.id,
            invoices.ids,
            reference,
            amount=amount,
            **kwargs,
        )
