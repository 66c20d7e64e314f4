"""Auto Invoice against Odoo's own path, on equivalent data (issue: "Runs at scale").

Each client has a project with 100 timesheet lines and 5 re-billable expenses.

- Odoo's path: one sale order per client (its time delivered on the order,
  its expenses re-invoiced on it), then "Create invoices" (consolidated:
  ``sale.order._create_invoices``), then posting.
- Ours: the same work without sale orders, billed by a billing run ("Invoice
  all", chunk by chunk as the background jobs do), then posting.

Targets (2 cores): >= 2.5x Odoo's throughput end to end, >= 5x for creating
the drafts; ours linear in the number of clients (1,000 clients / 100 clients
<= 10.5x the time); peak memory growth of a run < 300 MB.
"""

import os
import threading
import time
from datetime import date

import psutil
from benchmarks.common import full_scale, report

from odoo.tests import TransactionCase, tagged

from data.generate import PROFILES, DataGenerator

TODAY = date(2026, 3, 31)


class RssSampler:
    """Peak resident memory of this process while the block runs, sampled."""

    def __init__(self, interval=0.05):
        self.interval = interval
        self.process = psutil.Process()
        self.peak = self.start = 0
        self._stop = threading.Event()

    def __enter__(self):
        self.start = self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def growth_mb(self):
        return (self.peak - self.start) / 2**20


@tagged("post_install", "-at_install", "invoicera_benchmark")
class BenchAutoInvoice(TransactionCase):
    def generate(self, clients, sale_orders, timesheets, expenses):
        params = dict(
            PROFILES["benchmark"],
            clients=clients,
            timesheets_per_client=timesheets,
            expenses_per_client=expenses,
            sale_orders=sale_orders,
        )
        created = DataGenerator(self.env, today=TODAY, seed=clients, **params).generate()
        self.env.invalidate_all()
        return created

    def odoo_path(self, created):
        orders = created["sale_orders"]
        self.env.invalidate_all()
        started = time.perf_counter()
        invoices = orders._create_invoices()
        self.env.flush_all()
        drafts = time.perf_counter() - started
        invoices.action_post()
        self.env.flush_all()
        total = time.perf_counter() - started
        self.assertEqual(len(invoices), len(created["clients"]), "consolidated: one per client")
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        return drafts, total, invoices

    def our_path(self, created):
        """Invoice all, chunk by chunk as the background jobs do, then post chunk by chunk."""
        clients = created["clients"]
        run = self.env["invoicera.billing.run"].create(
            {"invoice_date": TODAY, "cutoff_date": TODAY, "partner_ids": [(6, 0, clients.ids)]}
        )
        chunks = [
            clients.ids[i : i + run.chunk_size] for i in range(0, len(clients), run.chunk_size)
        ]
        self.env.invalidate_all()
        with RssSampler() as rss:
            started = time.perf_counter()
            run.write({"state": "running", "client_count": len(clients)})
            for ids in chunks:
                run._process_chunk(ids)
                self.env.flush_all()
                self.env.invalidate_all()  # as a fresh job would start
            drafts = time.perf_counter() - started
            for ids in chunks:
                run.invoice_ids.filtered(lambda m, ids=ids: m.partner_id.id in ids).action_post()
                self.env.flush_all()
                self.env.invalidate_all()
            total = time.perf_counter() - started
        invoices = run.invoice_ids
        self.assertEqual(
            set(run.log_ids.mapped("status")), {"invoiced"}, run.log_ids.mapped("message")
        )
        self.assertEqual(run.state, "done")
        self.assertEqual(len(invoices), len(clients))
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        return drafts, total, invoices, rss.growth_mb

    def test_auto_invoice_against_odoo(self):
        if full_scale():
            small, big, timesheets, expenses = 100, 1000, 100, 5
        else:
            small, big, timesheets, expenses = 5, 20, 10, 2
        small, big, timesheets, expenses = (
            int(x)
            for x in os.environ.get("BENCH_SIZES", f"{small},{big},{timesheets},{expenses}").split(
                ","
            )
        )
        # Every dataset first, so that both sizes run on the same database.
        datasets = {
            clients: self.generate(clients, False, timesheets, expenses) for clients in (small, big)
        }
        odoo_data = self.generate(big, True, timesheets, expenses)
        # A first small run fills the caches a first invoice needs: not measured.
        self.our_path(self.generate(3, False, 2, 1))
        ours = {}
        for clients, created in datasets.items():
            drafts, total, invoices, memory = self.our_path(created)
            ours[clients] = (drafts, total, memory, sum(invoices.mapped("amount_untaxed")))
        odoo_drafts, odoo_total, odoo_invoices = self.odoo_path(odoo_data)
        odoo_lines = sum(len(inv.invoice_line_ids) for inv in odoo_invoices)
        drafts, total, memory, _amount = ours[big]
        rows = [
            (
                f"Odoo: sale orders → Create invoices → post ({big} clients)",
                f"{odoo_drafts:.1f}",
                f"{odoo_total:.1f}",
                f"{big / odoo_total:.1f}",
                "",
                f"{odoo_lines:,} lines",
            ),
        ]
        for clients in (small, big):
            c_drafts, c_total, c_memory, _ = ours[clients]
            rows.append(
                (
                    f"Invoicera: Invoice all → post ({clients} clients)",
                    f"{c_drafts:.1f}",
                    f"{c_total:.1f}",
                    f"{clients / c_total:.1f}",
                    f"{c_memory:.0f}",
                    "",
                )
            )
        speedup_drafts = odoo_drafts / drafts
        speedup_total = odoo_total / total
        linearity = ours[big][1] / ours[small][1]
        rows.append(
            (
                "Invoicera vs Odoo",
                f"{speedup_drafts:.1f}x",
                f"{speedup_total:.1f}x",
                "",
                "",
                f"{big}/{small} clients: {linearity:.1f}x the time",
            )
        )
        report(
            "auto_invoice",
            f"Auto Invoice, {timesheets} timesheet lines and {expenses} expenses per client",
            ["Path", "Drafts s", "End to end s", "Clients/s", "Peak RSS +MB", "Notes"],
            rows,
        )
        if full_scale():
            self.assertGreaterEqual(speedup_drafts, 5.0, "draft creation: >= 5x Odoo")
            self.assertGreaterEqual(speedup_total, 2.5, "end to end: >= 2.5x Odoo")
            self.assertLessEqual(linearity, 10.5, "linear in the number of clients")
            self.assertLess(memory, 300, "peak memory growth of a run")
