from odoo import _, api, fields, models
from odoo.tools import SQL

from .report_currency import currency_rate_table


class InvoiceraRealizationReport(models.Model):
    """Realization: what work was worth at standard rates, what was billed, what was
    collected, and what was written down or off, with the reasons given; in the
    current company's currency, at today's rate (items of several currencies)."""

    _name = "invoicera.realization.report"
    _description = "Realization Analysis"
    _auto = False
    _order = "date desc"
    _depends = {
        "invoicera.billable.item": [
            "active",
            "partner_id",
            "project_id",
            "employee_id",
            "source",
            "company_id",
            "currency_id",
            "date",
            "state",
            "amount",
            "standard_amount",
            "adjustment_reason",
            "write_off_reason",
            "invoice_id",
            "invoice_line_id",
        ],
        "account.move": [
            "amount_total",
            "amount_total_signed",
            "amount_residual",
            "currency_id",
            "reversed_entry_id",
            "state",
            "move_type",
            "origin_payment_id",
            "statement_line_id",
        ],
        "account.move.line": [
            "discount",
            "display_type",
            "amount_currency",
            "discount_amount_currency",
            "discount_date",
            "date",
            "account_id",
            "balance",
            "tax_repartition_line_id",
            "price_subtotal",
        ],
        "account.partial.reconcile": [
            "debit_move_id",
            "credit_move_id",
            "amount",
            "debit_amount_currency",
        ],
        "account.payment": ["outstanding_account_id", "payment_transaction_id", "state", "date"],
    }

    partner_id = fields.Many2one("res.partner", "Client", readonly=True)
    # searched by name without the project's access rules (as on billable items)
    project_id = fields.Many2one("project.project", readonly=True, auto_join=True)
    employee_id = fields.Many2one("hr.employee", readonly=True)
    source = fields.Selection(selection="_selection_source", readonly=True)
    state = fields.Selection(selection="_selection_state", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", "Item Currency", readonly=True)
    company_currency_id = fields.Many2one(
        "res.currency", "Report Currency", readonly=True, help="The current company's currency."
    )
    date = fields.Date(readonly=True)
    invoice_id = fields.Many2one("account.move", readonly=True)
    worked_value = fields.Monetary(
        "Value at Standard Rates",
        currency_field="company_currency_id",
        readonly=True,
        help="Worked quantity at the standard rate.",
    )
    billed_value = fields.Monetary(
        "Billed",
        currency_field="company_currency_id",
        readonly=True,
        help="What the invoice bills for the item: its share of the invoice line, "
        "after the line's discount, less its share of the lines below zero added to "
        "the invoice and of what credit notes took off the invoice (pro rata of its "
        "total).",
    )
    written_down_value = fields.Monetary(
        "Written Down or Off",
        currency_field="company_currency_id",
        readonly=True,
        help="Value at standard rates not billed: write-downs of billed items "
        "(their quantity or rate, discounts, credit notes), and items written off.",
    )
    collected_value = fields.Monetary(
        "Collected",
        currency_field="company_currency_id",
        readonly=True,
        help="The billed value, in the proportion its invoice is paid (credit notes "
        "are not payments, nor is an early payment discount the client takes, nor "
        "what a payment wrote off to settle the invoice in full).",
    )
    reason = fields.Char(
        readonly=True,
        help="Why the item was written down or off, as given; for a billed item "
        "written down after it was invoiced, without a reason of its own, what did "
        "it: a credit note, or a discount on the invoice.",
    )

    @api.model
    def _selection_source(self):
        return (
            self.env["invoicera.billable.item"]._fields["source"]._description_selection(self.env)
        )

    @api.model
    def _selection_state(self):
        return self.env["invoicera.billable.item"]._fields["state"]._description_selection(self.env)

    @property
    def _table_query(self):
        # billed: the item's amount less its invoice line's discount, in the
        # item's currency and at its rate (a rate including a tax is compared
        # with the standard rate including it: the tax is not a write-down);
        # less what credit notes took off the invoice, pro rata of its total
        # (credited work is written down, never collected)
        return SQL(
            """
            WITH billed_invoice AS (
                SELECT id, currency_id, amount_total, amount_total_signed
                  FROM account_move
                 WHERE id IN (
                       SELECT invoice_id FROM invoicera_billable_item WHERE invoice_id IS NOT NULL
                   )
            ),
            credit AS (
                -- the invoice's own credit notes (Reverse), posted, for all they
                -- credit: matched with the invoice, or not (a paid invoice's
                -- credit note is refunded or settles another invoice), in the
                -- invoice's currency; ``undone``: a credit note of such a credit
                -- note (Reverse of the credit note), billing it again, and
                -- ``undone_paid`` what of it was paid or matched with the credit
                -- note (collected again)
                SELECT invoice.id AS move_id,
                       CASE WHEN refund.currency_id = invoice.currency_id
                            THEN refund.amount_total
                            ELSE ABS(refund.amount_total_signed) * invoice.amount_total
                                 / NULLIF(ABS(invoice.amount_total_signed), 0)
                        END AS own,
                       0 AS undone,
                       0 AS undone_paid,
                       0 AS other
                  FROM account_move refund
                  JOIN billed_invoice invoice ON invoice.id = refund.reversed_entry_id
                 WHERE refund.move_type = 'out_refund' AND refund.state = 'posted'
             UNION ALL
                SELECT invoice.id,
                       0,
                       undone.amount,
                       undone.amount * (1 - undo.amount_residual / NULLIF(undo.amount_total, 0)),
                       0
                  FROM account_move undo
                  JOIN account_move refund ON refund.id = undo.reversed_entry_id
                  JOIN billed_invoice invoice ON invoice.id = refund.reversed_entry_id
                  CROSS JOIN LATERAL (
                      SELECT CASE WHEN undo.currency_id = invoice.currency_id
                                  THEN undo.amount_total
                                  ELSE ABS(undo.amount_total_signed) * invoice.amount_total
                                       / NULLIF(ABS(invoice.amount_total_signed), 0)
                              END AS amount
                  ) undone
                 WHERE undo.move_type = 'out_invoice' AND undo.state = 'posted'
                   AND refund.move_type = 'out_refund' AND refund.state = 'posted'
             UNION ALL
                -- a credit note of no invoice matched with it: what it settled
                -- (another invoice's credit note settling it pays it)
                SELECT invoice_line.move_id, 0, 0, 0, part.debit_amount_currency
                  FROM account_partial_reconcile part
                  JOIN account_move_line invoice_line ON invoice_line.id = part.debit_move_id
                  JOIN billed_invoice invoice ON invoice.id = invoice_line.move_id
                  JOIN account_move_line refund_line ON refund_line.id = part.credit_move_id
                  JOIN account_move refund ON refund.id = refund_line.move_id
                 WHERE refund.move_type = 'out_refund' AND refund.reversed_entry_id IS NULL
            ),
            credited AS (
                -- what credit notes took off each invoice (billed less), and
                -- what they settled of it (not collected) but for what their
                -- own reversals were paid
                SELECT move_id,
                       SUM(own - undone + other) AS amount,
                       SUM(own - undone_paid + other) AS settled
                  FROM credit
              GROUP BY move_id
            ),
            asked AS (
                -- the day a charge collected later was asked: the date of its
                -- payment Odoo cancelled as the charge was not done at once
                -- (Register Payment with a saved method), by which the wizard
                -- granted early payment discounts
                SELECT payment_transaction_id, MIN(date) AS date
                  FROM account_payment
                 WHERE state = 'canceled' AND payment_transaction_id IS NOT NULL
              GROUP BY payment_transaction_id
            ),
            discounted AS (
                -- the early payment discount of each invoice paid within its
                -- discount period (as Odoo's "2/10 net 30"): the payment
                -- settled it in full, the discount written off by Odoo's early
                -- payment discount lines (``epd``; not collected), by a payment
                -- made within the period (a payment of several
                -- invoices writes off the discount of those within theirs only),
                -- or of this invoice alone (the portal grants it to a payment made
                -- within the period and recorded after it). A payment whose charge
                -- was collected later is dated the day it was collected but was
                -- made the day it was asked (``asked``): a payment of several
                -- invoices then writes off, past the period, the discounts granted
                -- within it.
                SELECT term.move_id,
                       SUM(term.amount_currency - term.discount_amount_currency) AS amount
                  FROM account_move_line term
                 WHERE term.display_type = 'payment_term'
                   AND term.discount_date IS NOT NULL
                   AND term.move_id IN (
                       SELECT invoice_id FROM invoicera_billable_item WHERE invoice_id IS NOT NULL
                   )
                   AND EXISTS (
                       SELECT 1
                         FROM account_partial_reconcile part
                         JOIN account_move_line payment_line
                           ON payment_line.id = part.credit_move_id
                         JOIN account_move paid_by ON paid_by.id = payment_line.move_id
                    LEFT JOIN account_payment payment ON payment.id = paid_by.origin_payment_id
                    LEFT JOIN asked
                           ON asked.payment_transaction_id = payment.payment_transaction_id
                         JOIN account_move_line write_off
                           ON write_off.move_id = payment_line.move_id
                        WHERE part.debit_move_id = term.id
                          AND write_off.display_type = 'epd'
                          AND (
                              LEAST(payment_line.date, asked.date) <= term.discount_date
                              OR NOT EXISTS (
                                  SELECT 1
                                    FROM account_partial_reconcile other
                                    JOIN account_move_line other_line
                                      ON other_line.id = other.debit_move_id
                                   WHERE other.credit_move_id = payment_line.id
                                     AND other_line.move_id != term.move_id
                              )
                          )
                   )
              GROUP BY term.move_id
            ),
            deducted AS (
                -- lines added to the invoice by hand below zero (a discount of
                -- the whole invoice) bill its items less, pro rata of the items'
                -- lines: ``factor``, what of the items' lines is billed
                SELECT line.move_id,
                       GREATEST(
                           SUM(line.price_subtotal) FILTER (WHERE billed.id IS NOT NULL)
                           + COALESCE(
                               SUM(line.price_subtotal)
                                   FILTER (WHERE billed.id IS NULL AND line.price_subtotal < 0),
                               0
                           ),
                           0
                       ) / NULLIF(
                           GREATEST(
                               SUM(line.price_subtotal) FILTER (WHERE billed.id IS NOT NULL), 0
                           ),
                           0
                       ) AS factor
                  FROM account_move_line line
                  JOIN billed_invoice invoice ON invoice.id = line.move_id
             LEFT JOIN (
                       SELECT DISTINCT invoice_line_id AS id
                         FROM invoicera_billable_item
                        WHERE invoice_line_id IS NOT NULL
                   ) billed ON billed.id = line.id
                 WHERE line.display_type = 'product'
              GROUP BY line.move_id
            ),
            settled AS (
                -- what each payment (or bank statement line) settling a billed
                -- invoice settled of each invoice: what its lines (the
                -- receivable one) are matched with, in the company's currency
                -- (comparable across invoices); of every invoice it settles,
                -- billed or not, as it shares its write-off among them all
                SELECT term.move_id,
                       payment_line.move_id AS paid_by_id,
                       SUM(part.amount) AS amount
                  FROM account_partial_reconcile part
                  JOIN account_move_line term ON term.id = part.debit_move_id
                  JOIN account_move_line payment_line ON payment_line.id = part.credit_move_id
                 WHERE term.display_type = 'payment_term'
                   AND payment_line.move_id IN (
                       SELECT paid_by.id
                         FROM account_partial_reconcile part
                         JOIN account_move_line term ON term.id = part.debit_move_id
                         JOIN billed_invoice invoice ON invoice.id = term.move_id
                         JOIN account_move_line payment_line
                           ON payment_line.id = part.credit_move_id
                         JOIN account_move paid_by ON paid_by.id = payment_line.move_id
                        WHERE term.display_type = 'payment_term'
                          AND (paid_by.origin_payment_id IS NOT NULL
                               OR paid_by.statement_line_id IS NOT NULL)
                   )
              GROUP BY term.move_id, payment_line.move_id
            ),
            written_off AS (
                -- what a payment (or bank statement line) wrote off to settle
                -- the invoice in full though short (Register Payment's "Mark as
                -- fully paid"): not collected. A payment of several invoices
                -- (grouped) writes off one amount for them all: each invoice's
                -- share is in proportion to what the payment settled of it
                -- (``ratio``). The lines of an early payment discount (Odoo
                -- marks them ``epd``) are no write-off: in ``discounted`` for a
                -- billed invoice, nothing of a billed invoice when another
                -- invoice of the payment took it; a short payment written off by
                -- hand on the discount's loss account is a write-off as on any
                -- other account. An overpayment written off as income pays
                -- nothing more of the invoice.
                SELECT share.move_id,
                       GREATEST(
                           SUM(
                               CASE WHEN write_off.currency_id = invoice.currency_id
                                    THEN write_off.amount_currency
                                    ELSE write_off.balance * invoice.amount_total
                                         / NULLIF(ABS(invoice.amount_total_signed), 0)
                                END * share.ratio
                           ),
                           0
                       ) AS amount
                  FROM (
                    SELECT move_id,
                           paid_by_id,
                           amount / NULLIF(SUM(amount) OVER (PARTITION BY paid_by_id), 0) AS ratio
                      FROM settled
                  ) share
                  JOIN billed_invoice invoice ON invoice.id = share.move_id
                  JOIN account_move paid_by ON paid_by.id = share.paid_by_id
                  JOIN account_journal journal ON journal.id = paid_by.journal_id
             LEFT JOIN account_payment payment ON payment.id = paid_by.origin_payment_id
                  JOIN account_move_line write_off ON write_off.move_id = paid_by.id
                  JOIN account_account account ON account.id = write_off.account_id
                 WHERE (paid_by.origin_payment_id IS NOT NULL
                        OR paid_by.statement_line_id IS NOT NULL)
                   AND account.account_type
                       NOT IN ('asset_receivable', 'liability_payable', 'asset_cash')
                   AND write_off.tax_repartition_line_id IS NULL
                   AND write_off.account_id IS DISTINCT FROM payment.outstanding_account_id
                   AND write_off.account_id IS DISTINCT FROM journal.default_account_id
                   AND write_off.display_type IS DISTINCT FROM 'epd'
              GROUP BY share.move_id
            )
            SELECT item.id,
                   item.partner_id,
                   item.project_id,
                   item.employee_id,
                   item.source,
                   item.state,
                   item.company_id,
                   item.currency_id,
                   item.date,
                   item.invoice_id,
                   %(company_currency)s AS company_currency_id,
                   item.standard_amount * rate.rate AS worked_value,
                   valued.billed * rate.rate AS billed_value,
                   CASE WHEN item.state = 'written_off' THEN item.standard_amount
                        WHEN item.state = 'invoiced'
                             THEN GREATEST(item.standard_amount - valued.billed, 0)
                        ELSE 0 END * rate.rate AS written_down_value,
                   valued.collected * rate.rate AS collected_value,
                   COALESCE(
                       item.write_off_reason,
                       item.adjustment_reason,
                       -- written down after it was invoiced, for no reason of
                       -- its own: by what
                       CASE WHEN item.state != 'invoiced'
                                 OR item.standard_amount - valued.billed <= 0 THEN NULL
                            WHEN valued.billed < share.invoiced THEN %(credited)s
                            WHEN share.invoiced < item.amount THEN %(discounted)s
                        END
                   ) AS reason
              FROM invoicera_billable_item item
         LEFT JOIN account_move_line line ON line.id = item.invoice_line_id
         LEFT JOIN account_move move ON move.id = item.invoice_id
         LEFT JOIN credited ON credited.move_id = move.id
         LEFT JOIN discounted ON discounted.move_id = move.id
         LEFT JOIN written_off ON written_off.move_id = move.id
         LEFT JOIN deducted ON deducted.move_id = move.id
         LEFT JOIN %(currency_rate)s
                ON currency_rate.company_id = item.company_id
               AND currency_rate.currency_id = item.currency_id
        CROSS JOIN LATERAL (SELECT COALESCE(currency_rate.rate, 1) AS rate) rate
        CROSS JOIN LATERAL (
                -- invoiced: the item's amount less its line's discount and its
                -- share of the lines deducted from the invoice, at the item's
                -- rate as the standard value is (taxes included in the rate
                -- too); total: of its posted invoice
                SELECT CASE WHEN item.state != 'invoiced' THEN 0
                            WHEN line.id IS NULL THEN item.amount
                            ELSE item.amount * (1 - COALESCE(line.discount, 0) / 100.0)
                                 * COALESCE(deducted.factor, 1)
                        END AS invoiced,
                       CASE WHEN item.state = 'invoiced' AND move.state = 'posted'
                                 AND move.amount_total != 0
                            THEN move.amount_total
                        END AS total
           ) share
        CROSS JOIN LATERAL (
                SELECT CASE WHEN share.total IS NULL THEN share.invoiced
                            ELSE share.invoiced * GREATEST(
                                share.total - COALESCE(credited.amount, 0), 0
                            ) / share.total
                        END AS billed,
                       CASE WHEN share.total IS NULL THEN 0
                            ELSE share.invoiced * GREATEST(
                                share.total - move.amount_residual
                                - COALESCE(credited.settled, 0)
                                - COALESCE(discounted.amount, 0)
                                - COALESCE(written_off.amount, 0),
                                0
                            ) / share.total
                        END AS collected
           ) valued
             WHERE item.state IN ('invoiced', 'written_off') AND item.active
            """,
            company_currency=self.env.company.currency_id.id,
            credited=_("Credit note"),
            discounted=_("Discount on the invoice"),
            currency_rate=currency_rate_table(self.env, ("invoiced", "written_off")),
        )
