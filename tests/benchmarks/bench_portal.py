"""The client portal under load: 20 clients at once on a multi-worker server.

Each client's portal user has 200 invoices (full scale). Each page — our
billing dashboard (/my/billing), then Odoo's own invoice list (/my/invoices) —
is loaded on its own: by one session back to back (the page's own cost), by
20 sessions as people do (a pause of 1 to 3 s between two pages), and by 20
sessions saturating the server (no pause). Target: p95 of the dashboard <=
300 ms on 2 cores for the 20 paced sessions.

The data is committed (the server is another process), then deleted.
"""

import random
import re
import statistics
import threading
import time
from datetime import timedelta

import requests
from benchmarks.common import (
    OdooServer,
    full_scale,
    new_env,
    percentile,
    report,
    run_concurrently,
    settle_database,
)

from odoo import Command, fields
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

PASSWORD = "bench-portal-password"


@tagged("post_install", "-at_install", "invoicera_benchmark")
class BenchPortal(BaseCase):
    def setUp(self):
        super().setUp()
        self.clients, self.invoices, self.requests = (20, 200, 30) if full_scale() else (3, 10, 5)
        self.tag = f"bench-portal-{int(time.time())}"
        with new_env() as env:
            self.logins = self.create_data(env)
        self.addCleanup(self.delete_data)
        # as the Auto Invoice benchmark: autovacuum does not compete with the measure
        settle_database(get_db_name())

    def create_data(self, env):
        today = fields.Date.context_today(env.user)
        portal = env.ref("base.group_portal")
        logins = []
        for number in range(self.clients):
            client = env["res.partner"].create(
                {"name": f"{self.tag} client {number}", "is_company": True}
            )
            contact = env["res.partner"].create(
                {"name": f"{self.tag} contact {number}", "parent_id": client.id}
            )
            login = f"{self.tag}-{number}@example.com"
            env["res.users"].with_context(no_reset_password=True).create(
                {
                    "name": contact.name,
                    "login": login,
                    "password": PASSWORD,
                    "partner_id": contact.id,
                    "groups_id": [Command.set(portal.ids)],
                }
            )
            moves = env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "partner_id": client.id,
                        "invoice_date": today - timedelta(days=n % 120),
                        "invoice_date_due": today - timedelta(days=n % 120) + timedelta(days=30),
                        "invoice_line_ids": [
                            Command.create(
                                {"name": "Services", "quantity": 1, "price_unit": 100 + n}
                            )
                        ],
                    }
                    for n in range(self.invoices)
                ]
            )
            moves.action_post()
            logins.append(login)
        return logins

    def delete_data(self):
        with new_env() as env:
            partners = env["res.partner"].search([("name", "=like", f"{self.tag}%")])
            moves = env["account.move"].search([("partner_id", "in", partners.ids)])
            moves.button_draft()
            moves.with_context(force_delete=True).unlink()
            env["res.users"].search([("login", "=like", f"{self.tag}%")]).unlink()
            partners.unlink()

    def session(self, base, login):
        session = requests.Session()
        page = session.get(f"{base}/web/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = session.post(
            f"{base}/web/login",
            data={"login": login, "password": PASSWORD, "csrf_token": token, "redirect": "/my"},
            timeout=30,
        )
        self.assertIn("/my", response.url)
        return session

    def test_portal_under_load(self):
        server = OdooServer()
        base = server.url
        pages = ("/my/billing", "/my/invoices")
        errors = []
        lock = threading.Lock()

        def load(session, path, timings, pause, rounds, seed):
            rand = random.Random(seed)
            for _ in range(rounds):
                if pause:
                    time.sleep(rand.uniform(*pause))
                started = time.perf_counter()
                response = session.get(base + path, timeout=60)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if response.status_code != 200:
                        errors.append((path, response.status_code))
                    timings.append(elapsed)

        try:
            sessions = [self.session(base, login) for login in self.logins]
            for session in sessions:  # one warm-up per page and worker
                for path in pages:
                    session.get(base + path, timeout=60)
            # Each page on its own, so that one page's load does not slow the other's.
            modes = (
                ("1 session, back to back", sessions[:1], None),
                (f"{len(sessions)} sessions, 1-3 s pauses", sessions, (1.0, 3.0)),
                (f"{len(sessions)} sessions, no pause", sessions, None),
            )
            rows, paced_p95 = [], None
            for path in pages:
                for label, group, pause in modes:
                    timings = []
                    wall = run_concurrently(
                        load,
                        [(s, path, timings, pause, self.requests, n) for n, s in enumerate(group)],
                    )
                    rows.append(
                        (
                            path,
                            label,
                            len(timings),
                            f"{len(timings) / wall:.1f}",
                            f"{statistics.median(timings):.0f}",
                            f"{percentile(timings, 95):.0f}",
                            f"{max(timings):.0f}",
                        )
                    )
                    if path == "/my/billing" and pause:
                        paced_p95 = percentile(timings, 95)
        finally:
            server.stop()
        self.assertEqual(errors, [])
        report(
            "portal",
            f"Portal: {self.clients} concurrent sessions x {self.invoices} invoices each, "
            "4 workers",
            ["Page", "Load", "Requests", "Pages/s", "p50 ms", "p95 ms", "max ms"],
            rows,
        )
        if full_scale():
            self.assertLessEqual(paced_p95, 300)
