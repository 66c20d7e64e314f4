from datetime import timedelta

from odoo.tests import tagged

from .common import InvoiceraPortalCase


@tagged("post_install", "-at_install")
class TestStatementCurrencies(InvoiceraPortalCase):
    """A statement shows an invoice paid in another currency as paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.env["res.currency.rate"].search([("currency_id", "=", cls.eur.id)]).unlink()
        cls.env["res.currency.rate"].create(
            {
                "currency_id": cls.eur.id,
                "name": cls.today - timedelta(days=90),
                "rate": 0.5,
                "company_id": cls.company.id,
            }
        )
        cls.invoice = cls.make_invoices(cls.client_a, [(100, -20)], currency=cls.eur)

    def pay_in_company_currency(self, amount, days_ago=1):
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=self.invoice.ids)
            .create(
                {
                    "amount": amount,
                    "currency_id": self.company.currency_id.id,
                    "payment_date": self.today - timedelta(days=days_ago),
                }
            )
            ._create_payments()
        )

    def summary(self, date_from):
        statement = self.client_a._invoicera_statement(date_from, self.today)
        return [
            (
                s["currency"].name,
                s["opening"],
                [r["debit"] - r["credit"] for r in s["rows"]],
                s["closing"],
            )
            for s in statement
        ]

    def test_an_invoice_paid_in_another_currency_is_shown_paid(self):
        """A euro invoice paid in dollars: the euro statement shows the payment
        (for the euros it settled) and nothing owed; no dollar credit appears."""
        payment = self.pay_in_company_currency(200)
        self.assertEqual(self.invoice.payment_state, "paid")
        self.assertEqual(
            self.summary(self.today - timedelta(days=60)), [("EUR", 0.0, [100.0, -100.0], 0.0)]
        )
        html = self.statement_html(self.client_a, self.today - timedelta(days=60))
        self.assertIn(payment.move_id.name, html)
        # Paid before the period: nothing owed at its start, no table at all.
        self.assertEqual(self.summary(self.today), [])

    def test_a_partial_payment_in_another_currency(self):
        """Half the euro invoice paid in dollars: 50 euros still owed; more dollars
        than the invoice owed stay a dollar credit."""
        self.pay_in_company_currency(100)
        self.assertEqual(self.invoice.amount_residual, 50)
        self.assertEqual(
            self.summary(self.today - timedelta(days=60)), [("EUR", 0.0, [100.0, -50.0], 50.0)]
        )
        self.pay_in_company_currency(160, days_ago=0)
        self.assertEqual(self.invoice.payment_state, "paid")
        self.assertEqual(
            self.summary(self.today - timedelta(days=60)),
            [("EUR", 0.0, [100.0, -50.0, -50.0], 0.0), ("USD", 0.0, [-60.0], -60.0)],
        )
        self.assertEqual(
            self.summary(self.today),
            [("EUR", 50.0, [-50.0], 0.0), ("USD", 0.0, [-60.0], -60.0)],
        )

    def test_a_payment_in_another_currency_at_another_rate(self):
        """The euro rate changed between the invoice and its payment in dollars: the
        invoice shows paid in full in euros; the exchange difference, booked in
        dollars only, shows nowhere."""
        self.env["res.currency.rate"].create(
            {
                "currency_id": self.eur.id,
                "name": self.today - timedelta(days=5),
                "rate": 0.4,
                "company_id": self.company.id,
            }
        )
        self.pay_in_company_currency(250)
        self.assertEqual(self.invoice.payment_state, "paid")
        self.assertEqual(
            self.summary(self.today - timedelta(days=60)), [("EUR", 0.0, [100.0, -100.0], 0.0)]
        )

    def test_a_period_before_the_invoice_a_payment_settles_later(self):
        """250 dollars paid 40 days ago, with nothing to settle; the euro invoice
        of 25 days ago (100 euros, 200 dollars) then matched with it. The
        statement of a period ending before the invoice shows the payment as it
        stood then, a dollar credit of 250. Before: it showed 50 dollars of
        credit and a euro table "paid in USD" for an invoice to come."""
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.client_a.id,
                "amount": 250,
                "currency_id": self.company.currency_id.id,
                "date": self.today - timedelta(days=40),
            }
        )
        payment.action_post()
        (payment.move_id.line_ids | self.invoice.line_ids).filtered(
            lambda line: line.account_type == "asset_receivable"
        ).reconcile()
        self.assertEqual(self.invoice.payment_state, "paid")
        before = self.client_a._invoicera_statement(
            self.today - timedelta(days=60), self.today - timedelta(days=30)
        )
        self.assertEqual(
            [(s["currency"].name, [r["debit"] - r["credit"] for r in s["rows"]]) for s in before],
            [("USD", [-250.0])],
        )
        # the whole period: the invoice paid, 50 dollars of credit left
        self.assertEqual(
            self.summary(self.today - timedelta(days=60)),
            [("EUR", 0.0, [-100.0, 100.0], 0.0), ("USD", 0.0, [-50.0], -50.0)],
        )


@tagged("post_install", "-at_install")
class TestStatementClients(InvoiceraPortalCase):
    """A client's statement lists its own entries: its contacts', not another client's."""

    def test_a_subsidiary_is_another_client(self):
        """A company filed under the client (a subsidiary, its own client with its own
        invoices and dashboard) is not on the client's statement; an entry of an
        archived contact of the client is."""
        subsidiary = self.env["res.partner"].create(
            {"name": "Alpha Labs", "is_company": True, "parent_id": self.client_a.id}
        )
        self.assertEqual(subsidiary.commercial_partner_id, subsidiary)
        own = self.make_invoices(self.client_a, [(100, -5)])
        of_subsidiary = self.make_invoices(subsidiary, [(900, -5)])
        # a manual entry on a contact, archived since
        contact = self.env["res.partner"].create(
            {"name": "Ada Alpha", "parent_id": self.client_a.id}
        )
        journal = self.env["account.journal"].search(
            [("type", "=", "general"), ("company_id", "=", self.company.id)], limit=1
        )
        receivable = own.line_ids.filtered(lambda line: line.display_type == "payment_term")
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": journal.id,
                "date": self.today,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "account_id": receivable.account_id.id,
                            "partner_id": contact.id,
                            "debit": 40.0,
                        },
                    ),
                    (0, 0, {"account_id": own.invoice_line_ids.account_id.id, "credit": 40.0}),
                ],
            }
        )
        entry.action_post()
        contact.active = False
        statement = self.client_a._invoicera_statement(self.today - timedelta(days=30), self.today)
        references = [row["reference"] for s in statement for row in s["rows"]]
        self.assertNotIn(of_subsidiary.name, references, "another client's invoice")
        self.assertEqual(references, [own.name, entry.name])
        self.assertEqual(statement[0]["closing"], 140.0)
        references = [
            row["reference"]
            for s in subsidiary._invoicera_statement(self.today - timedelta(days=30), self.today)
            for row in s["rows"]
        ]
        self.assertEqual(references, [of_subsidiary.name])
