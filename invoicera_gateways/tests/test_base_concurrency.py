"""The same notification on two workers at once: one applies it, the other waits, then acknowledges.

Needs committed data seen by two transactions: created in a cursor of its
own, committed, deleted at the end.
"""

import hashlib
import hmac
import json
import threading
import time
from unittest.mock import patch

from werkzeug.datastructures import Headers

from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged

from odoo.addons.invoicera_billing.tests.common import committed_env

from ..gateways.base import Gateway
from .common import FakeGatewayAPI

SECRET = "sk_test_concurrency"


class CommittedPaystackCase(BaseCase):
    """Paystack in test mode and one transaction (``make_tx``), committed so that
    two cursors see them, removed at the end."""

    def setUp(self):
        super().setUp()
        with committed_env() as env:
            provider = env.ref("invoicera_gateways.payment_provider_paystack")
            self.saved = provider.read(["state", "invoicera_secret_key"])[0]
            provider.write({"state": "test", "invoicera_secret_key": SECRET})
            env.ref("base.NGN").active = True
            tx = self.make_tx(env, provider)
            self.provider_id, self.tx_id, self.reference = provider.id, tx.id, tx.reference
        self.addCleanup(self.cleanup)

    def make_tx(self, env, provider):
        raise NotImplementedError

    def cleanup(self):
        with committed_env() as env:
            tx = env["payment.transaction"].browse(self.tx_id)
            for payment in tx.payment_id:
                payment.action_draft()
                payment.unlink()
            env["invoicera.gateway.event"].search(
                [("provider_id", "=", self.provider_id), ("reference", "=", self.reference)]
            ).unlink()
            token = tx.token_id
            tx.unlink()
            token.unlink()
            env["payment.provider"].browse(self.provider_id).write(
                {
                    "state": self.saved["state"],
                    "invoicera_secret_key": self.saved["invoicera_secret_key"],
                }
            )


@tagged("post_install", "-at_install")
class TestConcurrentDeliveries(CommittedPaystackCase):
    def make_tx(self, env, provider):
        return env["payment.transaction"].create(
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


@tagged("post_install", "-at_install")
class TestConcurrentChargeRetries(CommittedPaystackCase):
    """Two runs of the post-processing retry one saved-card charge: one charges."""

    def make_tx(self, env, provider):
        partner = env.ref("base.partner_admin")
        method = env.ref("payment.payment_method_card")
        token = env["payment.token"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "partner_id": partner.id,
                "provider_ref": "AUTH_f5rnfq9p",
                "payment_details": "8877",
                "invoicera_customer_ref": "bojack@horseman.com",
            }
        )
        tx = env["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": method.id,
                "token_id": token.id,
                "amount": 99.0,
                "currency_id": env.ref("base.NGN").id,
                "partner_id": partner.id,
                "reference": f"RETRY-{time.time_ns()}",
                "operation": "offline",
            }
        )
        # The first charge timed out: pending, to be retried.
        tx._set_pending(state_message="Paystack could not be reached")
        tx.write({"invoicera_retry": True, "is_post_processed": False})
        return tx

    def test_two_runs_retrying_one_charge_charge_once(self):
        # Paystack's answer to POST /transaction/charge_authorization (API reference).
        charged = {
            "amount": 9900,
            "currency": "NGN",
            "transaction_date": "2024-08-22T14:57:39.000Z",
            "status": "success",
            "reference": self.reference,
            "domain": "test",
            "metadata": {"invoicera_reference": self.reference},
            "gateway_response": "Approved",
            "channel": "card",
            "id": 4099260516,
            "authorization": {
                "authorization_code": "AUTH_f5rnfq9p",
                "last4": "8877",
                "reusable": True,
            },
        }
        first_calling, release_first = threading.Event(), threading.Event()
        calls = []

        def verify(method, url, kwargs):
            if not first_calling.is_set():
                first_calling.set()
                release_first.wait(20)  # the first run waits for Paystack's answer
            return 404, {"status": False, "message": "Transaction reference not found."}

        api = FakeGatewayAPI(
            {
                ("GET", r"/transaction/verify/"): verify,
                ("POST", r"/transaction/charge_authorization$"): (
                    200,
                    {"status": True, "message": "Charge attempted", "data": charged},
                ),
            }
        )

        def record(method, url, **kwargs):
            calls.append((method, url))
            return api(method, url, **kwargs)

        self.startPatcher(patch.object(Gateway, "_send", side_effect=record))
        errors = []

        def cron_run():
            try:
                with committed_env() as env:
                    env["payment.transaction"].browse(self.tx_id)._cron_post_process()
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
                first_calling.set()

        first = threading.Thread(target=cron_run)
        first.start()
        self.assertTrue(first_calling.wait(20))
        # Another run (a second cron worker) while the first waits for Paystack:
        # it leaves the transaction to the first, without waiting for it.
        with committed_env() as env:
            tx = env["payment.transaction"].browse(self.tx_id)
            tx._cron_post_process()
            self.assertEqual(tx.state, "pending")
        release_first.set()
        first.join(20)
        self.assertFalse(errors, errors)
        charges = [call for call in calls if call[1].endswith("charge_authorization")]
        self.assertEqual(len(charges), 1, f"the card must be charged once: {calls}")
        with committed_env() as env:
            tx = env["payment.transaction"].browse(self.tx_id)
            self.assertEqual((tx.state, tx.invoicera_retry), ("done", False))
            self.assertTrue(tx.is_post_processed)
