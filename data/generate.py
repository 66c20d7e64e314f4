#!/usr/bin/env python3
"""Demo and benchmark data of a service company, for Invoicera for Odoo.

Command line (what ``make run`` and ``make test`` call)::

    python data/generate.py -c odoo.conf -d DB --profile demo
    python data/generate.py -c odoo.conf -d DB --profile benchmark --clients 1000

From Python, with an Odoo environment (tests, benchmarks)::

    from data.generate import DataGenerator, PROFILES
    DataGenerator(env, **dict(PROFILES["demo"], clients=5)).generate()

Everything is created through the ORM in batches (``create`` of lists), in
one transaction: the database gets all of it or nothing. Names, amounts and
dates come from a seeded random generator, relative to ``today``.
"""

import argparse
import json
import logging
import random
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import odoo
from odoo import Command
from odoo.modules.registry import Registry

_logger = logging.getLogger("invoicera.data")

DEMO_LOGINS_PARAM = "invoicera.demo_logins"
DEMO_PROFILE_PARAM = "invoicera.demo_data_profile"
#: a client's city and phone (fictional numbers) by its country
CITIES = {
    "US": ("Boston", "Denver"),
    "GB": ("Leeds", "Manchester"),
    "FR": ("Lyon", "Lille"),
    "BE": ("Brussels", "Liège"),
}
PHONES = {
    "US": "+1 555 01{:02d}",
    "GB": "+44 20 7946 00{:02d}",
    "FR": "+33 1 99 00 00 {:02d}",
    "BE": "+32 2 000 00 {:02d}",
}


def ascii_only(text):
    """``text`` without its accents (Inès: ines)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


PORTAL_PASSWORD = "portal"

PROFILES = {
    # make run / make test: a small service company, a month of work.
    "demo": {
        "company_name": "Northbridge Consulting",
        "clients": 22,
        "contacts_per_client": 2,
        "projects": 6,
        "tasks_per_project": 4,
        "milestones_per_project": 3,
        "employees": 5,
        "days": 30,
        "timesheets_per_client": 45,
        "expenses_per_client": 3,
        "vendor_bills": 8,
        "products": 6,
        "deliveries": 3,
        "invoices": 16,
        "portal_clients": 2,
        "sale_orders": False,
        "project_rate": 0.0,
    },
    # tests/benchmarks: every client has a project and unbilled work.
    "benchmark": {
        "company_name": None,
        "clients": 1000,
        "contacts_per_client": 1,
        "projects": None,  # one per client
        "tasks_per_project": 2,
        "milestones_per_project": 0,
        "employees": 8,
        "days": 30,
        "timesheets_per_client": 100,
        "expenses_per_client": 5,
        "vendor_bills": 0,
        "products": 0,
        "deliveries": 0,
        "invoices": 0,
        "portal_clients": 0,
        # True: the same work sold through sale orders, for Odoo's own invoicing
        # path (the benchmark compares both)
        "sale_orders": False,
        # one hourly rate per project, as a sale order line has one price
        "project_rate": 90.0,
    },
}

COMPANY_WORDS = (
    "Northwind Blue Harbor Summit Cedar Atlas Pioneer Silverline Redwood Granite "
    "Beacon Meridian Horizon Evergreen Falcon Keystone Lakeside Orion Sterling Vertex"
).split()
COMPANY_KINDS = (
    "Analytics Logistics Architects Dental Foods Media Robotics Legal Energy "
    "Ventures Clinics Studios Partners Retail Labs"
).split()
COMPANY_SUFFIX = {"en_US": ("Inc.", "LLC", "Ltd."), "fr_FR": ("SA", "SARL", "SAS")}
FIRST_NAMES = (
    "Alice Bruno Chloé David Emma Félix Grace Hugo Inès Jonas Karin Louis Maya "
    "Noah Olivia Paul Rosa Samir Théo Zoé"
).split()
LAST_NAMES = (
    "Martin Dubois Smith Johnson Moreau Laurent Brown Garcia Lefebvre Wilson "
    "Taylor Roux Fontaine Clarke Mercier"
).split()
EMPLOYEES = (
    # name, job, hourly cost
    ("Sarah Connell", "Senior Consultant", 95.0),
    ("Marc Lemaire", "Developer", 70.0),
    ("Priya Raman", "Project Manager", 85.0),
    ("Tom Becker", "Junior Developer", 45.0),
    ("Lucía Torres", "Designer", 60.0),
    ("Ken Watanabe", "Data Engineer", 80.0),
    ("Amélie Girard", "Business Analyst", 65.0),
    ("Oscar Nilsen", "Support Engineer", 50.0),
)
PROJECT_KINDS = (
    "Website Redesign",
    "ERP Rollout",
    "Data Warehouse",
    "Mobile App",
    "Security Audit",
    "Cloud Migration",
    "Brand Campaign",
    "Support Retainer",
)
TASK_NAMES = (
    "Analysis",
    "Design",
    "Development",
    "Testing",
    "Deployment",
    "Training",
    "Project management",
    "Documentation",
)
MILESTONE_NAMES = ("Kick-off", "Prototype accepted", "Go-live", "Handover")
WORK_DESCRIPTIONS = (
    "Workshop with the client",
    "Specification review",
    "Implementation",
    "Code review",
    "Bug fixing",
    "Status meeting",
    "Data migration",
    "User training",
    "Performance tuning",
    "Deployment to production",
)
MATERIALS = (
    ("Network switch 24 ports", 320.0),
    ("Laptop docking station", 180.0),
    ("Wireless access point", 140.0),
    ("UPS 1500 VA", 410.0),
    ("Rack server 1U", 2400.0),
    ("Label printer", 95.0),
)
VENDORS = (
    "Cloudhost Europe",
    "Office Supply Co.",
    "TravelDesk Agency",
    "Freelance Design Ltd.",
)


class DataGenerator:
    """Creates the data of one profile; ``generate()`` returns what it made."""

    def __init__(self, env, today=None, seed=42, **params):
        self.env = env
        self.today = today or date.today()
        self.random = random.Random(seed)
        base = dict(PROFILES["demo"])
        base.update(params)
        self.params = base
        if self.params["projects"] is None:
            self.params["projects"] = self.params["clients"]
        self.company = env.company
        self.created = {}
        self.timings = {}

    # ------------------------------------------------------------------
    def generate(self):
        steps = (
            self._currencies_and_languages,
            self._clients,
            self._employees,
            self._projects,
            self._timesheets,
            self._expenses,
            self._products,
            self._vendor_bills,
            self._invoices,
            self._portal_users,
        )
        for step in steps:
            started = time.perf_counter()
            step()
            self.env.flush_all()
            self.timings[step.__name__.strip("_")] = time.perf_counter() - started
        return self.created

    def _working_days(self):
        start = self.today - timedelta(days=self.params["days"])
        days = [start + timedelta(days=n) for n in range(self.params["days"] + 1)]
        return [day for day in days if day.weekday() < 5] or days

    # ------------------------------------------------------------------
    def _currencies_and_languages(self):
        if self.params["company_name"]:
            self.company.name = self.params["company_name"]
        self.env["res.lang"]._activate_lang("fr_FR")
        eur = self.env.ref("base.EUR")
        eur.active = True
        usd = self.env.ref("base.USD")
        usd.active = True
        company_currency = self.company.currency_id
        other = eur if company_currency != eur else usd
        # Weekly rates over the data's period (and the months before it), where
        # the database has none yet.
        Rate = self.env["res.currency.rate"]
        start = self.today - timedelta(days=self.params["days"] + 120)
        existing = set(
            Rate.search(
                [("currency_id", "=", other.id), ("company_id", "=", self.company.id)]
            ).mapped("name")
        )
        days = [
            start + timedelta(days=7 * week) for week in range((self.params["days"] + 120) // 7 + 1)
        ]
        Rate.create(
            [
                {
                    "currency_id": other.id,
                    "company_id": self.company.id,
                    "name": day,
                    # from the date, not self.random: the same seed makes the same data
                    "rate": round(0.92 + 0.02 * random.Random(day.toordinal()).random(), 4),
                }
                for day in days
                if day not in existing
            ]
        )
        self.currencies = company_currency | other
        pricelists = self.env["product.pricelist"].search([("currency_id", "=", other.id)], limit=1)
        self.pricelist_other = pricelists or self.env["product.pricelist"].create(
            {"name": f"Public Pricelist ({other.name})", "currency_id": other.id}
        )
        self.created["currencies"] = self.currencies

    def _clients(self):
        n = self.params["clients"]
        countries = {
            "en_US": self.env.ref("base.us") | self.env.ref("base.uk"),
            "fr_FR": self.env.ref("base.fr") | self.env.ref("base.be"),
        }
        company_vals = []
        for index in range(n):
            # every third client speaks French and is billed in the other currency
            lang = "fr_FR" if index % 3 == 2 else "en_US"
            word = COMPANY_WORDS[index % len(COMPANY_WORDS)]
            kind = COMPANY_KINDS[(index // len(COMPANY_WORDS)) % len(COMPANY_KINDS)]
            suffix = self.random.choice(COMPANY_SUFFIX[lang])
            number = index // (len(COMPANY_WORDS) * len(COMPANY_KINDS))
            name = f"{word} {kind}{f' {number + 1}' if number else ''} {suffix}"
            country = countries[lang][index % 2]
            slug = f"{word}{kind}{number or ''}".lower()
            company_vals.append(
                {
                    "name": name,
                    "is_company": True,
                    "lang": lang,
                    "country_id": country.id,
                    "email": f"billing@{slug}.example.com",
                    "phone": PHONES[country.code].format(index % 100),
                    "street": f"{1 + index % 180} {self.random.choice(LAST_NAMES)} Street",
                    "city": self.random.choice(CITIES[country.code]),
                    "customer_rank": 1,
                }
            )
        clients = self.env["res.partner"].create(company_vals)
        # Every third client is billed in the other currency (through its pricelist).
        foreign = clients[2::3]  # the French-speaking ones
        foreign.write({"property_product_pricelist": self.pricelist_other.id})
        contact_vals = []
        for client in clients:
            domain = client.email.split("@")[1]
            for number in range(self.params["contacts_per_client"]):
                first = self.random.choice(FIRST_NAMES)
                last = self.random.choice(LAST_NAMES)
                contact_vals.append(
                    {
                        "name": f"{first} {last}",
                        "parent_id": client.id,
                        "type": "contact",
                        "function": (
                            "Accounts Payable",
                            "Project Sponsor",
                            "Office Manager",
                        )[number % 3],
                        # ASCII: an accented address is sent only over SMTPUTF8
                        "email": ascii_only(f"{first.lower()}.{last.lower()}{number}@{domain}"),
                        "lang": client.lang,
                    }
                )
        contacts = self.env["res.partner"].create(contact_vals)
        self.clients = clients
        self.created.update(clients=clients, contacts=contacts, foreign_clients=foreign)

    def _employees(self):
        count = self.params["employees"]
        specs = [EMPLOYEES[i % len(EMPLOYEES)] for i in range(count)]
        employees = self.env["hr.employee"].create(
            [
                {
                    "name": name if i < len(EMPLOYEES) else f"{name} {i // len(EMPLOYEES) + 1}",
                    "job_title": job,
                    "hourly_cost": cost,
                    # billed at about twice the cost, to the nearest 5
                    "invoicera_billing_rate": round(cost * 1.9 / 5) * 5,
                    "work_email": f"{name.split()[0].lower()}{i}@invoicera-demo.example.com",
                    "company_id": self.company.id,
                }
                for i, (name, job, cost) in enumerate(specs)
            ]
        )
        self.employees = employees
        self.created["employees"] = employees

    def _projects(self):
        count = min(self.params["projects"], len(self.clients))
        owners = self.clients[:count]
        projects = self.env["project.project"].create(
            [
                {
                    "name": f"{PROJECT_KINDS[i % len(PROJECT_KINDS)]} – {client.name}",
                    "partner_id": client.id,
                    "allow_timesheets": True,
                    "allow_billable": True,
                    "allow_milestones": bool(self.params["milestones_per_project"]),
                    # every other project rounds time to the quarter hour, with a 10% cost markup
                    "invoicera_rounding": 0.25 if i % 2 else 0.0,
                    "invoicera_cost_markup": 10.0 if i % 2 else 0.0,
                    "invoicera_hourly_rate": self.params["project_rate"],
                    "company_id": self.company.id,
                    # the second portal client approves its work in the portal
                    "invoicera_client_approval": i == 1 and self.params["portal_clients"] > 1,
                }
                for i, client in enumerate(owners)
            ]
        )
        task_vals, milestone_vals = [], []
        for project in projects:
            for t in range(self.params["tasks_per_project"]):
                task_vals.append(
                    {
                        "name": TASK_NAMES[t % len(TASK_NAMES)],
                        "project_id": project.id,
                        "partner_id": project.partner_id.id,
                        "allocated_hours": self.random.choice((16, 24, 40, 80)),
                    }
                )
            for m in range(self.params["milestones_per_project"]):
                deadline = self.today + timedelta(days=30 * (m - 1))
                milestone_vals.append(
                    {
                        "name": MILESTONE_NAMES[m % len(MILESTONE_NAMES)],
                        "project_id": project.id,
                        "deadline": deadline,
                        "is_reached": m == 0,
                        "invoicera_amount": self.random.choice((1500, 2500, 4000)),
                    }
                )
        self.tasks = self.env["project.task"].create(task_vals)
        self.milestones = self.env["project.milestone"].create(milestone_vals)
        self.projects = projects
        self.created.update(projects=projects, tasks=self.tasks, milestones=self.milestones)
        if self.params["sale_orders"]:
            self._sale_orders()

    def _sale_orders(self):
        """Odoo's own path: one sale order per project, its time billed from the order."""
        product = self.env["product.product"].create(
            {
                "name": "Consulting (sold by the hour)",
                "type": "service",
                "service_type": "timesheet",
                "invoice_policy": "delivery",
                "uom_id": self.env.ref("uom.product_uom_hour").id,
                "uom_po_id": self.env.ref("uom.product_uom_hour").id,
                "list_price": 90.0,
            }
        )
        orders = self.env["sale.order"].create(
            [
                {
                    "partner_id": project.partner_id.id,
                    "project_id": project.id,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 1})
                    ],
                }
                for project in self.projects
            ]
        )
        orders.action_confirm()
        for project, order in zip(self.projects, orders, strict=True):
            project.sale_line_id = order.order_line
        self.orders_by_project = dict(zip(self.projects.ids, orders, strict=True))
        self.created["sale_orders"] = orders

    def _timesheets(self):
        per_client = self.params["timesheets_per_client"]
        days = self._working_days()
        tasks_by_project = {}
        for task in self.tasks:
            tasks_by_project.setdefault(task.project_id.id, []).append(task.id)
        AnalyticLine = self.env["account.analytic.line"]
        lines = AnalyticLine
        batch = []
        project_ids = self.projects.ids
        employee_ids = self.employees.ids
        for p_index, project_id in enumerate(project_ids):
            tasks = tasks_by_project.get(project_id) or [False]
            for n in range(per_client):
                batch.append(
                    {
                        "project_id": project_id,
                        "task_id": tasks[n % len(tasks)],
                        "employee_id": employee_ids[(p_index + n) % len(employee_ids)],
                        "date": days[n % len(days)],
                        "unit_amount": self.random.choice((0.5, 1.0, 1.5, 2.0, 3.0, 4.0)),
                        "name": self.random.choice(WORK_DESCRIPTIONS),
                    }
                )
            if len(batch) >= 5000:
                lines |= self._create_batch(AnalyticLine, batch)
                batch = []
        if batch:
            lines |= self._create_batch(AnalyticLine, batch)
        self.created["timesheets"] = lines

    def _create_batch(self, model, vals_list):
        records = model.create(vals_list)
        self.env.flush_all()
        self.env.invalidate_all()
        return records

    def _expenses(self):
        per_client = self.params["expenses_per_client"]
        if not per_client:
            self.created["expenses"] = self.env["hr.expense"]
            return
        products = (
            self.env.ref("hr_expense.expense_product_travel_accommodation")
            | self.env.ref("hr_expense.expense_product_meal")
            | self.env.ref("hr_expense.expense_product_communication")
        )
        products.write({"expense_policy": "cost"})  # re-invoiced at cost
        days = self._working_days()
        vals_list = []
        employee_ids = self.employees.ids
        for p_index, project in enumerate(self.projects):
            account = project.account_id
            for n in range(per_client):
                product = products[n % len(products)]
                vals_list.append(
                    {
                        "name": f"{product.name} – {project.partner_id.name}",
                        "employee_id": employee_ids[(p_index + n) % len(employee_ids)],
                        "product_id": product.id,
                        "total_amount_currency": round(self.random.uniform(20, 450), 2),
                        "date": days[(n * 3) % len(days)],
                        "payment_mode": "own_account",
                        "analytic_distribution": {str(account.id): 100},
                    }
                )
                if self.params["sale_orders"]:
                    vals_list[-1]["sale_order_id"] = self.orders_by_project[project.id].id
        expenses = self.env["hr.expense"].create(vals_list)
        # One report per employee, submitted and approved by the manager.
        sheets = self.env["hr.expense.sheet"].create(
            [
                {
                    "name": f"Expenses {self.today:%B %Y} – {group[0].employee_id.name}",
                    "employee_id": group[0].employee_id.id,
                    "expense_line_ids": [Command.set(group.ids)],
                }
                for group in expenses.grouped("employee_id").values()
            ]
        )
        sheets.action_submit_sheet()
        sheets.action_approve_expense_sheets()
        if self.params["sale_orders"]:
            # Posting re-invoices the expenses on their sale orders (sale_expense).
            sheets.action_sheet_move_post()
        self.created.update(expenses=expenses, expense_sheets=sheets)

    def _products(self):
        count = self.params["products"]
        if not count:
            self.created["products"] = self.env["product.product"]
            return
        templates = self.env["product.template"].create(
            [
                {
                    "name": MATERIALS[i % len(MATERIALS)][0],
                    "type": "consu",
                    "is_storable": True,
                    "list_price": MATERIALS[i % len(MATERIALS)][1],
                    "standard_price": round(MATERIALS[i % len(MATERIALS)][1] * 0.7, 2),
                    "default_code": f"MAT{i + 1:03d}",
                    "invoice_policy": "delivery",
                }
                for i in range(count)
            ]
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        Quant = self.env["stock.quant"].with_context(inventory_mode=True)
        quants = Quant.create(
            [
                {
                    "product_id": template.product_variant_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "inventory_quantity": self.random.choice((10, 25, 40)),
                }
                for template in templates
            ]
        )
        quants.action_apply_inventory()
        products = templates.product_variant_ids
        self.created["products"] = products
        self.created["deliveries"] = self._deliveries(warehouse, products)

    def _deliveries(self, warehouse, products):
        """Materials delivered from stock to client projects (billed at sales price)."""
        customers = self.env.ref("stock.stock_location_customers")
        pickings = self.env["stock.picking"]
        for n in range(self.params["deliveries"]):
            project = self.projects[n % len(self.projects)]
            product = products[n % len(products)]
            picking = self.env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "partner_id": project.partner_id.id,
                    "project_id": project.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": customers.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": 2,
                                "product_uom": product.uom_id.id,
                                "location_id": warehouse.lot_stock_id.id,
                                "location_dest_id": customers.id,
                            }
                        )
                    ],
                }
            )
            picking.action_confirm()
            picking.action_assign()
            picking.move_ids.quantity = 2
            # no SMS confirmation wizard (stock_sms) in a script
            picking.with_context(skip_sms=True).button_validate()
            pickings |= picking
        return pickings

    def _vendor_bills(self):
        count = self.params["vendor_bills"]
        if not count:
            self.created["vendor_bills"] = self.env["account.move"]
            return
        vendors = self.env["res.partner"].create(
            [{"name": name, "is_company": True, "supplier_rank": 1} for name in VENDORS]
        )
        days = self._working_days()
        vals_list = []
        for n in range(count):
            project = self.projects[n % len(self.projects)]
            vals_list.append(
                {
                    "move_type": "in_invoice",
                    "partner_id": vendors[n % len(vendors)].id,
                    "invoice_date": days[(n * 4) % len(days)],
                    "ref": f"SUP-{self.today:%y%m}-{n + 1:03d}",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": f"Subcontracted work for {project.partner_id.name}",
                                "quantity": 1,
                                "price_unit": round(self.random.uniform(150, 1800), 2),
                                "analytic_distribution": {str(project.account_id.id): 100},
                                "tax_ids": False,
                                "invoicera_rebill": True,
                            }
                        )
                    ],
                }
            )
        bills = self.env["account.move"].create(vals_list)
        bills.action_post()
        self.created.update(vendors=vendors, vendor_bills=bills)

    def _invoices(self):
        """Past invoices: some paid, some overdue, some not due yet."""
        count = self.params["invoices"]
        if not count:
            self.created.update(invoices=self.env["account.move"])
            return
        vals_list = []
        portal = self.clients[: self.params["portal_clients"]]
        for n in range(count):
            client = self.clients[n % len(self.clients)]
            for i, portal_client in enumerate(portal):
                # what a portal client's dashboard shows: an invoice not due yet,
                # an overdue one (to promise to pay) and a paid one
                if n in (i, 4 + i, 10 + i):
                    client = portal_client
            invoice_date = self.today - timedelta(days=10 + 9 * n)
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": client.id,
                    "currency_id": client.property_product_pricelist.currency_id.id,
                    "invoice_date": invoice_date,
                    "invoice_date_due": invoice_date + timedelta(days=30),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": f"Consulting services {invoice_date:%B %Y}",
                                "quantity": self.random.choice((8, 12, 20, 32)),
                                "price_unit": self.random.choice((95.0, 120.0, 150.0)),
                                "tax_ids": False,
                            }
                        )
                    ],
                }
            )
        invoices = self.env["account.move"].create(vals_list)
        invoices.action_post()
        # The older half is paid; what is left is overdue or not due yet.
        paid = invoices.filtered(lambda inv: (self.today - inv.invoice_date).days > 75)
        for invoice in paid:
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create(
                {"payment_date": invoice.invoice_date_due - timedelta(days=3)}
            )._create_payments()
        open_invoices = invoices - paid
        self.created.update(
            invoices=invoices,
            paid_invoices=paid,
            overdue_invoices=open_invoices.filtered(lambda inv: inv.invoice_date_due < self.today),
        )

    def _portal_users(self):
        count = self.params["portal_clients"]
        portal = self.env.ref("base.group_portal")
        contacts = self.created["contacts"]
        users = self.env["res.users"]
        # data added again (--force) makes the same contacts: their logins,
        # unique, are those of the portal users made the first time
        taken = set(
            self.env["res.users"]
            .with_context(active_test=False)
            .search([("login", "in", contacts.mapped("email"))])
            .mapped("login")
        )
        for client in self.clients[:count]:
            contact = contacts.filtered(lambda c, client=client: c.parent_id == client)[:1]
            if contact.email in taken:
                continue
            users |= (
                self.env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    {
                        "name": contact.name,
                        "login": contact.email,
                        "partner_id": contact.id,
                        "password": PORTAL_PASSWORD,
                        "groups_id": [Command.set(portal.ids)],
                    }
                )
            )
        self.created["portal_users"] = users
        if users:
            logins = {"portal": [[user.login, PORTAL_PASSWORD] for user in users]}
            self.env["ir.config_parameter"].sudo().set_param(DEMO_LOGINS_PARAM, json.dumps(logins))


def load_translations(env, lang="fr_FR"):
    """Load the translations of every installed module for ``lang``."""
    modules = env["ir.module.module"].search([("state", "=", "installed")])
    env["ir.module.module"]._load_module_terms(modules.mapped("name"), [lang])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="demo")
    parser.add_argument("--today", type=date.fromisoformat, help="date the data is relative to")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--translations", action="store_true", help="load French translations")
    parser.add_argument("--force", action="store_true", help="add the data even if already loaded")
    for key, value in PROFILES["demo"].items():
        flag = f"--{key.replace('_', '-')}"
        if isinstance(value, bool):
            parser.add_argument(flag, action="store_const", const=True, dest=key)
        else:
            parser.add_argument(flag, type=type(value), dest=key)
    args = parser.parse_args(argv)

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database])
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    overrides = {
        key: getattr(args, key) for key in PROFILES["demo"] if getattr(args, key) is not None
    }
    params = dict(PROFILES[args.profile], **overrides)
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        ICP = env["ir.config_parameter"]
        if ICP.get_param(DEMO_PROFILE_PARAM) and not args.force:
            print(
                f"data of profile {ICP.get_param(DEMO_PROFILE_PARAM)!r} already loaded; "
                "use --force to add more"
            )
            return 0
        started = time.perf_counter()
        generator = DataGenerator(env, today=args.today, seed=args.seed, **params)
        created = generator.generate()
        if args.translations:
            load_translations(env)
        ICP.set_param(DEMO_PROFILE_PARAM, args.profile)
        summary = ", ".join(f"{len(records)} {name}" for name, records in created.items())
        print(f"created in {time.perf_counter() - started:.0f} s: {summary}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
