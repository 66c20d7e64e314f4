from odoo import fields
from odoo.tools import SQL


def currency_rate_table(env, states):
    """SQL of a table ``currency_rate(company_id, currency_id, rate)``: what
    converts an amount of billable items of a company in a currency into the
    current company's currency, at today's rate (as Odoo's sales analysis
    converts at today's rates), for the reports to add up amounts of several
    currencies. The rates are read per item company (rates are per company),
    for the active items in ``states`` (those the report lists).
    """
    env.cr.execute(
        SQL(
            "SELECT DISTINCT company_id, currency_id FROM invoicera_billable_item"
            " WHERE currency_id IS NOT NULL AND active AND state IN %s",
            tuple(states),
        )
    )
    pairs = env.cr.fetchall()
    target = env.company.currency_id
    today = fields.Date.context_today(env.user)
    # sudo: the rates of the items' companies, whichever companies the user is
    # in now (the report's own record rules filter the rows)
    Currency = env["res.currency"].sudo()
    Company = env["res.company"].sudo()
    rows = [
        SQL(
            "(%s, %s, CAST(%s AS numeric))",
            company_id,
            currency_id,
            Currency._get_conversion_rate(
                Currency.browse(currency_id), target, Company.browse(company_id), today
            ),
        )
        for company_id, currency_id in pairs
    ] or [SQL("(NULL::integer, NULL::integer, CAST(1 AS numeric))")]
    return SQL("(VALUES %s) AS currency_rate(company_id, currency_id, rate)", SQL(", ").join(rows))
