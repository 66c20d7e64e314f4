"""The same notification on two workers at once: one applies it, the other waits, then acknowledges.

Needs committed data seen by two transactions: created in a cursor of its
own, committed, deleted at the end.
"""

import hashlib
import hmac
import json
import threading
import time

from werkzeug.datastructures import Headers

from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged

from odoo.addons.invoicera_billing.tests.common import committed_env

SECRET = "sk_test_concurrency"


@tagged("post_install", "-at_install")
class TestConcurrentDeliveries(BaseCase):
    def setUp(self):
        super().setUp()
        with committed_env() as env:
            provider = env.ref("invoicera_gateways.payment_provider_paystack")
            self.saved = provider.read(["state", "invoicera_secret_key"])[0]
            provider.write({"state": "test", "invoicera_secret_key": SECRET})
            env.ref("base.NGN").active = True
            tx = env["payment.transaction"].create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": env.ref("payment.payment_method_card").id,
                    "amount": 99.0,
                    "currency_id": env.ref("base.NGN").id,
                    "partner_id": env.ref("base.partner_admin").id,
                    "reference": f"CONCURRENT-{time.time_ns()}",
                    "operation": "online_redirect",
                }
            )
            self.provider_id, self.tx_id, self.reference = provider.id, tx.id, tx.reference
        self.addCleanup(self.cleanup)

    def cleanup(self):
        with committed_env() as env:
            tx = env["payment.transaction"].browse(self.tx_id)
            for payment in tx.payment_id:
                payment.action_draft()
                payment.unlink()
            env["invoicera.gateway.event"].search(
                [("provider_id", "=", self.provider_id), ("reference", "=", self.reference)]
            ).unlink()
            tx.unlink()
            env["payment.provider"].browse(self.provider_id).write(
                {
                    "state": self.saved["state"],
                    "invoicera_secret_key": self.saved["invoicera_secret_key"],
                }
            )

    def test_same_event_on_two_workers_is_applied_once(self):
        data = {
            "id": 4242,
            "status": "success",
            "reference": self.reference,
            "metadata": {"invoicera_reference": self.reference},
            "amount": 9900,
            "currency": "NGN",
        }
        body = json.dumps({"event": "charge.success", "data": data}).encode()
        headers = Headers(
            {"x-paystack-signature": hmac.new(SECRET.encode(), body, hashlib.sha512).hexdigest()}
        )
        results, errors = {}, []
        first_applied, release_first = threading.Event(), threading.Event()

        def worker(name, hold):
            try:
                with committed_env() as env:

                    def receive():
                        return env["invoicera.gateway.event"]._invoicera_receive(
                            "paystack", self.provider_id, headers, body
                        )

                    # The second goes through Odoo's HTTP retry loop: its insert
                    # waits for the first transaction, fails to serialize once
                    # it commits, and the retry sees the event already there.
                    results[name] = receive() if hold else retrying(receive, env)
                    if hold:
                        first_applied.set()
                        release_first.wait(20)  # keep the transaction open
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
                first_applied.set()

        first = threading.Thread(target=worker, args=("first", True))
        first.start()
        self.assertTrue(first_applied.wait(20))
        second = threading.Thread(target=worker, args=("second", False))
        second.start()
        second.join(1.5)
        # The second delivery waits on the event's unique key while the first is open.
        self.assertTrue(
            second.is_alive(), f"the duplicate must wait for the first delivery: {results} {errors}"
        )
        release_first.set()
        first.join(20)
        second.join(20)
        self.assertFalse(errors, errors)
        self.assertEqual(results, {"first": (200, "processed"), "second": (200, "duplicate")})
        with committed_env() as env:
            tx = env["payment.transaction"].browse(self.tx_id)
            self.assertEqual(tx.state, "done")
            events = env["invoicera.gateway.event"].search([("reference", "=", self.reference)])
            self.assertEqual(len(events), 1)
            tx._post_process()
            tx._post_process()
            self.assertEqual(
                len(env["account.payment"].search([("payment_transaction_id", "=", tx.id)])), 1
            )
