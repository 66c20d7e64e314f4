from datetime import timedelta

from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from odoo.addons.payment.controllers.portal import PaymentPortal

_lt = LazyTranslate(__name__)

#: overdue aging buckets: key, label, first and last day past due
AGING_BUCKETS = (
    ("current", _lt("Not due yet"), None, 0),
    ("d1_30", _lt("1-30 days"), 1, 30),
    ("d31_60", _lt("31-60 days"), 31, 60),
    ("d61_90", _lt("61-90 days"), 61, 90),
    ("d90", _lt("Over 90 days"), 91, None),
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    invoicera_autopay_token_id = fields.Many2one(
        "payment.token",
        "Autopay With",
        copy=False,
        groups="base.group_system,invoicera_billing.group_billing_user",
        help="The client chose, in the portal, to be charged automatically with this "
        "saved payment method when an invoice is posted.",
    )

    def _invoicera_can_pay_in_company(self, company):
        """Whether the contact ``self`` may pay documents of ``company`` online: as
        Odoo's portal (``PaymentPortal._can_partner_pay_in_company``), not a contact
        registered with another company. Pay many and autopay ask it here."""
        self.ensure_one()
        return PaymentPortal._can_partner_pay_in_company(self, company)

    def _invoicera_autopay_stopped(self):
        """Why the saved method this client chose for automatic payment pays
        nothing any more, or False (none chosen, or it pays):

        - ``"removed"``: deleted from the portal, or its payment method or
          provider disabled since (Odoo archives their saved methods);
        - ``"moved"``: the contact who saved it is another client's now (a saved
          method pays its owner's documents only, as Odoo's payment flow);
        - ``"no_access"``: staff revoked that contact's portal access, or
          archived the contact: nobody can see or stop its payments any more.
        """
        self.ensure_one()
        # sudo: the client's choice and its owner, which staff may change
        token = self.sudo().invoicera_autopay_token_id
        if not token:
            return False
        if not token.active:
            return "removed"
        owner = token.partner_id
        if owner.commercial_partner_id != self.commercial_partner_id:
            return "moved"
        if not owner.active or not owner.user_ids:
            return "no_access"
        return False

    def _invoicera_open_invoices_domain(self):
        self.ensure_one()
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "not in", ("paid", "in_payment", "reversed")),
            ("commercial_partner_id", "=", self.id),
        ]

    def _invoicera_statement(self, date_from, date_to):
        """Statement of account of the client ``self`` for a period in the current
        company, per currency (see ``_invoicera_statements``)."""
        return self._invoicera_statements(date_from, date_to).get(self.env.company, [])

    def _invoicera_statements(self, date_from, date_to):
        """Statements of account of the client ``self`` for a period: one per
        company of the user (those whose invoices Odoo's rules let it see) with
        something to show, ``{company: [statement per currency]}``, the current
        company first.

        Every posted receivable entry of the client (invoices, credit notes,
        payments), with the balance before the period, a running balance and
        the balance at the end. A company's entries are never mixed with
        another's (as Odoo's documents, each has its own letterhead and
        balances). Read for this client only (payments are not readable in the
        portal). A payment in another currency than the invoice it settles is
        shown in the invoice's currency for what it paid of it (see
        ``_invoicera_statement_reconciliations``). A fixed number of queries,
        whatever the number of companies.
        """
        self.ensure_one()
        companies = self.env.company | self.env.companies
        Line = self.env["account.move.line"].sudo()
        base = [
            # its contacts (archived too), not a company filed under it (a
            # subsidiary: its own client, with its own statement)
            ("partner_id", "child_of", self.id),
            ("partner_id.commercial_partner_id", "=", self.id),
            ("company_id", "in", companies.ids),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ]
        parts, exchange_moves = self._invoicera_statement_reconciliations(base, date_to)
        base.append(("move_id", "not in", exchange_moves.ids))
        opening = {
            (company, currency): amount
            for company, currency, amount in Line._read_group(
                base + [("date", "<", date_from)],
                ["company_id", "currency_id"],
                ["amount_currency:sum"],
            )
        }
        # Not the entries with nothing in their currency: the exchange differences
        # Odoo books, in the company's currency only, on the client's foreign
        # currency invoices (they change no balance of the statement).
        lines = Line.search(
            base
            + [("date", ">=", date_from), ("date", "<=", date_to), ("amount_currency", "!=", 0)],
            order="date, id",
        )
        # What a payment (or credit note) in another currency than the invoice it
        # settles paid of it: shown in the invoice's currency (the invoice is paid),
        # the rest of the payment in its own.
        own_parts = {}
        entries_by_key = {}
        for line, own, currency, amount in parts:
            if line.date < date_from:
                own_key = (line.company_id, line.currency_id)
                opening[own_key] = opening.get(own_key, 0.0) + own
                if currency:
                    key = (line.company_id, currency)
                    opening[key] = opening.get(key, 0.0) + amount
            else:
                own_parts[line] = own_parts.get(line, 0.0) + own
                if currency:
                    entries_by_key.setdefault((line.company_id, currency), []).append(
                        (line, amount, True)
                    )
        for line in lines:
            entries_by_key.setdefault((line.company_id, line.currency_id), []).append(
                (line, line.amount_currency + own_parts.get(line, 0.0), False)
            )
        by_company = {}
        for company in companies:
            keys = {key for key in set(opening) | set(entries_by_key) if key[0] == company}
            statements = []
            for key in sorted(keys, key=lambda k: k[1].name):
                currency = key[1]
                balance = opening.get(key, 0.0)
                rows = []
                entries = sorted(
                    entries_by_key.get(key, []), key=lambda entry: (entry[0].date, entry[0].id)
                )
                for line, amount, settled_other in entries:
                    if currency.is_zero(amount):
                        continue  # all of it settled documents in another currency
                    balance += amount
                    number = line.move_id.name
                    # Next to the number: the entry's reference (an invoice's customer
                    # reference, a payment's memo), else its line's label (an
                    # invoice's is its payment reference, most often its number):
                    # not the number a second time.
                    labels = [line.move_id.ref, line.name]
                    label = next((text for text in labels if text and text != number), "")
                    if settled_other:
                        # in the client's language, as the rest of its statement
                        label = self.with_context(lang=self.lang).env._(
                            "%(label)s (paid in %(currency)s)",
                            label=label or number,
                            currency=line.currency_id.name,
                        )
                    rows.append(
                        {
                            "date": line.date,
                            "reference": number,
                            "label": label,
                            # an invoice falls due; money paid out to the client
                            # (a refund) does not
                            "due": line.date_maturity
                            if amount > 0
                            and not settled_other
                            and not (
                                line.move_id.origin_payment_id or line.move_id.statement_line_id
                            )
                            else False,
                            "debit": max(amount, 0.0),
                            "credit": max(-amount, 0.0),
                            "balance": balance,
                        }
                    )
                if currency.is_zero(opening.get(key, 0.0)) and not rows:
                    continue  # settled before the period, nothing in it: no empty table
                statements.append(
                    {
                        "currency": currency.with_env(self.env),
                        "opening": opening.get(key, 0.0),
                        "rows": rows,
                        "closing": balance,
                    }
                )
            if statements:
                by_company[company.with_env(self.env)] = statements
        return by_company

    def _invoicera_statement_reconciliations(self, base, date_to):
        """What the statement of the client's receivable entries ``base`` (up to
        ``date_to``) shows of their reconciliations: ``(parts, exchange moves)``.

        ``parts`` is a list of (entry line, amount to add to its own currency's
        balance, other currency or None, amount to add to that one's). The
        payment side of a reconciliation in two currencies (not an invoice or
        credit note; else the credit side) is shown in the currency of the
        document it settles, for what it paid of it (the partial's amount in
        that currency, as Odoo reconciles it). The exchange differences Odoo
        books on reconciling are not entries of the client's: they are left
        out (the exchange moves), with what they offset of the client's entries.

        Read: only the reconciliations that matter to the statement, not all of
        the client's history (most settle an entry in its own currency, shown as
        is): those that booked an exchange difference, and, with an entry up to
        ``date_to``, those in two currencies or with an exchange difference entry.
        The others would be skipped below.
        """
        # sudo: reconciliations are not readable in the portal; those of this
        # client's entries only.
        Partial = self.env["account.partial.reconcile"].sudo()
        query = Partial._search([("debit_move_id", "any", base), ("credit_move_id", "any", base)])
        partial = SQL.identifier(query.table)
        query.add_where(
            SQL(
                """(
                    %(partial)s.exchange_move_id IS NOT NULL
                    OR (
                        EXISTS (
                            SELECT 1
                              FROM account_move_line line
                             WHERE line.id IN (
                                %(partial)s.debit_move_id, %(partial)s.credit_move_id
                             )
                               AND line.date <= %(date_to)s
                        ) AND (
                            %(partial)s.debit_currency_id != %(partial)s.credit_currency_id
                            OR EXISTS (
                                SELECT 1
                                  FROM account_move_line line
                                  JOIN account_partial_reconcile exchange
                                    ON exchange.exchange_move_id = line.move_id
                                 WHERE line.id IN (
                                    %(partial)s.debit_move_id, %(partial)s.credit_move_id
                                 )
                            )
                        )
                    )
                )""",
                partial=partial,
                date_to=date_to,
            )
        )
        partials = Partial.browse(query)
        exchange_moves = partials.exchange_move_id
        exchange_ids = set(exchange_moves.ids)
        parts = []
        for partial in partials:
            debit, credit = partial.debit_move_id, partial.credit_move_id
            if debit.move_id.id in exchange_ids or credit.move_id.id in exchange_ids:
                if debit.move_id.id in exchange_ids:
                    part = (credit, partial.credit_amount_currency, None, 0.0)
                else:
                    part = (debit, -partial.debit_amount_currency, None, 0.0)
                if part[0].move_id.id in exchange_ids:
                    continue
            elif partial.debit_currency_id == partial.credit_currency_id:
                continue
            elif credit.move_id.is_invoice(include_receipts=True) and not (
                debit.move_id.is_invoice(include_receipts=True)
            ):
                # a refund paid out in another currency than its credit note
                part = (debit, -partial.debit_amount_currency, credit.currency_id)
                part += (partial.credit_amount_currency,)
            else:
                part = (credit, partial.credit_amount_currency, debit.currency_id)
                part += (-partial.debit_amount_currency,)
            # matched by the end of the period: both documents were there (a
            # payment is not shown settling an invoice to come)
            if partial.max_date <= date_to:
                parts.append(part)
        return parts, exchange_moves

    def _invoicera_aging(self, open_lines, company_days):
        """The aging of the open receivable lines ``open_lines`` (a domain), each
        company's by its day (``company_days``: {company: day}): a list of
        (aging bucket key, or "due_soon" for what falls due within 30 days,
        company, currency, amount in the currency, number of invoices). One
        query per day (most often one day for all companies), each bucket a
        filtered sum of it."""
        # sudo: portal users may not read journal items; the caller's domain gives
        # the lines of the open invoices searched as the user (record rules apply).
        Line = self.env["account.move.line"].sudo()
        companies_by_day = {}
        for company, day in company_days.items():
            companies_by_day.setdefault(day, []).append(company.id)
        rows = []
        for day, company_ids in companies_by_day.items():
            query = Line._search(open_lines + [("company_id", "in", company_ids)])
            # (as fields: what the query reads is flushed first)
            company, currency, maturity, amount, move = (
                Line._field_to_sql(query.table, fname, query)
                for fname in (
                    "company_id",
                    "currency_id",
                    "date_maturity",
                    "amount_residual_currency",
                    "move_id",
                )
            )
            conditions = {}
            for key, _label, first, last in AGING_BUCKETS:
                if first is None:
                    conditions[key] = SQL("%s >= %s", maturity, day)
                elif last is None:
                    conditions[key] = SQL("%s <= %s", maturity, day - timedelta(days=first))
                else:
                    conditions[key] = SQL(
                        "%s BETWEEN %s AND %s",
                        maturity,
                        day - timedelta(days=last),
                        day - timedelta(days=first),
                    )
            soon = SQL("%s BETWEEN %s AND %s", maturity, day, day + timedelta(days=30))
            query.groupby = SQL("%s, %s", company, currency)
            columns = [company, currency]
            for condition in conditions.values():
                columns += [
                    SQL("SUM(%s) FILTER (WHERE %s)", amount, condition),
                    SQL("COUNT(DISTINCT %s) FILTER (WHERE %s)", move, condition),
                ]
            columns.append(SQL("SUM(%s) FILTER (WHERE %s)", amount, soon))
            for company_id, currency_id, *sums, soon_amount in self.env.execute_query(
                query.select(*columns)
            ):
                group = (
                    self.env["res.company"].browse(company_id),
                    self.env["res.currency"].browse(currency_id),
                )
                for key, bucket_amount, count in zip(
                    conditions, sums[::2], sums[1::2], strict=True
                ):
                    # as a group by would: a bucket with lines only
                    if count:
                        rows.append((key, *group, bucket_amount, count))
                if soon_amount is not None:
                    rows.append(("due_soon", *group, soon_amount, 0))
        return rows

    def _invoicera_dashboard(self, today=None, list_limit=50, list_offset=0):
        """The billing dashboard of the client ``self`` (a commercial partner).

        Runs as the current user: the invoices and quotations it counts are
        those Odoo's record rules let the user see. Amounts are per company and
        currency: a client's account with each company of the database it deals
        with is its own (as its statements, see ``_invoicera_statements``).
        What is overdue, the aging and what falls due soon count each open
        instalment of an invoice by its own due date (Odoo's aged receivable);
        so does the list of open invoices, by what falls due first in each:
        ``list_limit`` of them from ``list_offset`` (a page of the list).
        What is overdue goes by the day in the time zone of each invoice's
        company, as its promises are judged (``today``: the day for all of them).
        A fixed number of queries, whatever the number of invoices.
        """
        self.ensure_one()
        Promise = self.env["invoicera.payment.promise"]
        given_day = today
        company_days = {}

        def day_of(company):
            """The day the invoices of ``company`` are judged by."""
            if given_day:
                return given_day
            if company not in company_days:
                company_days[company] = Promise._today(company)
            return company_days[company]

        Move = self.env["account.move"]
        base = self._invoicera_open_invoices_domain()
        by_currency = {}

        def slot(company, currency):
            company, currency = company.with_env(self.env), currency.with_env(self.env)
            if (company, currency) not in by_currency:
                by_currency[company, currency] = {
                    "company": company,
                    "currency": currency,
                    "outstanding": 0.0,
                    "overdue": 0.0,
                    "due_soon": 0.0,
                    "credit": 0.0,
                    "open_count": 0,
                    "split": False,
                    "buckets": {key: [0.0, 0] for key, *_rest in AGING_BUCKETS},
                }
            return by_currency[company, currency]

        for company, currency, amount, count in Move._read_group(
            base, ["company_id", "currency_id"], ["amount_residual:sum", "__count"]
        ):
            data = slot(company, currency)
            data["outstanding"] = amount
            data["open_count"] = count
        # What is overdue, its aging and what falls due soon go by instalment, as
        # Odoo's aged receivable: each open receivable line of the invoices by its
        # own due date (an invoice's invoice_date_due is its last instalment's). An
        # invoice in instalments may so be counted in two rows of the aging, each
        # with the part of it due then.
        open_lines = [
            ("move_id", "in", Move._search(base)),
            ("display_type", "=", "payment_term"),
            ("reconciled", "=", False),
        ]
        # each company's open invoices by its day
        open_days = {data["company"]: day_of(data["company"]) for data in by_currency.values()}
        for key, company, currency, amount, count in self._invoicera_aging(open_lines, open_days):
            data = slot(company, currency)
            if key == "due_soon":
                data["due_soon"] = amount
            else:
                data["buckets"][key] = [amount, count]
                if key != "current":
                    data["overdue"] += amount
        for data in by_currency.values():
            # an invoice counted in two rows of the aging (instalments)
            data["split"] = (
                sum(count for _amount, count in data["buckets"].values()) > data["open_count"]
            )
        # Available credit: open credit notes and payments not matched to an
        # invoice yet (receivable credits). Payments are not readable in the
        # portal: read for this client only, in the companies of the user (as
        # Odoo's rules give the invoices). The client's: its contacts' (archived
        # too), not a subsidiary's (a company filed under it, its own client: Odoo
        # uses its credit on its own invoices only), as its statement.
        companies = self.env.companies
        own = [
            ("partner_id", "child_of", self.id),
            ("partner_id.commercial_partner_id", "=", self.id),
        ]
        credits = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                own
                + [
                    ("company_id", "in", companies.ids),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("amount_residual_currency", "<", 0),
                ],
                ["company_id", "currency_id"],
                ["amount_residual_currency:sum"],
            )
        )
        for company, currency, amount in credits:
            slot(company, currency)["credit"] = -amount
        payments_sudo = (
            self.env["account.payment"]
            .sudo()
            .search(
                own
                + [
                    ("company_id", "in", companies.ids),
                    ("partner_type", "=", "customer"),
                    ("payment_type", "=", "inbound"),
                    ("state", "in", ("in_process", "paid")),
                ],
                order="date desc, id desc",
                limit=5,
            )
        )
        invoices = Move
        if list_limit:
            # Listed by what falls due first: each invoice's next open instalment
            # (its earliest receivable line not reconciled, as
            # account.move._invoicera_open_instalments reads them), then id; not by
            # invoice_date_due, its last instalment's, which would list an invoice
            # whose first instalment is overdue after invoices due sooner, or leave it
            # out of a short list. In the database: the invoices searched as the user
            # (record rules apply), the subquery only orders them.
            query = Move._search(base, limit=list_limit, offset=list_offset)
            move_id = SQL.identifier(query.table, "id")
            query.order = SQL(
                """(
                    SELECT MIN(COALESCE(line.date_maturity, %(due)s))
                      FROM account_move_line line
                     WHERE line.move_id = %(move_id)s
                       AND line.display_type = 'payment_term'
                       AND NOT line.reconciled
                ), %(move_id)s""",
                due=SQL.identifier(query.table, "invoice_date_due"),
                move_id=move_id,
            )
            invoices = Move.browse(query)
        # by default, the day in the current company's time zone (its quotations',
        # the portal's dates)
        today = day_of(self.env.company)
        quotations = self.env["sale.order"]
        quotation_count = 0
        if quotations.has_access("read"):
            quotation_domain = [
                ("partner_id", "child_of", self.id),
                ("state", "=", "sent"),
                # an expired quotation is no longer accepted (Odoo's quotation
                # page, which judges it by the server's day, as here)
                "|",
                ("validity_date", "=", False),
                ("validity_date", ">=", fields.Date.today()),
            ]
            quotations = quotations.search(quotation_domain, order="validity_date, id", limit=20)
            quotation_count = len(quotations)
            if quotation_count == 20:
                # more than listed? (counted only then: the page says so)
                quotation_count = quotations.search_count(quotation_domain)
        instalments = invoices._invoicera_open_instalments()
        # {invoice id: the day it is judged by} of the listed invoices
        invoice_days = {invoice.id: day_of(invoice.company_id) for invoice in invoices}
        buckets = [(key, str(label)) for key, label, *_rest in AGING_BUCKETS]
        # the current company first, as the statements
        summaries = sorted(
            by_currency.values(),
            key=lambda d: (d["company"] != self.env.company, d["company"].name, d["currency"].name),
        )
        by_company = {}
        for data in summaries:
            by_company.setdefault(data["company"], []).append(data)
        return {
            "today": today,
            # per company and currency
            "currencies": summaries,
            # [(company, its summaries per currency)], the current company first
            "companies": list(by_company.items()),
            "bucket_labels": buckets,
            "invoices": invoices,
            # {invoice id: [(due date, open amount), ...]} of the listed invoices
            "instalments": instalments,
            # listed invoices with an open instalment past due
            "overdue_ids": {
                invoice_id
                for invoice_id, open_instalments in instalments.items()
                if open_instalments[0][0] < invoice_days[invoice_id]
            },
            # {invoice id: the day in the time zone of its company} of the listed
            # invoices (the day the promise form starts from)
            "invoice_days": invoice_days,
            # listed invoices promised by a date not passed yet (a promise whose
            # date passed is broken, though the nightly job may not have said so)
            "promised_ids": set(invoices._invoicera_reminders_paused(given_day).ids),
            "payments": [
                {
                    "date": payment.date,
                    "name": payment.name,
                    "amount": payment.amount,
                    "currency": payment.currency_id,
                }
                for payment in payments_sudo
            ],
            "quotations": quotations,
            # all the quotations awaiting a decision (more than listed: the page says so)
            "quotation_count": quotation_count,
            # the latest date a promise to pay each listed invoice may name
            "promise_last": Promise._last_promise_days(
                invoices, today=given_day, instalments=instalments
            ),
        }
