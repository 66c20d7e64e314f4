"""The billing JSON API for a mobile app: /api/billing/v1.

Authenticated with an Odoo API key (``Authorization: Bearer <key>``) or a
portal session. Everything is read as the authenticated user, so Odoo's record
rules decide what a client sees, exactly as in the portal. Errors are JSON:
``{"error": {"code": "...", "message": "..."}}`` with the matching HTTP status.
The OpenAPI document is served at /api/billing/v1/openapi.json.
"""

import json
from pathlib import Path

from werkzeug.exceptions import HTTPException

from odoo import _, fields, http
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError
from odoo.http import request
from odoo.tools import SQL, format_date

from odoo.addons.base.models.res_users import INDEX_SIZE, KEY_CRYPT_CONTEXT

API = "/api/billing/v1"
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "static" / "api" / "openapi.json"
#: ids are 32-bit integers in the database: no record has a larger id, and no
#: search returns more records
MAX_ID = 2**31 - 1


#: the error codes of the HTTP statuses an error of Odoo's may give (see ``error_response``)
HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
}


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(exception):
    """The API's JSON answer to ``exception``, an error of Odoo's raised while
    answering (not the API's own, which its endpoints answer): 403 when access is
    refused, 404 when a record is missing, 400 with its message for what Odoo
    refuses (a ``UserError``), else 500 without its details (Odoo logs it, with its
    traceback)."""
    if isinstance(exception, AccessDenied | AccessError):
        error = ApiError(403, "forbidden", exception.args[0])
    elif isinstance(exception, MissingError):
        error = ApiError(404, "not_found", exception.args[0])
    elif isinstance(exception, UserError):
        error = ApiError(400, "bad_request", exception.args[0])
    elif isinstance(exception, HTTPException) and exception.code in HTTP_ERROR_CODES:
        error = ApiError(exception.code, HTTP_ERROR_CODES[exception.code], exception.description)
    else:
        error = ApiError(
            500,
            "server_error",
            request.env._("The server could not answer this request. Try again later."),
        )
    return request.make_json_response(
        {"error": {"code": error.code, "message": error.message}}, status=error.status
    )


class InvoiceraBillingApi(http.Controller):
    # ------------------------------------------------------------------
    # Plumbing
    # ------------------------------------------------------------------
    @staticmethod
    def _json(data, status=200):
        return request.make_json_response(data, status=status)

    def _error(self, error):
        return self._json({"error": {"code": error.code, "message": error.message}}, error.status)

    def _authenticate(self):
        """The user of the request: an API key's owner, else the session's user."""
        header = request.httprequest.headers.get("Authorization", "")
        if header:
            scheme, _sep, key = header.partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                raise ApiError(401, "unauthorized", _("Use: Authorization: Bearer <API key>."))
            uid = request.env["res.users.apikeys"]._check_credentials(scope="rpc", key=key.strip())
            if not uid:
                expired, owner = self._key_expiration(key.strip())
                if expired:
                    self._speak_as(owner)
                    raise ApiError(
                        401,
                        "unauthorized",
                        _(
                            "This API key expired on %(date)s: create a new one in your "
                            "account's security settings.",
                            date=format_date(request.env, expired),
                        ),
                    )
                raise ApiError(401, "unauthorized", _("This API key is not valid."))
            request.update_env(user=uid)
            self._speak_as(request.env.user)
        elif not request.session.uid or request.env.user._is_public():
            raise ApiError(401, "unauthorized", _("Log in or give an API key."))
        else:
            # a session: the language the app asks for too (the OpenAPI document)
            self._speak_as(request.env.user)
        return request.env.user

    @staticmethod
    def _speak_as(user):
        """Answer in ``user``'s language, as Odoo answers a user logged in, unless
        the app asks for one this database has (``Accept-Language``: ``fr`` is
        French (France) if it is the only French). An API key's request has no
        session: without this, it would be answered in English; a phone asking
        for a language not installed, in the company's."""
        installed = [code for code, _name in request.env["res.lang"].get_installed()]
        for asked, _quality in request.httprequest.accept_languages:
            asked = asked.replace("-", "_").lower()
            found = [code for code in installed if code.lower() == asked] or [
                code for code in installed if code.split("_")[0] == asked.split("_")[0]
            ]
            if found:
                request.update_context(lang=found[0])
                return
        request.update_context(lang=user.lang)

    @staticmethod
    def _key_expiration(key):
        """The day the API key ``key`` expired, in its owner's time zone (as Odoo
        shows it to them), and its owner, if it is a key of an active user that
        did, else (None, None). Odoo refuses an expired key as it refuses a wrong
        one (then deletes it, the next time its clean-up runs); its owner is told
        why."""
        cr = request.env.cr
        # as res.users.apikeys._check_credentials, for the keys past their date
        cr.execute(
            SQL(
                """
                SELECT k.key, k.expiration_date, k.user_id
                  FROM res_users_apikeys k
                  JOIN res_users u ON u.id = k.user_id
                 WHERE u.active
                   AND k.index = %(index)s
                   AND (k.scope IS NULL OR k.scope = 'rpc')
                   AND k.expiration_date < now() AT TIME ZONE 'utc'
                """,
                index=key[:INDEX_SIZE],
            )
        )
        for hashed, expiration, user_id in cr.fetchall():
            if KEY_CRYPT_CONTEXT.verify(key, hashed):
                # sudo: the key's owner, only for their time zone
                owner = request.env["res.users"].sudo().browse(user_id)
                owner = owner.with_context(tz=owner.tz)
                return fields.Datetime.context_timestamp(owner, expiration).date(), owner
        return None, None

    def _call(self, method, *args, **kwargs):
        try:
            user = self._authenticate()
            return method(user, *args, **kwargs)
        except ApiError as error:
            return self._error(error)
        except AccessError as error:
            # an employee's key without the rights to read invoices
            return self._error(ApiError(403, "forbidden", error.args[0]))

    def _invoice(self, user, invoice_id):
        """One of the user's customer invoices, or a 404 (never say whose it is)."""
        if invoice_id > MAX_ID:
            raise ApiError(404, "not_found", _("No such invoice."))
        client = user.partner_id.commercial_partner_id
        domain = [
            ("id", "=", invoice_id),
            ("move_type", "in", ("out_invoice", "out_refund")),
            ("state", "=", "posted"),
        ]
        if user.share:
            domain.append(("commercial_partner_id", "=", client.id))
        invoice = request.env["account.move"].search(domain)
        if not invoice:
            raise ApiError(404, "not_found", _("No such invoice."))
        return invoice

    @staticmethod
    def _money(amount, currency):
        return {"amount": currency.round(amount), "currency": currency.name}

    def _invoice_data(self, invoice, instalments, lines=False):
        """The invoice's JSON; ``instalments``: what ``_invoicera_open_instalments``
        gives for it (read once for a page of invoices).

        ``due_date`` is the invoice's due date as Odoo shows it: its last
        instalment's when its payment terms have several. ``overdue`` and
        ``next_due`` go by its open instalments: overdue when one the client owes
        is past due (never a credit note's: the company owes it, its open amounts
        are negative); the next is the earliest still open (past due or not), with
        what is left of it."""
        open_instalments = instalments.get(invoice.id)
        # the day in the time zone of the invoice's company, as the portal's
        today = request.env["invoicera.payment.promise"]._today(invoice.company_id)
        next_due = None
        if open_instalments:
            day, amount = open_instalments[0]
            next_due = {
                "date": fields.Date.to_string(day),
                "amount": self._money(abs(amount), invoice.currency_id),
            }
        data = {
            "id": invoice.id,
            "number": invoice.name,
            "type": "invoice" if invoice.move_type == "out_invoice" else "credit_note",
            "date": fields.Date.to_string(invoice.invoice_date),
            "due_date": fields.Date.to_string(invoice.invoice_date_due),
            "total": self._money(invoice.amount_total, invoice.currency_id),
            "amount_due": self._money(invoice.amount_residual, invoice.currency_id),
            "payment_state": invoice.payment_state,
            "overdue": any(amount > 0 and day < today for day, amount in open_instalments or ()),
            "next_due": next_due,
        }
        if lines:
            data["lines"] = [
                {
                    # a line may be posted without a label: a string still, its
                    # product's name (sudo: the client does not read products)
                    "description": line.name or line.product_id.sudo().display_name or "",
                    "quantity": line.quantity,
                    "unit_price": line.price_unit,
                    "subtotal": self._money(line.price_subtotal, invoice.currency_id),
                }
                for line in invoice.invoice_line_ids.filtered(
                    lambda ln: ln.display_type == "product"
                )
            ]
            data["pdf_url"] = f"{API}/invoices/{invoice.id}/pdf"
        return data

    # ------------------------------------------------------------------
    # Endpoints
    # ------------------------------------------------------------------
    @http.route(f"{API}/openapi.json", type="http", auth="public", methods=["GET"], csrf=False)
    def openapi(self):
        document = json.loads(OPENAPI_PATH.read_text())
        document["servers"] = [{"url": request.httprequest.host_url.rstrip("/") + API}]
        return self._json(document)

    @http.route(f"{API}/summary", type="http", auth="public", methods=["GET"], csrf=False)
    def summary(self):
        return self._call(self._summary)

    def _summary(self, user):
        if not user.share:
            # A client's account, for its portal contacts (as the portal's
            # dashboard): an employee's contact, which anyone with Contact
            # rights may attach to a client, reads none of it.
            raise ApiError(
                403,
                "forbidden",
                _("The summary is a client's account: use the key of a portal user."),
            )
        # in the user's environment: Odoo's record rules apply (portal_client)
        client = user.partner_id.commercial_partner_id.with_env(request.env)
        dashboard = client._invoicera_dashboard(list_limit=0)
        return self._json(
            {
                "client": client.name,
                "currencies": [
                    {
                        "company": data["company"].name,
                        "currency": data["currency"].name,
                        "outstanding": data["currency"].round(data["outstanding"]),
                        "overdue": data["currency"].round(data["overdue"]),
                        "due_in_30_days": data["currency"].round(data["due_soon"]),
                        "available_credit": data["currency"].round(data["credit"]),
                        "open_invoices": data["open_count"],
                        "aging": {
                            key: data["currency"].round(amount)
                            for key, (amount, _count) in data["buckets"].items()
                        },
                    }
                    for data in dashboard["currencies"]
                ],
            }
        )

    @http.route(f"{API}/invoices", type="http", auth="public", methods=["GET"], csrf=False)
    def invoices(self, status="open", limit="50", offset="0"):
        return self._call(self._invoices, status, limit, offset)

    def _invoices(self, user, status, limit, offset):
        try:
            limit, offset = int(limit), int(offset)
        except ValueError:
            raise ApiError(400, "bad_request", _("limit and offset are numbers.")) from None
        if not 0 < limit <= 200 or offset < 0:
            raise ApiError(400, "bad_request", _("limit goes from 1 to 200, offset from 0."))
        if status not in ("open", "all"):
            raise ApiError(400, "bad_request", _("status is open or all."))
        client = user.partner_id.commercial_partner_id
        domain = [("move_type", "in", ("out_invoice", "out_refund")), ("state", "=", "posted")]
        if user.share:
            domain.append(("commercial_partner_id", "=", client.id))
        if status == "open":
            domain.append(("payment_state", "not in", ("paid", "in_payment", "reversed")))
        Move = request.env["account.move"]
        invoices = (
            Move.search(domain, order="invoice_date desc, id desc", limit=limit, offset=offset)
            if offset < MAX_ID
            else Move  # past the last invoice
        )
        instalments = invoices._invoicera_open_instalments()
        return self._json(
            {
                "count": Move.search_count(domain),
                "invoices": [self._invoice_data(invoice, instalments) for invoice in invoices],
            }
        )

    @http.route(
        f"{API}/invoices/<int:invoice_id>", type="http", auth="public", methods=["GET"], csrf=False
    )
    def invoice(self, invoice_id):
        return self._call(self._invoice_detail, invoice_id)

    def _invoice_detail(self, user, invoice_id):
        invoice = self._invoice(user, invoice_id)
        return self._json(
            self._invoice_data(invoice, invoice._invoicera_open_instalments(), lines=True)
        )

    @http.route(
        f"{API}/invoices/<int:invoice_id>/pdf",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
    )
    def invoice_pdf(self, invoice_id):
        return self._call(self._invoice_pdf, invoice_id)

    def _invoice_pdf(self, user, invoice_id):
        invoice = self._invoice(user, invoice_id)
        # As the portal's download: the PDF sent to the client when Odoo sent the
        # invoice, else a pro forma. sudo: the user may read the invoice (checked
        # above), its PDF is rendered or read as the portal's.
        try:
            document = invoice.sudo()._get_invoice_legal_documents("pdf", allow_fallback=True)
        except (AccessError, MissingError):
            raise
        except UserError as error:
            # Odoo words a PDF that fails to render (wkhtmltopdf failing or
            # missing) as a UserError with the tool's output: a failure of the
            # server (500, logged with it), not a bad request to show the app
            raise RuntimeError(f"The PDF of {invoice.name} could not be rendered") from error
        return request.make_response(
            document["content"],
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Disposition", http.content_disposition(document["filename"])),
            ],
        )

    @http.route(
        f"{API}/invoices/<int:invoice_id>/payment-link",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
    )
    def invoice_payment_link(self, invoice_id):
        return self._call(self._payment_link, invoice_id)

    def _payment_link(self, user, invoice_id):
        invoice = self._invoice(user, invoice_id)
        if invoice.move_type != "out_invoice" or not invoice.amount_residual:
            raise ApiError(400, "bad_request", _("This invoice has nothing left to pay."))
        if not invoice._invoicera_payable_online():
            # as its portal page: online payment off, or its payment blocked
            raise ApiError(400, "bad_request", _("This invoice cannot be paid online."))
        # As its portal page and paying many invoices: not while a payment is under way
        if invoice._invoicera_being_paid():
            raise ApiError(
                400,
                "bad_request",
                _("This invoice is being paid already: wait for that payment."),
            )
        url = invoice.get_base_url() + invoice.get_portal_url(query_string="&payment=True")
        # what the page charges: the discounted amount in an early payment discount
        # period (sudo: read from its reconciliations, which a client may not read;
        # the user may read the invoice, checked above)
        amount = invoice.sudo()._invoicera_amount_to_pay()
        return self._json({"url": url, "amount_due": self._money(amount, invoice.currency_id)})

    @http.route(f"{API}/<path:path>", type="http", auth="public", csrf=False)
    def unknown(self, path):
        if request.httprequest.method != "GET":
            # every endpoint reads: another method on one lands here too
            return self._error(
                ApiError(405, "method_not_allowed", _("The billing API only answers GET."))
            )
        return self._error(ApiError(404, "not_found", _("No such endpoint: %(path)s", path=path)))
