import json
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase

from odoo.addons.queue_job.tests.common import trap_jobs


class InvoiceraPortalCommon:
    """Two client companies, each with portal users, and invoices for both."""

    @classmethod
    def setup_clients(cls):
        env = cls.env
        cls.today = fields.Date.context_today(env.user)
        cls.company = env.company
        cls.client_a = env["res.partner"].create(
            {"name": "Alpha Corp", "is_company": True, "email": "ap@alpha.example.com"}
        )
        cls.contact_a1 = env["res.partner"].create(
            {"name": "Ann Alpha", "parent_id": cls.client_a.id, "email": "ann@alpha.example.com"}
        )
        cls.contact_a2 = env["res.partner"].create(
            {"name": "Abe Alpha", "parent_id": cls.client_a.id, "email": "abe@alpha.example.com"}
        )
        cls.client_b = env["res.partner"].create(
            {"name": "Beta Ltd", "is_company": True, "email": "ap@beta.example.com"}
        )
        cls.contact_b = env["res.partner"].create(
            {"name": "Bea Beta", "parent_id": cls.client_b.id, "email": "bea@beta.example.com"}
        )
        portal = env.ref("base.group_portal")
        Users = env["res.users"].with_context(no_reset_password=True)
        cls.user_a1, cls.user_a2, cls.user_b = (
            Users.create(
                {
                    "name": contact.name,
                    "login": contact.email,
                    "password": contact.email,
                    "partner_id": contact.id,
                    "groups_id": [Command.set(portal.ids)],
                }
            )
            for contact in (cls.contact_a1, cls.contact_a2, cls.contact_b)
        )

    @classmethod
    def make_invoices(cls, partner, specs, currency=None):
        """Posted invoices: ``specs`` is a list of (amount, days until due)."""
        moves = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "currency_id": (currency or cls.company.currency_id).id,
                    "invoice_date": cls.today - timedelta(days=max(0, -due) + 5),
                    "invoice_date_due": cls.today + timedelta(days=due),
                    "invoice_line_ids": [cls.consulting_line(amount)],
                }
                for amount, due in specs
            ]
        )
        moves.action_post()
        return moves

    @staticmethod
    def consulting_line(amount):
        """An invoice line of ``amount``, untaxed."""
        return Command.create(
            {"name": "Consulting", "quantity": 1, "price_unit": amount, "tax_ids": False}
        )

    @classmethod
    def make_instalment_invoice(cls, partner, amount, dues, shares=(30, 70)):
        """A posted invoice of ``amount`` with a real two-line payment term: ``shares``
        percent of it due ``dues`` days from today (negative: past due)."""
        invoice_date = cls.today - timedelta(days=max(0, -min(dues)))
        instalments = list(zip(shares, dues, strict=True))
        term = cls.env["account.payment.term"].create(
            {
                "name": " + ".join(f"{share}% at {due} days" for share, due in instalments),
                "line_ids": [
                    Command.create(
                        {
                            "value": "percent",
                            "value_amount": share,
                            "nb_days": (cls.today + timedelta(days=due) - invoice_date).days,
                        }
                    )
                    for share, due in instalments
                ],
            }
        )
        return cls.make_invoice_on_term(partner, amount, term, invoice_date)

    @classmethod
    def demo_provider(cls):
        """Odoo's demo provider, published in test mode, saving payment methods."""
        provider = cls.env.ref("payment.payment_provider_demo")
        provider.write({"state": "test", "is_published": True, "allow_tokenization": True})
        return provider

    @classmethod
    def make_demo_token(cls, partner, provider_ref=None):
        """A card ``partner`` saved with the demo provider; its charges succeed."""
        provider = cls.env.ref("payment.payment_provider_demo")
        return cls.env["payment.token"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": provider.payment_method_ids[:1].id,
                "partner_id": partner.id,
                "payment_details": "4242",
                "provider_ref": provider_ref or f"demo-{partner.id}",
                "demo_simulated_state": "done",
            }
        )

    def portal_transaction(self, invoice, amount):
        """A payment of ``amount`` of ``invoice`` by contact A1 with the demo
        provider, as the portal makes it (not confirmed yet)."""
        provider = self.env.ref("payment.payment_provider_demo")
        return self.env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": provider.payment_method_ids[:1].id,
                "amount": amount,
                "currency_id": invoice.currency_id.id,
                "partner_id": self.contact_a1.id,
                "operation": "online_direct",
                "invoice_ids": [Command.set(invoice.ids)],
            }
        )

    @classmethod
    def make_early_discount_term(cls):
        """Payment terms "2/10 net 30": 2% off if paid within 10 days, due in 30."""
        return cls.env["account.payment.term"].create(
            {
                "name": "2/10 net 30",
                "early_discount": True,
                "discount_percentage": 2,
                "discount_days": 10,
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )

    @classmethod
    def make_invoice_on_term(cls, partner, amount, term, invoice_date=None):
        """A posted invoice of ``amount`` on the payment term ``term``, dated
        ``invoice_date`` (today)."""
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": invoice_date or cls.today,
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [cls.consulting_line(amount)],
            }
        )
        invoice.action_post()
        return invoice

    def post_autopay_invoice(self, amount=250):
        """Post an invoice of ``client_a`` and run the autopay job it queues."""
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_line_ids": [self.consulting_line(amount)],
            }
        )
        with trap_jobs() as trap:
            invoice.action_post()
            trap.assert_jobs_count(1, only=invoice._invoicera_autopay)
            trap.perform_enqueued_jobs()
        return invoice

    def json_call(self, route, params):
        """A JSON-RPC call as the portal's payment form makes it (in an HttpCase):
        the response, errors included."""
        return self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        ).json()

    def statement_html(self, partner, date_from, date_to=None):
        """The statement of ``partner`` from ``date_from`` to ``date_to`` (today), as
        its HTML report shows it."""
        return (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_html(
                "invoicera_portal.action_report_statement",
                partner.ids,
                data={
                    "date_from": date_from.isoformat(),
                    "date_to": (date_to or self.today).isoformat(),
                },
            )[0]
            .decode()
        )

    def make_other_company_move(self, partner, amount, move_type="out_invoice", days_ago=0):
        """A draft invoice (or credit note) of ``partner`` in a second company of the
        database, with its chart of accounts, which the current user may use."""
        other = self.env["res.company"].create(
            {"name": "Northbridge Europe", "currency_id": self.company.currency_id.id}
        )
        self.env.user.company_ids |= other
        self.env["account.chart.template"].try_loading("generic_coa", company=other)
        return (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": move_type,
                    "partner_id": partner.id,
                    "invoice_date": self.today - timedelta(days=days_ago),
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Audit", "quantity": 1, "price_unit": amount, "tax_ids": False}
                        )
                    ],
                }
            )
        )


class InvoiceraPortalCase(InvoiceraPortalCommon, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.setup_clients()
