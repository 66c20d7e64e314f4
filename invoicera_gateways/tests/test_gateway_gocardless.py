import hashlib
import hmac
import json
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo.tests import tagged

from ..gateways.base import Delivery
from . import common

META = "invoicera_reference"

# https://developer.gocardless.com/api-reference/#payments-get-a-single-payment (the
# official client libraries' fixture, trimmed of fx and app fee)
PAYMENT = {
    "amount": 1000,
    "amount_refunded": 0,
    "charge_date": "2014-05-21",
    "created_at": "2014-01-01T12:00:00.000Z",
    "currency": "GBP",
    "description": "One-off upgrade fee",
    "id": "PM123",
    "links": {"creditor": "CR123", "mandate": "MD123"},
    "metadata": {},
    "reference": "WINEBOX001",
    "retry_if_possible": False,
    "scheme": "bacs",
    "status": "submitted",
}
# https://developer.gocardless.com/getting-started/staying-up-to-date-with-webhooks - events
CONFIRMED = {
    "id": "EVTESTXN4AHBTB",
    "created_at": "2019-09-16T11:45:03.927Z",
    "resource_type": "payments",
    "action": "confirmed",
    "links": {"payment": "PM123"},
    "details": {
        "origin": "gocardless",
        "cause": "payment_confirmed",
        "description": "Enough time has passed since the payment was submitted for the banks"
        " to return an error, so this payment is now confirmed.",
    },
    "metadata": {},
}
FAILED = {
    "id": "EV123",
    "created_at": "2014-04-08T17:01:06.000Z",
    "resource_type": "payments",
    "action": "failed",
    "details": {
        "origin": "bank",
        "cause": "insufficient_funds",
        "description": "The customer's account had insufficient funds to make this payment.",
        "scheme": "sepa_core",
        "reason_code": "AM04",
        "will_attempt_retry": False,
    },
    "metadata": {},
    "links": {"payment": "PM123"},
}
# https://developer.gocardless.com/billing-requests/responding-to-billing-request-events
FULFILLED = {
    "id": "EV01PZ456CHC2S",
    "created_at": "2024-08-07T15:10:50.470Z",
    "resource_type": "billing_requests",
    "action": "fulfilled",
    "metadata": {},
    "details": {
        "origin": "api",
        "cause": "billing_request_fulfilled",
        "description": "This billing request has been fulfilled, and the resources have been"
        " created.",
    },
    "links": {
        "customer": "CU001800248CJG",
        "customer_bank_account": "BA0011YH1HV7PH",
        "billing_request": "BRQ0006T4Y5J9D3",
        "mandate_request_mandate": "MD0017B8JJ6ZK4",
    },
}
MANDATE_SUBMITTED = {
    "id": "EV003J58C2J2WD",
    "created_at": "2019-09-16T15:02:00.398Z",
    "resource_type": "mandates",
    "action": "submitted",
    "links": {"mandate": "MD00070Z69DWXV"},
    "details": {
        "origin": "gocardless",
        "cause": "mandate_submitted",
        "description": "The mandate has been submitted to the banks.",
    },
    "metadata": {},
}
# https://developer.gocardless.com/billing-requests/setting-up-a-dd-mandate - responses
BILLING_REQUEST = {
    "billing_requests": {
        "id": "BRQ0006T4Y5J9D3",
        "created_at": "2023-03-22T15:20:08.397Z",
        "status": "pending",
        "mandate_request": {"currency": "GBP", "scheme": "bacs", "links": {}},
        "metadata": {},
        "links": {"customer": "CU001800248CJG", "mandate_request": "MRQ000CBBWJ1EA"},
    }
}
FLOW = {
    "billing_request_flows": {
        "authorisation_url": "https://pay-sandbox.gocardless.com/billing/static/flow?id=BRF0001",
        "auto_fulfil": True,
        "created_at": "2023-03-22T15:20:08.500Z",
        "exit_uri": "https://example.com/exit",
        "expires_at": "2023-03-29T15:20:08.500Z",
        "id": "BRF0001",
        "links": {"billing_request": "BRQ0006T4Y5J9D3"},
        "lock_bank_account": False,
        "lock_currency": False,
        "lock_customer_details": False,
        "redirect_uri": "https://example.com/return",
        "session_token": None,
        "show_redirect_buttons": False,
    }
}
MANDATE = {
    "mandates": {
        "authorisation_source": "web",
        "created_at": "2014-01-01T12:00:00.000Z",
        "id": "MD123",
        "links": {"creditor": "CR123", "customer": "CU123", "customer_bank_account": "BA123"},
        "metadata": {},
        "next_possible_charge_date": "2014-10-27",
        "payments_require_approval": False,
        "reference": "REF-123",
        "scheme": "bacs",
        "status": "active",
    }
}
BANK_ACCOUNT = {
    "customer_bank_accounts": {
        "account_holder_name": "Billie Jean",
        "account_number_ending": "1234",
        "account_type": "savings",
        "bank_name": "BARCLAYS BANK PLC",
        "country_code": "GB",
        "created_at": "2014-01-01T12:00:00.000Z",
        "currency": "GBP",
        "enabled": True,
        "id": "BA123",
        "links": {"customer": "CU123"},
        "metadata": {},
    }
}
REFUND = {
    "refunds": {
        "amount": 1000,
        "created_at": "2014-01-01T12:00:00.000Z",
        "currency": "GBP",
        "id": "RF123",
        "links": {"mandate": "MD123", "payment": "PM123"},
        "metadata": {},
        "reference": "WINEBOX001",
        "status": "created",
    }
}
# gocardless-pro-python tests/webhooks_test.py and tests/fixtures/webhook_body.json
VECTOR_BODY = (
    b'{"events":[{"id":"EV00BD05S5VM2T","created_at":"2018-07-05T09:13:51.404Z",'
    b'"resource_type":"subscriptions","action":"created",'
    b'"links":{"subscription":"SB0003JJQ2MR06"},"details":{"origin":"api",'
    b'"cause":"subscription_created","description":"Subscription created via the API."},'
    b'"metadata":{}},{"id":"EV00BD05TB8K63","created_at":"2018-07-05T09:13:56.893Z",'
    b'"resource_type":"mandates","action":"created","links":{"mandate":"MD000AMA19XGEC"},'
    b'"details":{"origin":"api","cause":"mandate_created",'
    b'"description":"Mandate created via the API."},"metadata":{}}]}'
)
VECTOR_SIGNATURE = "2693754819d3e32d7e8fcb13c729631f316c6de8dc1cf634d6527f1c07276e7e"
VECTOR_KEY = "ED7D658C-D8EB-4941-948B-3973214F2D49"

STATUS = {"done": "confirmed", "pending": "submitted", "error": "failed", "cancel": "cancelled"}


def copy(value):
    return json.loads(json.dumps(value))


@tagged("post_install", "-at_install")
class TestGoCardless(common.GatewayCase):
    gateway_code = "gocardless"
    currency_code = "GBP"
    credentials = {
        "invoicera_secret_key": "sandbox_access_token",
        "invoicera_webhook_secret": "gc-webhook-endpoint-secret",
    }
    hosted_page = FLOW["billing_request_flows"]["authorisation_url"]

    def setUp(self):
        super().setUp()
        #: the payments the fake GoCardless knows, by id
        self.gc_payments = {}
        self.api.routes[("GET", r"/payments/[^/]+$")] = self.get_payment

    def assert_applied_when_sent_again(self, body, txs):
        """The API answering again, the delivery sent again is applied: each
        transaction of the batch done and paid once."""
        self.api.routes[("GET", r"/payments/[^/]+$")] = self.get_payment
        self.assertEqual(self.deliver(body)[0], 200)
        self.assertEqual([tx.state for tx in txs], ["done"] * len(txs))
        self.assertEqual(len(self.events()), len(txs))
        for tx in txs:
            tx._post_process()
            self.assertEqual(len(self.payments(tx)), 1)

    def batch(self, prefix):
        """Three transactions and one delivery of the confirmation of each."""
        txs = [self.make_tx(reference=f"{prefix}-{n}") for n in (1, 2, 3)]
        events = [self.event(tx, "done", event_id=f"EV-{tx.reference}") for tx in txs]
        return txs, json.dumps({"events": events}).encode()

    def get_payment(self, method, url, kwargs):
        payment = self.gc_payments.get(url.rsplit("/", 1)[1])
        if not payment:
            return 404, {"error": {"message": "Resource not found", "code": 404}}
        return 200, {"payments": payment}

    def payment(self, tx, status="done", amount=None, currency=None, **values):
        payment = copy(PAYMENT)
        payment.update(
            id=f"PM-{tx.reference.replace('/', '-')}",  # GoCardless's ids have no "/"
            status=STATUS.get(status, status),
            amount=self.minor() if amount is None else amount,
            currency=currency or tx.currency_id.name,
            description=tx.reference,
            metadata={META: tx.reference},
            **values,
        )
        self.gc_payments[payment["id"]] = payment
        return payment

    def event(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        payment = self.payment(tx, status, amount, currency)
        event = copy(FAILED if status == "error" else CONFIRMED)
        event.update(
            id=event_id,
            action=STATUS[status],
            links={"payment": payment["id"]},
            resource_metadata={META: tx.reference},
        )
        return event

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        return json.dumps({"events": [self.event(tx, status, amount, currency, event_id)]}).encode()

    def sign(self, body, secret, timestamp=None):
        # GoCardless: hex HMAC-SHA256 of the raw body with the webhook endpoint secret.
        return {"Webhook-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}

    def checkout_routes(self, tx):
        return {
            ("POST", r"/billing_requests$"): (201, BILLING_REQUEST),
            ("POST", r"/billing_request_flows$"): (201, FLOW),
        }

    def refund_routes(self, tx):
        return {("POST", r"/refunds$"): (201, REFUND)}

    def charge_routes(self, tx):
        created = dict(self.payment(tx, "pending_submission"), links={"mandate": "MD123"})
        return {("POST", r"/payments$"): (201, {"payments": created})}

    # -- a debit settles days later --------------------------------------------------

    def test_payment_failing_after_its_confirmation_is_reported(self):
        """A Bacs or SEPA debit GoCardless confirmed can still fail late or be charged
        back: Odoo keeps the payment, so the back office must be told, not a log line."""
        tx = self.make_tx()
        self.deliver(self.notification(tx, "done", event_id="EV-confirmed"))
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)
        with self.assertLogs("odoo.addons.invoicera_gateways", level="ERROR") as logs:
            answer = self.deliver(self.notification(tx, "error", event_id="EV-charged-back"))
        self.assertEqual(answer, (200, "conflict"))
        self.assertIn(tx.reference, logs.output[0])
        self.assertEqual(tx.state, "done", "a confirmed payment is never undone")
        problem = self.problems()
        self.assertEqual(len(problem), 1, "listed under Problems")
        self.assertEqual((problem.transaction_id, problem.state), (tx, "conflict"))
        self.assertIn("GoCardless", problem.message)
        self.assertIn(tx.reference, self.invoice.message_ids[:1].body)
        # a late pending still is no problem
        other = self.make_tx(reference="GC-LATE-PENDING")
        self.deliver(self.notification(other, "done", event_id="EV-late-done"))
        self.assertEqual(
            self.deliver(self.notification(other, "pending", event_id="EV-late-pending")),
            (200, "ignored"),
        )
        self.assertEqual(len(self.problems()), 1)

    def test_saved_payment_method_charge_retries_after_a_timeout(self):
        """GatewayCase's check, for a debit: the retried charge keeps its Idempotency-Key and
        the payment stays pending until GoCardless confirms it (2-5 business days)."""
        token = self._create_token(provider_ref="MD123", invoicera_customer_ref="CU123")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-gocardless")
        routes = self.charge_routes(tx)
        self.api.routes = dict.fromkeys(routes, requests.exceptions.ReadTimeout("read timed out"))
        tx._send_payment_request()
        self.assertEqual(tx.state, "pending")
        self.assertTrue(tx.invoicera_retry)
        first_call = self.api.calls[-1]
        self.api.routes = {**routes, ("GET", r"/payments/[^/]+$"): self.get_payment}
        self.cron_post_process(tx)
        self.assertEqual(tx.state, "pending")
        self.assertFalse(tx.invoicera_retry)
        self.assertEqual(tx.provider_reference, f"PM-{tx.reference}")
        retried = self.api.calls[-1]
        self.assertEqual(
            first_call["headers"]["Idempotency-Key"], retried["headers"]["Idempotency-Key"]
        )
        self.assertEqual(self.deliver(self.notification(tx, "done")), (200, "processed"))
        self.assertEqual(tx.state, "done")
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)

    # -- GoCardless specifics -------------------------------------------------------------

    def test_client_library_signature_test_vector(self):
        self.provider.invoicera_webhook_secret = VECTOR_KEY
        gateway = self.gateway_class(self.provider)
        headers = {"Webhook-Signature": VECTOR_SIGNATURE}
        self.assertTrue(gateway.verify(Delivery(headers, VECTOR_BODY)))
        changed = VECTOR_BODY.replace(b"EV00BD05S5VM2T", b"EV00BD05S5VM2U")
        self.assertFalse(gateway.verify(Delivery(headers, changed)))

    def test_checkout_sets_up_a_mandate_on_the_hosted_flow(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        processing = tx._get_processing_values()
        self.assertIn(
            "pay-sandbox.gocardless.com/billing/static/flow", processing["redirect_form_html"]
        )
        request = self.api.last("billing_requests$")
        self.assertEqual(
            request["json"],
            {
                "billing_requests": {
                    "mandate_request": {"currency": "GBP"},
                    "metadata": {META: tx.reference},
                }
            },
        )
        headers = request["headers"]
        self.assertEqual(headers["Authorization"], "Bearer sandbox_access_token")
        self.assertEqual(headers["GoCardless-Version"], "2015-07-06")
        self.assertEqual(
            headers["Idempotency-Key"],
            self.gateway_class(self.provider).idempotency_key(tx, "create"),
        )
        flow = self.api.last("billing_request_flows")["json"]["billing_request_flows"]
        self.assertEqual(flow["links"], {"billing_request": "BRQ0006T4Y5J9D3"})
        self.assertIn("/payment/invoicera/gocardless/return/", flow["redirect_uri"])
        self.assertTrue(flow["redirect_uri"].endswith(f"?reference={tx.reference}"))
        self.assertEqual(flow["prefilled_customer"]["email"], tx.partner_email)

    def test_fulfilled_request_collects_the_payment_then_confirmation_pays(self):
        tx = self.make_tx()
        created = dict(self.payment(tx, "pending_submission"), links={"mandate": "MD0017B8JJ6ZK4"})
        self.api.routes[("POST", r"/payments$")] = (201, {"payments": created})
        fulfilled = dict(copy(FULFILLED), resource_metadata={META: tx.reference})
        answer = self.deliver(json.dumps({"events": [fulfilled]}).encode())
        self.assertEqual(answer, (200, "processed"))
        sent = self.api.last(r"/payments$")
        self.assertEqual(
            sent["json"],
            {
                "payments": {
                    "amount": 123450,  # pence
                    "currency": "GBP",
                    "description": tx.reference,
                    "metadata": {META: tx.reference},
                    "links": {"mandate": "MD0017B8JJ6ZK4"},
                }
            },
        )
        self.assertEqual(
            sent["headers"]["Idempotency-Key"],
            self.gateway_class(self.provider).idempotency_key(tx, "charge"),
        )
        self.assertEqual(tx.state, "pending")
        self.assertEqual(tx.provider_reference, created["id"])
        self.assertEqual(tx.payment_method_code, "bacs_direct_debit")
        # A second delivery of "fulfilled" (another event id) creates nothing more.
        posts = len([c for c in self.api.calls if c["method"] == "POST"])
        again = dict(fulfilled, id="EV01PZ456CHC2T")
        self.assertEqual(self.deliver(json.dumps({"events": [again]}).encode()), (200, "ignored"))
        self.assertEqual(len([c for c in self.api.calls if c["method"] == "POST"]), posts)
        self.deliver(self.notification(tx, "done", event_id="EV-confirmed"))
        self.assertEqual(tx.state, "done")

    def test_retried_creation_returns_the_payment_gocardless_already_made(self):
        tx = self.make_tx()
        existing = self.payment(tx, "pending_submission")
        conflict = {
            "error": {
                "type": "invalid_state",
                "code": 409,
                "message": "A resource has already been created with this idempotency key",
                "errors": [
                    {
                        "message": "A resource has already been created with this idempotency key",
                        "reason": "idempotent_creation_conflict",
                        "links": {"conflicting_resource_id": existing["id"]},
                    }
                ],
            }
        }
        self.api.routes[("POST", r"/payments$")] = (409, conflict)
        fulfilled = dict(copy(FULFILLED), resource_metadata={META: tx.reference})
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.deliver(json.dumps({"events": [fulfilled]}).encode())
        self.assertEqual(tx.provider_reference, existing["id"])
        self.assertEqual(tx.state, "pending")

    def test_a_delivery_with_several_payments_settles_each_once(self):
        tx1 = self.make_tx(reference="GC-BATCH-1")
        tx2 = self.make_tx(reference="GC-BATCH-2")
        foreign = dict(copy(CONFIRMED), id="EV-foreign", links={"payment": "PM-SUBSCRIPTION"})
        foreign["resource_metadata"] = {"subscription_plan": "gold"}  # another application's
        submitted = dict(self.event(tx1, "pending", event_id="EV-1-submitted"))
        submitted["created_at"] = "2019-09-13T11:45:03.927Z"
        events = [
            submitted,
            copy(MANDATE_SUBMITTED),
            self.event(tx1, "done", event_id="EV-1-confirmed"),
            foreign,
            self.event(tx2, "done", event_id="EV-2-confirmed"),
        ]
        body = json.dumps({"events": events}).encode()
        self.assertEqual(self.deliver(body)[0], 200)
        self.assertEqual((tx1.state, tx2.state), ("done", "done"))
        self.assertEqual(
            sorted(self.events().mapped("event_key")), ["EV-1-confirmed", "EV-2-confirmed"]
        )
        fetched = [call["url"] for call in self.api.calls if call["method"] == "GET"]
        self.assertEqual(len(fetched), 2, "one look-up per payment, none for others' payments")
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.events()), 2)

    def test_batch_event_that_cannot_be_checked_gets_the_delivery_sent_again(self):
        """An event of a batch whose payment GoCardless' API cannot give now must not be
        lost: the delivery answers 503, GoCardless sends it again, and the events already
        applied are then recognised as duplicates."""
        txs, body = self.batch("GC-RETRY")
        unreachable = f"PM-{txs[2].reference}"

        def get_payment(method, url, kwargs):
            if url.endswith(unreachable):
                raise requests.exceptions.ReadTimeout("read timed out")
            return self.get_payment(method, url, kwargs)

        self.api.routes[("GET", r"/payments/[^/]+$")] = get_payment
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assertEqual(self.deliver(body), (503, "gateway unavailable"))
        # The third could not be applied; the first and second were, on their own.
        self.assertEqual([tx.state for tx in txs], ["done", "done", "draft"])
        self.assertNotIn(f"EV-{txs[2].reference}", self.events().mapped("event_key"))
        # GoCardless sends the same delivery again once its API answers.
        self.assert_applied_when_sent_again(body, txs)

    def test_batch_event_with_an_unreadable_answer_gets_the_delivery_sent_again(self):
        """GoCardless' API answers the look-up of one payment of a batch with
        something unreadable (a body without the payment): that event is not lost
        in an acknowledged delivery. The others are applied, the delivery answers
        an error, and sent again once the API answers properly, applies the rest."""
        txs, body = self.batch("GC-GARBLED")
        garbled = f"PM-{txs[1].reference}"

        def get_payment(method, url, kwargs):
            if url.endswith(garbled):
                return 200, {"unexpected": True}
            return self.get_payment(method, url, kwargs)

        self.api.routes[("GET", r"/payments/[^/]+$")] = get_payment
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assertEqual(self.deliver(body)[0], 503)
        self.assertEqual([tx.state for tx in txs], ["done", "draft", "done"])
        self.assertNotIn(f"EV-{txs[1].reference}", self.events().mapped("event_key"))
        self.assert_applied_when_sent_again(body, txs)

    def test_batch_event_failing_while_applied_is_not_taken_for_done(self):
        """An event of a batch whose application fails half-way leaves no trace
        that would make the delivery sent again look like a duplicate of it."""
        txs, body = self.batch("GC-HALF")
        Transaction = type(self.env["payment.transaction"])
        apply_event = Transaction._invoicera_apply_event

        def failing_apply(tx, event):
            if tx == txs[1]:
                tx._set_done()  # half-way...
                raise ValueError("unexpected value")  # ...then a defect of ours
            return apply_event(tx, event)

        with (
            patch.object(Transaction, "_invoicera_apply_event", failing_apply),
            self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"),
        ):
            self.assertEqual(self.deliver(body)[0], 503)
        self.assertEqual([tx.state for tx in txs], ["done", "draft", "done"])
        self.assertNotIn(f"EV-{txs[1].reference}", self.events().mapped("event_key"))
        self.assert_applied_when_sent_again(body, txs)

    def test_batch_events_whose_payments_gocardless_will_not_show_hold_up_no_other(self):
        """Payments of another GoCardless account or environment (404) can never be
        applied: their events are kept as ignored, the rest of the batch is applied and
        the delivery acknowledged, instead of it failing (and being resent) for ever."""
        txs, body = self.batch("GC-GONE")
        # The first event is the delivery's own, the second goes through on its own.
        for tx in txs[:2]:
            del self.gc_payments[f"PM-{tx.reference}"]
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assertEqual(self.deliver(body), (200, "not applied"))
        self.assertEqual([tx.state for tx in txs], ["draft", "draft", "done"])
        ignored = self.events().filtered(lambda event: event.state == "ignored")
        self.assertEqual(len(ignored), 2)
        for event in ignored:
            self.assertIn("GoCardless refused the request: Resource not found", event.message)
        self.assertEqual(self.problems(), ignored, "the merchant must see them")
        self.assertEqual(self.events().filtered("transaction_id").transaction_id, txs[2])
        txs[2]._post_process()
        self.assertEqual(len(self.payments(txs[2])), 1)
        # Sent again (as GoCardless does after an error): nothing more happens.
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.events()), 3)

    def test_batch_event_refused_for_our_access_token_gets_the_delivery_sent_again(self):
        txs, body = self.batch("GC-TOKEN")
        refused = f"PM-{txs[2].reference}"

        def get_payment(method, url, kwargs):
            if url.endswith(refused):
                error = {"message": "Access token not active", "code": 401}
                return 401, {"error": dict(error, type="invalid_api_usage")}
            return self.get_payment(method, url, kwargs)

        self.api.routes[("GET", r"/payments/[^/]+$")] = get_payment
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING") as logs:
            self.assertEqual(self.deliver(body)[0], 503)
        errors = [line for line in logs.output if line.startswith("ERROR")]
        self.assertTrue(errors, "the merchant is told to fix the access token")
        self.assertIn("Check the API keys in the payment provider's settings", errors[0])
        self.assertEqual([tx.state for tx in txs], ["done", "done", "draft"])
        # GoCardless sends the delivery again once the token is fixed.
        self.assert_applied_when_sent_again(body, txs)

    def test_failed_payment_reports_the_banks_reason(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "error", event_id="EV-failed"))
        self.assertEqual(tx.state, "error")
        self.assertIn("insufficient funds", tx.state_message)

    def test_cancelled_billing_request_cancels_the_payment(self):
        tx = self.make_tx()
        cancelled = dict(
            copy(FULFILLED),
            id="EV-cancelled",
            action="cancelled",
            links={"billing_request": "BRQ0006T4Y5J9D3"},
            resource_metadata={META: tx.reference},
        )
        self.deliver(json.dumps({"events": [cancelled]}).encode())
        self.assertEqual(tx.state, "cancel")

    def test_mandate_is_saved_when_asked(self):
        tx = self.make_tx(tokenize=True)
        self.api.routes.update(
            {
                ("GET", r"/mandates/MD123$"): (200, MANDATE),
                ("GET", r"/customer_bank_accounts/BA123$"): (200, BANK_ACCOUNT),
            }
        )
        self.deliver(self.notification(tx))
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.token_id.provider_ref, "MD123")
        self.assertEqual(tx.token_id.payment_details, "1234")
        self.assertEqual(tx.token_id.invoicera_customer_ref, "CU123")

    def test_mandate_is_saved_when_the_payment_is_asked_about(self):
        # its notifications lost, the payment is confirmed by the question the
        # cron asks: the mandate the client asked to keep is kept all the same
        tx = self.make_tx(tokenize=True)
        tx.provider_reference = f"PM-{tx.reference}"
        tx._set_pending()
        self.payment(tx, "done")
        self.api.routes.update(
            {
                ("GET", r"/mandates/MD123$"): (200, MANDATE),
                ("GET", r"/customer_bank_accounts/BA123$"): (200, BANK_ACCOUNT),
            }
        )
        self.ask_pending(tx, pending_for=timedelta(hours=1))
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.token_id.provider_ref, "MD123")

    def test_charge_a_saved_mandate(self):
        token = self._create_token(provider_ref="MD123", invoicera_customer_ref="CU123")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-gc-1")
        self.api.routes.update(self.charge_routes(tx))
        tx._send_payment_request()
        body = self.api.last(r"/payments$")["json"]["payments"]
        self.assertEqual(body["links"], {"mandate": "MD123"})
        self.assertEqual((body["amount"], body["currency"]), (123450, "GBP"))
        self.assertEqual(tx.state, "pending")

    def test_partial_refunds_confirm_the_total_refunded(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        self.api.routes.update(self.refund_routes(tx))
        tx.action_refund(amount_to_refund=10)
        tx.action_refund(amount_to_refund=5)
        sent = [c for c in self.api.calls if c["url"].endswith("/refunds")]
        bodies = [call["json"]["refunds"] for call in sent]
        self.assertEqual([b["amount"] for b in bodies], [1000, 500])
        self.assertEqual([b["total_amount_confirmation"] for b in bodies], [1000, 1500])
        self.assertEqual(bodies[0]["links"], {"payment": f"PM-{tx.reference}"})
        keys = {call["headers"]["Idempotency-Key"] for call in sent}
        self.assertEqual(len(keys), 2, "each refund has its own idempotency key")
        self.assertEqual(set(tx.child_transaction_ids.mapped("state")), {"pending"})

    def refund_event(self, refund, action, event_id):
        # a refund event (https://developer.gocardless.com/api-reference#event-types-refund):
        # the refund is fetched, and names its payment (links.payment)
        self.api.routes[("GET", rf"/refunds/{refund['id']}$")] = (200, {"refunds": refund})
        event = copy(CONFIRMED)
        event.update(
            id=event_id,
            resource_type="refunds",
            action=action,
            links={"refund": refund["id"]},
            details={"origin": "gocardless", "cause": f"refund_{action}", "description": ""},
            # the refund's own metadata: none of Odoo's for one made in the dashboard
            resource_metadata=refund.get("metadata") or {},
        )
        return json.dumps({"events": [event]}).encode()

    def test_refund_of_a_payment_odoo_did_not_make_is_acknowledged(self):
        """Another application's refund of its own payment: answered 200 and listed
        as ignored, saying why (not refused for GoCardless to send it for days)."""
        refund = dict(
            copy(REFUND["refunds"]),
            id="RF-foreign",
            metadata={},
            links={"mandate": "MD999", "payment": "PM-SUBSCRIPTION"},
        )
        self.assertEqual(
            self.deliver(self.refund_event(refund, "paid", "EV-foreign-refund")),
            (200, "ignored"),
        )
        self.assertFalse(self.problems())
        self.assertRecordValues(
            self.events(),
            [
                {
                    "state": "ignored",
                    "message": "GoCardless reports refund RF-foreign of payment PM-SUBSCRIPTION,"
                    " which Odoo did not make (another application's), so nothing was"
                    " changed in Odoo.",
                }
            ],
        )

    def test_dashboard_refund_of_a_payment_not_confirmed_in_odoo_yet_is_retried(self):
        """A refund made in the dashboard of one of Odoo's payments whose
        confirmation Odoo has not applied yet: refused for GoCardless to send it
        again (then reported), not acknowledged as another application's."""
        tx = self.make_tx()
        tx.provider_reference = f"PM-{tx.reference}"
        tx._set_pending()
        refund = dict(
            copy(REFUND["refunds"]),
            id="RF-early",
            status="paid",
            amount=1200,
            metadata={},
            links={"mandate": "MD123", "payment": tx.provider_reference},
        )
        self.assertEqual(self.deliver(self.refund_event(refund, "paid", "EV-early"))[0], 409)

    def test_refund_made_in_the_dashboard_is_reported_once(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        self.assertEqual(tx.state, "done")
        refund = copy(REFUND["refunds"])
        refund.update(
            id="RF-dashboard",
            amount=1200,
            currency="GBP",
            links={"mandate": "MD123", "payment": f"PM-{tx.reference}"},
        )
        created = self.refund_event(refund, "created", "EV-refund-created")
        self.assertEqual(self.deliver(created)[0], 200)
        self.assertFalse(self.problems())
        refund["status"] = "paid"
        paid = self.refund_event(refund, "paid", "EV-refund-paid")
        self.assertEqual(self.deliver(paid), (200, "outside"))
        problem = self.problems()
        self.assertEqual(len(problem), 1)
        self.assertIn(
            f"GoCardless refunded 12.00 GBP of {tx.reference} outside Odoo", problem.message
        )
        self.assertEqual(problem.transaction_id, tx)
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(self.deliver(paid), (200, "duplicate"))
        self.assertEqual(len(self.problems()), 1)
        # the same refund failing afterwards is reported again: what was recorded is undone
        refund["status"] = "funds_returned"
        returned = self.refund_event(refund, "funds_returned", "EV-refund-returned")
        self.assertEqual(self.deliver(returned), (200, "outside"))
        self.assertIn("failed", self.problems()[0].message)
        # another refund of the payment is another report
        other = dict(refund, id="RF-dashboard-2", status="paid", amount=300)
        self.assertEqual(self.deliver(self.refund_event(other, "paid", "EV-2")), (200, "outside"))
        self.assertIn("3.00 GBP", self.problems()[0].message)
        self.assertEqual(len(self.problems()), 3)
