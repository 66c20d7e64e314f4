"""Gateway webhooks under load: 500 signed deliveries, 10% of them duplicates.

Odoo runs in multi-worker mode, as a production server does. 450 Paystack
transactions are committed, then 500 deliveries (each transaction's
charge.success once, 50 of them twice) are fired from 10 concurrent senders.
The table gives throughput and latency; the database must then hold exactly
one applied event per transaction, every transaction done, and the
duplicates acknowledged without effect.

The data is committed (the server is another process), then deleted.
"""

import hashlib
import hmac
import json
import random
import statistics
import threading
import time

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

from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

SECRET = "sk_test_bench_webhooks"
SENDERS = 10


@tagged("post_install", "-at_install", "invoicera_benchmark")
class BenchWebhooks(BaseCase):
    def setUp(self):
        super().setUp()
        self.deliveries = 500 if full_scale() else 50
        self.unique = self.deliveries * 9 // 10
        self.tag = f"BENCH-WH-{int(time.time())}"
        with new_env() as env:
            provider = env.ref("invoicera_gateways.payment_provider_paystack")
            self.saved = provider.read(["state", "invoicera_secret_key"])[0]
            provider.write({"state": "test", "invoicera_secret_key": SECRET})
            env.ref("base.NGN").active = True
            partner = env["res.partner"].create({"name": self.tag})
            txs = env["payment.transaction"].create(
                [
                    {
                        "provider_id": provider.id,
                        "payment_method_id": env.ref("payment.payment_method_card").id,
                        "amount": 100 + n,
                        "currency_id": env.ref("base.NGN").id,
                        "partner_id": partner.id,
                        "reference": f"{self.tag}/{n}",
                        "provider_reference": f"{self.tag}-{n}",
                        "operation": "online_redirect",
                    }
                    for n in range(self.unique)
                ]
            )
            self.provider_id, self.partner_id = provider.id, partner.id
            self.bodies = [
                json.dumps(
                    {
                        "event": "charge.success",
                        "data": {
                            "id": 900000 + n,
                            "status": "success",
                            "reference": tx.provider_reference,
                            "metadata": {"invoicera_reference": tx.reference},
                            "amount": (100 + n) * 100,
                            "currency": "NGN",
                            "channel": "card",
                        },
                    }
                ).encode()
                for n, tx in enumerate(txs)
            ]
        self.addCleanup(self.delete_data)
        # as the Auto Invoice benchmark: autovacuum does not compete with the measure
        settle_database(get_db_name())

    def delete_data(self):
        with new_env() as env:
            txs = env["payment.transaction"].search([("partner_id", "=", self.partner_id)])
            env["invoicera.gateway.event"].search([("transaction_id", "in", txs.ids)]).unlink()
            txs.unlink()
            env["res.partner"].browse(self.partner_id).unlink()
            env["payment.provider"].browse(self.provider_id).write(
                {
                    "state": self.saved["state"],
                    "invoicera_secret_key": self.saved["invoicera_secret_key"],
                }
            )

    def test_webhook_deliveries(self):
        rand = random.Random(7)
        duplicates = rand.sample(self.bodies, self.deliveries - self.unique)
        queue = self.bodies + duplicates
        rand.shuffle(queue)
        server = OdooServer()
        url = f"{server.url}/payment/invoicera/paystack/webhook/{self.provider_id}"
        timings, answers, lock = [], {}, threading.Lock()
        try:
            for _ in range(2 * SENDERS):  # warm every worker up with refused deliveries
                requests.post(url, data=b"{}", timeout=30)

            def sender(bodies):
                session = requests.Session()
                for body in bodies:
                    signature = hmac.new(SECRET.encode(), body, hashlib.sha512).hexdigest()
                    started = time.perf_counter()
                    response = session.post(
                        url,
                        data=body,
                        headers={
                            "Content-Type": "application/json",
                            "x-paystack-signature": signature,
                        },
                        timeout=60,
                    )
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        timings.append(elapsed)
                        key = (response.status_code, response.json().get("result"))
                        answers[key] = answers.get(key, 0) + 1

            wall = run_concurrently(sender, [(queue[n::SENDERS],) for n in range(SENDERS)])
        finally:
            server.stop()
        self.assertEqual(
            answers,
            {(200, "processed"): self.unique, (200, "duplicate"): self.deliveries - self.unique},
        )
        with new_env() as env:
            txs = env["payment.transaction"].search([("partner_id", "=", self.partner_id)])
            self.assertEqual(set(txs.mapped("state")), {"done"})
            events = env["invoicera.gateway.event"].search([("transaction_id", "in", txs.ids)])
            self.assertEqual(len(events), self.unique)
        report(
            "webhooks",
            f"Webhooks: {self.deliveries} Paystack deliveries ({self.deliveries - self.unique} "
            f"duplicates), {SENDERS} concurrent senders, 4 workers",
            ["Deliveries", "Wall s", "Deliveries/s", "p50 ms", "p95 ms", "max ms"],
            [
                (
                    len(timings),
                    f"{wall:.1f}",
                    f"{len(timings) / wall:.1f}",
                    f"{statistics.median(timings):.0f}",
                    f"{percentile(timings, 95):.0f}",
                    f"{max(timings):.0f}",
                )
            ],
        )
