from odoo import fields
from odoo.tools import SQL


def currency_rates(env, states=None):
    """{(company id, currency id): rate} converting an amount of billable items
    of a company in a currency into the current company's currency, at today's
    rate (as Odoo's sales analysis converts at today's rates), for the reports
    to add up amounts of several currencies. The rates are read per item
    company (rates are per company), for the active items in ``states`` (those
    the report lists), or for all the items (archived ones too) without
    ``states``.
    """
    query = SQL(
        "SELECT DISTINCT company_id, currency_id FROM invoicera_billable_item"
        " WHERE currency_id IS NOT NULL"
    )
    if states is not None:
        query = SQL("%s AND active AND state IN %s", query, tuple(states))
    env.cr.execute(query)
    return conversion_rates(env, env.cr.fetchall())


def conversion_rates(env, pairs):
    """{(company id, currency id): rate} into the current company's currency,
    at today's rate, of the (company id, currency id) ``pairs``."""
    target = env.company.currency_id
    today = fields.Date.context_today(env.user)
    # sudo: the rates of the items' companies, whichever companies the user is
    # in now (the report's own record rules filter the rows)
    Currency = env["res.currency"].sudo()
    Company = env["res.company"].sudo()
    return {
        (company_id, currency_id): Currency._get_conversion_rate(
            Currency.browse(currency_id), target, Company.browse(company_id), today
        )
        for company_id, currency_id in pairs
    }


def currency_rate_table(env, states=None):
    """SQL of a table ``currency_rate(company_id, currency_id, rate)`` of the
    :func:`currency_rates` of the items in ``states`` (all without)."""
    rows = [
        SQL("(%s, %s, CAST(%s AS numeric))", company_id, currency_id, rate)
        for (company_id, currency_id), rate in currency_rates(env, states).items()
    ] or [SQL("(NULL::integer, NULL::integer, CAST(1 AS numeric))")]
    return SQL("(VALUES %s) AS currency_rate(company_id, currency_id, rate)", SQL(", ").join(rows))
