from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.sql_db import Cursor
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL


class InvoiceraTimesheetCase(TransactionCase):
    """A service company with two clients (USD and EUR) and billable projects."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.usd = cls.company.currency_id
        cls.eur = cls.env.ref("base.EUR") if cls.usd.name != "EUR" else cls.env.ref("base.USD")
        cls.eur.active = True
        cls.env["res.currency.rate"].search([("currency_id", "=", cls.eur.id)]).unlink()
        cls.env["res.currency.rate"].create(
            [
                {"currency_id": cls.eur.id, "name": "2026-01-01", "rate": 0.5},
                {"currency_id": cls.eur.id, "name": "2026-04-01", "rate": 0.8},
            ]
        )
        cls.eur_pricelist = cls.env["product.pricelist"].create(
            {"name": "EUR clients", "currency_id": cls.eur.id}
        )
        cls.hour = cls.env.ref("uom.product_uom_hour")
        cls.service = cls.env.ref("invoicera_timesheet.product_invoicera_time")
        cls.client = cls.env["res.partner"].create(
            {"name": "Acme Analytics", "is_company": True, "email": "ap@acme.example.com"}
        )
        cls.client_eur = cls.env["res.partner"].create(
            {
                "name": "Lumière SARL",
                "is_company": True,
                "lang": "en_US",
                "property_product_pricelist": cls.eur_pricelist.id,
            }
        )
        cls.alice = cls.env["hr.employee"].create(
            {"name": "Alice Dev", "invoicera_billing_rate": 90, "work_email": "alice@example.com"}
        )
        cls.bob = cls.env["hr.employee"].create(
            {"name": "Bob Design", "invoicera_billing_rate": 60, "work_email": "bob@example.com"}
        )
        cls.project = cls.env["project.project"].create(
            {
                "name": "Website",
                "partner_id": cls.client.id,
                "allow_billable": True,
                "allow_timesheets": True,
            }
        )
        cls.task = cls.env["project.task"].create({"name": "Design", "project_id": cls.project.id})
        cls.project_eur = cls.env["project.project"].create(
            {
                "name": "ERP Rollout",
                "partner_id": cls.client_eur.id,
                "allow_billable": True,
                "allow_timesheets": True,
            }
        )
        cls.billing_user = new_test_user(
            cls.env,
            login="billing_clerk",
            groups="base.group_user,invoicera_billing.group_billing_user",
        )
        cls.Item = cls.env["invoicera.billable.item"]

    @classmethod
    def euro_company(cls, chart=False):
        """A second company, "Invoicera Europe", in euros, checked in the user's
        companies (the current company stays the dollar one). With ``chart``,
        with the generic chart of accounts (which would make it a dollar company)."""
        europe = cls.env["res.company"].create(
            {"name": "Invoicera Europe", "currency_id": cls.eur.id}
        )
        cls.env.user.company_ids |= europe
        if chart:
            cls.env["account.chart.template"].try_loading("generic_coa", company=europe)
            europe.currency_id = cls.eur
        return europe

    @classmethod
    def client_project(cls, name, company, client=None):
        """A billable project of ``client`` (the dollar client by default), with
        timesheets, in ``company`` (e.g. a sister company's "Paris office")."""
        return cls.env["project.project"].create(
            {
                "name": name,
                "company_id": company.id,
                "partner_id": (client or cls.client).id,
                "allow_billable": True,
                "allow_timesheets": True,
            }
        )

    @classmethod
    def third_client(cls):
        """A third client, "Cobalt Media", and its billable project, "Campaign"."""
        client = cls.env["res.partner"].create({"name": "Cobalt Media", "is_company": True})
        project = cls.env["project.project"].create(
            {"name": "Campaign", "partner_id": client.id, "allow_billable": True}
        )
        return client, project

    @classmethod
    def log_time(cls, employee, hours, day="2026-03-10", project=None, task=None, name="Work"):
        return cls.env["account.analytic.line"].create(
            {
                "project_id": (project or cls.project).id,
                "task_id": task.id if task else False,
                "employee_id": employee.id,
                "unit_amount": hours,
                "date": day,
                "name": name,
            }
        )

    @contextmanager
    def logged_queries(self):
        """The queries made within, in order, as their SQL without parameters
        (to show which differ when two counts do): a list filled as they run."""
        queries = []
        execute = Cursor.execute

        def logged(cr, query, params=None, log_exceptions=True):
            queries.append(query.code if isinstance(query, SQL) else str(query))
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", logged):
            yield queries

    @classmethod
    def project_products(cls):
        """The services of an order that makes a project and bills it on
        milestones: "Project setup" (prepaid, its line makes the project) and
        "Project phases" (billed on milestones, a task in the project)."""
        return cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "type": "service",
                    "list_price": price,
                    "service_policy": policy,
                    "service_tracking": tracking,
                }
                for name, price, policy, tracking in (
                    ("Project setup", 500, "ordered_prepaid", "project_only"),
                    ("Project phases", 9000, "delivered_milestones", "task_in_project"),
                )
            ]
        )

    def reached(self, project, amount=5000, name="Go-live"):
        """A milestone of ``project`` with a fee of ``amount``, reached on 20 March."""
        milestone = self.env["project.milestone"].create(
            {"name": name, "project_id": project.id, "invoicera_amount": amount}
        )
        with freeze_time("2026-03-20"):
            milestone.is_reached = True
        return milestone

    def sold_hours(self, **product):
        """A confirmed sale order line of 10 hours delivered by timesheets (else
        as ``product`` says: ``invoice_policy="order"``, a prepaid pack)."""
        product = self.env["product.product"].create(
            {
                "name": "Support hours",
                "type": "service",
                "invoice_policy": "delivery",
                "service_type": "timesheet",
                "uom_id": self.hour.id,
                "uom_po_id": self.hour.id,
                "list_price": 80,
                **product,
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 10})],
            }
        )
        order.action_confirm()
        return order.order_line

    def item_of(self, line):
        return self.Item.search(
            [("source_model", "=", line._name), ("source_id", "in", line.ids)], order="date, id"
        )

    def reversal(self, moves, day):
        """The "Reverse" wizard of ``moves`` (Actions ▸ Reverse), dated ``day``."""
        return (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"journal_id": moves.journal_id.id, "date": day})
        )

    def payment_wizard(self, invoice, day=date(2026, 4, 10), amount=None):
        """The "Register Payment" wizard of ``invoice``: all of it (else ``amount``) on ``day``."""
        values = {"payment_date": day}
        if amount is not None:
            values["amount"] = amount
        return (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(values)
        )

    def pay(self, invoice, amount=None, day=date(2026, 4, 10)):
        """The client pays ``amount`` of ``invoice`` (all of it) on ``day``."""
        return self.payment_wizard(invoice, day, amount)._create_payments()

    def realization(self):
        """The client's totals in the realization report, read anew as a new page."""
        Report = self.env["invoicera.realization.report"]
        Report.invalidate_model()
        rows = Report.search([("partner_id", "=", self.client.id)])
        return {
            field: round(sum(rows.mapped(field)), 2)
            for field in ("worked_value", "billed_value", "written_down_value", "collected_value")
        }

    def owed(self):
        """What the client owes: its posted invoices less its credit notes, unpaid."""
        moves = self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.client.id),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
            ]
        )
        return sum(moves.mapped("amount_residual_signed"))

    def billing_user_run(self, clients, **vals):
        """A run of ``clients`` the Billing User prepares in the "Invoice
        Selected" dialog, invoicing on 31 March."""
        return (
            self.env["invoicera.billing.run"]
            .with_user(self.billing_user)
            .create(
                {
                    "invoice_date": date(2026, 3, 31),
                    "partner_ids": [Command.set(clients.ids)],
                    **vals,
                }
            )
        )

    def invoice(self, partner, invoice_date=date(2026, 3, 31), post=False):
        items = self.Item.search(
            self.Item._billable_domain(self.company, invoice_date, partners=partner)
        )
        return items._invoice(self.company, invoice_date, post=post)

    @classmethod
    def tags(cls, *xmlids):
        return [Command.set([cls.env.ref(x).id for x in xmlids])]
