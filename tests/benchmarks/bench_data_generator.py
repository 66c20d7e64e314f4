"""How fast data/generate.py builds benchmark-size data (target: minutes, not hours).

Full scale: 1,000 clients, each with a project, 100 timesheet lines and
5 approved re-billable expenses (100,000 timesheets), in one transaction,
rolled back at the end.
"""

import time
from datetime import date

from benchmarks.common import full_scale, peak_rss_mb, report

from odoo.tests import TransactionCase, tagged

from data.generate import PROFILES, DataGenerator


@tagged("post_install", "-at_install", "invoicera_benchmark")
class BenchDataGenerator(TransactionCase):
    def test_generate_benchmark_profile(self):
        sizes = (100, 1000) if full_scale() else (5, 20)
        rows = []
        for clients in sizes:
            rss_before = peak_rss_mb()
            started = time.perf_counter()
            generator = DataGenerator(
                self.env, today=date(2026, 3, 31), **dict(PROFILES["benchmark"], clients=clients)
            )
            created = generator.generate()
            elapsed = time.perf_counter() - started
            timesheets = len(created["timesheets"])
            self.assertEqual(timesheets, clients * 100)
            self.assertEqual(len(created["expenses"]), clients * 5)
            rows.append(
                (
                    clients,
                    f"{timesheets:,}",
                    f"{len(created['expenses']):,}",
                    f"{elapsed:.1f}",
                    f"{generator.timings['timesheets']:.1f}",
                    f"{timesheets / elapsed:,.0f}",
                    f"{peak_rss_mb() - rss_before:.0f}",
                )
            )
            self.env.invalidate_all()
        report(
            "data_generator",
            "Data generation, profile benchmark (one transaction)",
            [
                "Clients",
                "Timesheets",
                "Expenses",
                "Total s",
                "Timesheets s",
                "Lines/s",
                "Peak RSS +MB",
            ],
            rows,
        )
