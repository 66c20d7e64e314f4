from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

from .common import InvoiceraPortalCase


@tagged("post_install", "-at_install")
class TestDashboard(InvoiceraPortalCase):
    """What the client's dashboard says, computed as the client's portal user."""

    def dashboard(self, user, **kw):
        partner = user.partner_id.commercial_partner_id
        return partner.with_user(user)._invoicera_dashboard(today=self.today, **kw)

    def test_amounts_aging_and_lists(self):
        self.make_invoices(
            self.client_a,
            [(100, 10), (200, 40), (300, -5), (400, -45), (500, -75), (600, -120)],
        )
        self.make_invoices(self.client_b, [(999, -10)])
        data = self.dashboard(self.user_a1)
        (usd,) = data["currencies"]
        self.assertEqual(usd["currency"], self.company.currency_id)
        self.assertEqual(usd["outstanding"], 2100)
        self.assertEqual(usd["overdue"], 1800)
        self.assertEqual(usd["due_soon"], 100, "due within 30 days")
        self.assertEqual(
            {key: amount for key, (amount, _count) in usd["buckets"].items()},
            {"current": 300, "d1_30": 300, "d31_60": 400, "d61_90": 500, "d90": 600},
        )
        self.assertEqual(len(data["invoices"]), 6)
        self.assertNotIn(self.client_b, data["invoices"].commercial_partner_id)

    def test_contacts_see_their_company_documents(self):
        self.make_invoices(self.client_a, [(100, -3)])
        data = self.dashboard(self.user_a2)
        self.assertEqual(data["currencies"][0]["outstanding"], 100)

    def test_available_credit_and_recent_payments(self):
        self.make_invoices(self.client_a, [(500, -3)])
        # A credit note not applied to an invoice yet (a reversal would be).
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goodwill", "quantity": 1, "price_unit": 50, "tax_ids": False}
                    )
                ],
            }
        )
        refund.action_post()
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.client_a.id,
                "amount": 70,
                "date": self.today - timedelta(days=1),
            }
        )
        payment.action_post()
        data = self.dashboard(self.user_a1)
        (usd,) = data["currencies"]
        self.assertEqual(usd["credit"], 120, "50 of credit note + 70 of payment")
        self.assertEqual([p["amount"] for p in data["payments"]], [70])

    def test_one_line_per_currency(self):
        eur = (
            self.env.ref("base.EUR")
            if self.company.currency_id.name != "EUR"
            else self.env.ref("base.USD")
        )
        eur.active = True
        self.env["res.currency.rate"].create(
            {"currency_id": eur.id, "name": "2020-01-01", "rate": 0.9}
        )
        self.make_invoices(self.client_a, [(100, -3)])
        self.make_invoices(self.client_a, [(70, 5)], currency=eur)
        data = self.dashboard(self.user_a1)
        self.assertEqual(
            {d["currency"].name: d["outstanding"] for d in data["currencies"]},
            {self.company.currency_id.name: 100, eur.name: 70},
        )

    def test_instalments_are_aged_by_their_own_due_dates(self):
        """Odoo's due date of an invoice in instalments is its last instalment's; what
        is overdue, its aging and what falls due soon go by each open instalment's
        own due date, as Odoo's aged receivable does: of 1,000 due 30% 10 days ago
        and 70% in 50 days, 300 is overdue (1-30 days) and 700 not due yet, the
        invoice counted in both rows; of 500 due 40% in 10 days and 60% in 60, 200
        falls due within 30 days. Once the first instalment is paid, nothing of that
        invoice is overdue any more."""
        late = self.make_instalment_invoice(self.client_a, 1000, (-10, 50))
        self.assertEqual(late.invoice_date_due, self.today + timedelta(days=50))
        self.make_instalment_invoice(self.client_a, 500, (10, 60), shares=(40, 60))
        self.make_invoices(self.client_a, [(100, -40)])
        (usd,) = self.dashboard(self.user_a1)["currencies"]
        self.assertEqual(
            (usd["outstanding"], usd["overdue"], usd["due_soon"], usd["open_count"]),
            (1600, 400, 200, 3),
        )
        self.assertEqual(
            usd["buckets"],
            {
                "current": [1200, 2],
                "d1_30": [300, 1],
                "d31_60": [100, 1],
                "d61_90": [0.0, 0],
                "d90": [0.0, 0],
            },
        )
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=late.ids
        ).create({"amount": 300, "payment_date": self.today})._create_payments()
        self.assertEqual(late.amount_residual, 700)
        (usd,) = self.dashboard(self.user_a1)["currencies"]
        self.assertEqual((usd["outstanding"], usd["overdue"]), (1300, 100))
        self.assertEqual(
            (usd["buckets"]["current"], usd["buckets"]["d1_30"]), ([1200, 2], [0.0, 0])
        )

    def test_the_list_goes_by_what_falls_due_first(self):
        """The open invoices are listed by their next open instalment's due date, not
        by Odoo's due date (the last instalment's): an invoice of 1,000 whose first
        30% was due 10 days ago and the rest in 50 days is listed first, as overdue,
        before invoices due in 5, 10 and 20 days, and stays in a list shorter than
        the open invoices. Once that first instalment is paid, it goes by its next
        one, in 50 days: last."""
        soon = self.make_invoices(self.client_a, [(100, 5), (200, 10), (300, 20)])
        late = self.make_instalment_invoice(self.client_a, 1000, (-10, 50))
        data = self.dashboard(self.user_a1, list_limit=2)
        self.assertEqual(data["invoices"].mapped("name"), [late.name, soon[0].name])
        self.assertEqual(data["overdue_ids"], {late.id})
        data = self.dashboard(self.user_a1)
        self.assertEqual(data["invoices"].mapped("name"), (late | soon).mapped("name"))
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=late.ids
        ).create({"amount": 300, "payment_date": self.today})._create_payments()
        data = self.dashboard(self.user_a1)
        self.assertEqual(data["invoices"].mapped("name"), (soon | late).mapped("name"))
        self.assertEqual(data["overdue_ids"], set())

    def test_same_queries_for_200_and_2000_invoices(self):
        self.make_invoices(self.client_a, [(10 + n, -n % 150) for n in range(200)])
        self.make_invoices(self.client_b, [(10 + n, -n % 150) for n in range(2000)])
        for client in (self.client_a, self.client_b):  # instalments read in the same queries
            self.make_instalment_invoice(client, 1000, (-10, 50))
        # The first call of each user fills its caches (groups, record rules).
        self.dashboard(self.user_a1)
        self.dashboard(self.user_b)
        counts = []
        for user in (self.user_a1, self.user_b):
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            data = self.dashboard(user)
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(len(data["invoices"]), 50, "the list shows the first 50")
        self.assertEqual(
            counts[0], counts[1], f"200 invoices: {counts[0]} queries, 2000: {counts[1]}"
        )
        with self.assertQueryCount(DASHBOARD_QUERY_BUDGET):
            self.env.invalidate_all()
            self.dashboard(self.user_b)

    def test_expired_estimates_no_longer_await_a_decision(self):
        """A quotation past its expiration date can no longer be accepted (Odoo's
        quotation page): the dashboard lists only those the client can still decide."""
        product = self.env["product.product"].create({"name": "Audit", "list_price": 500})
        valid, expired = self.env["sale.order"].create(
            [
                {
                    "partner_id": self.client_a.id,
                    "validity_date": self.today + timedelta(days=days),
                    "order_line": [Command.create({"product_id": product.id})],
                }
                for days in (5, -1)
            ]
        )
        (valid | expired).action_quotation_sent()
        self.assertEqual(self.dashboard(self.user_a1)["quotations"], valid)


#: queries of a dashboard (aging, totals, credit, payments, lists, promise limits), measured;
#: the aging reads the open invoices' instalments through one subquery of the invoices
#: searched as the user, all its rows in one query (40 when each aging row searched the
#: invoices again, 32 when each was a query of its own)
DASHBOARD_QUERY_BUDGET = 27
