import copy
import hashlib
import hmac
import json
import time

from odoo.tests import tagged

from ..gateways import Delivery
from ..gateways.paddle import controllers
from . import common

TXN_ID = "txn_01hv8wptq8987qeep44cyrewp9"

# "transaction.completed" event of Paddle's SDK fixtures (tests/Functional/Resources/
# Simulations/_fixtures/payload), trimmed to one line item and one captured payment.
TRANSACTION = {
    "id": TXN_ID,
    "status": "completed",
    "origin": "web",
    "custom_data": None,
    "customer_id": "ctm_01hv6y1jedq4p1n0yqn5ba3ky4",
    "currency_code": "USD",
    "collection_mode": "automatic",
    "details": {
        "totals": {
            "fee": "3311",
            "tax": "5315",
            "total": "65215",
            "credit": "0",
            "balance": "0",
            "discount": "0",
            "earnings": "56589",
            "subtotal": "59900",
            "grand_total": "65215",
            "currency_code": "USD",
            "credit_to_balance": "0",
            "grand_total_tax": "5315",
        },
        "line_items": [
            {
                "id": "txnitm_01hv8wt98jahpbm1t1tzr06z6n",
                "totals": {"tax": "5315", "total": "65215", "discount": "0", "subtotal": "59900"},
                "quantity": 1,
                "tax_rate": "0.08875",
            }
        ],
    },
    "checkout": {"url": "https://aeroedit.com/pay?_ptxn=txn_01hv8wptq8987qeep44cyrewp9"},
    "payments": [
        {
            "amount": "65215",
            "status": "captured",
            "created_at": "2024-04-12T10:18:33.579142Z",
            "error_code": None,
            "captured_at": "2024-04-12T10:18:47.635628Z",
            "method_details": {
                "card": {
                    "type": "visa",
                    "last4": "3184",
                    "expiry_year": 2025,
                    "expiry_month": 1,
                    "cardholder_name": "Michael McGovern",
                },
                "type": "card",
            },
            "payment_method_id": "paymtd_01hv8x1tpjfnttxddw73xnqx6s",
        }
    ],
}
FAILED_PAYMENT = {
    "amount": "65215",
    "status": "error",
    "created_at": "2024-04-12T10:15:57.888183Z",
    "error_code": "declined",
    "captured_at": None,
    "method_details": {"card": {"type": "visa", "last4": "0002"}, "type": "card"},
    "payment_method_id": "paymtd_01hv8wx2mka7dfsqjjsxh1ne7z",
}
# event_type -> transaction status in the SDK's payload fixtures. Paddle sends no
# webhook for a payment under way: the late non-final one is transaction.ready (the
# client typed their details; nothing paid, so ignored).
EVENTS = {
    "done": ("transaction.completed", "completed"),
    "pending": ("transaction.ready", "ready"),
    "error": ("transaction.payment_failed", "ready"),
    "cancel": ("transaction.canceled", "canceled"),
}

# Adjustments response fixture minimal_entity.json of Paddle's SDK.
ADJUSTMENT = {
    "id": "adj_01h8c65c2ggq5nxswnnwv78e75",
    "action": "refund",
    "type": "partial",
    "transaction_id": TXN_ID,
    "reason": "error",
    "currency_code": "USD",
    "status": "pending_approval",
    "items": [
        {
            "id": "adjitm_01h8c65c2ggq5nxswnnz4kxkkr",
            "item_id": "txnitm_01hv8wt98jahpbm1t1tzr06z6n",
            "type": "partial",
            "amount": "1000",
            "totals": {"subtotal": "920", "tax": "80", "total": "1000"},
        }
    ],
    "totals": {"subtotal": "920", "tax": "80", "total": "1000", "currency_code": "USD"},
}

# Paddle's SDK Verifier tests: a real notification signed with a destination's secret key,
# and a header carrying several h1 values (secret rotation).
SDK_SECRET = "pdl_ntfset_01hs0t3tw21j988db1pam5xg8m_GrOWLNef+vmtjJYq4mSnHNzvc8uWoJ1I"
SDK_SIGNATURE = "ts=1710498758;h1=558bf93944dbeb4790c7a8af6cb2ea435c8ca9c8396aafc1a4e37424ac132744"
SDK_PAYLOAD = (
    b'{"data":{"id":"ctm_01hs0tqf76sxmp7ba5e4mw1sc8","name":"John Doe","email":'
    b'"blackhole+verification2@paddle.com","locale":"en","status":"active","created_at":'
    b'"2024-03-15T10:32:37.862Z","updated_at":"2024-03-15T10:32:37.862Z","custom_data":null,'
    b'"import_meta":null,"marketing_consent":false},"event_id":"evt_01hs0tqfme2xwb2hvwv87p8y3w",'
    b'"event_type":"customer.created","occurred_at":"2024-03-15T10:32:38.286848Z",'
    b'"notification_id":"ntf_01hs0tqfrhgkyp39x4wyvy7h6n"}'
)
SDK_ROTATION_SECRET = "pdl_ntf_01hbpjmytsa32fhr36nqgc3kgb_WvRO0eL4Bj9rgYYIBZY6wZhG4EHy9jzh"
SDK_ROTATION_SIGNATURE = (
    "ts=1696195954;h1=dummy;h1=d96299976a6eb066f484d7fde011ac56fc32b38fc9940bc419d6e537fdc6ef02"
)


@tagged("post_install", "-at_install")
class TestPaddle(common.GatewayCase):
    gateway_code = "paddle"
    currency_code = "USD"
    credentials = {
        "invoicera_public_key": "test_7d279f61a3499fed520f7cd8c08",
        "invoicera_secret_key": "pdl_sdbx_apikey_secret",
        "invoicera_webhook_secret": "pdl_ntfset_01hs0t3tw21j988db1pam5xg8m_secret",
    }
    signs_timestamp = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hosted_page = f"{cls.provider._invoicera_url('pay')}?_ptxn={TXN_ID}"

    # -- hooks -------------------------------------------------------------------------

    def transaction(self, tx, status="done", amount=None, currency=None):
        data = copy.deepcopy(TRANSACTION)
        grand_total = str(self.minor() if amount is None else amount)
        data["status"] = EVENTS[status][1]
        data["custom_data"] = {"reference": tx.reference}
        data["currency_code"] = currency or tx.currency_id.name
        data["details"]["totals"].update(total=grand_total, grand_total=grand_total)
        data["details"]["line_items"][0]["totals"]["total"] = grand_total
        if status == "error":
            data["payments"] = [FAILED_PAYMENT]
        elif status != "done":
            data["payments"] = []
        return data

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        return json.dumps(
            {
                "event_id": f"evt_01hv8x2acma5cjvxhwx6tm3j{event_id}",
                "event_type": EVENTS[status][0],
                "occurred_at": "2024-04-12T10:18:49.621022Z",
                "notification_id": f"ntf_01hv8x2af42fh4j3m4tdz3dfrh{event_id}",
                "data": self.transaction(tx, status, amount, currency),
            }
        ).encode()

    def sign(self, body, secret, timestamp=None):
        # Paddle-Signature: ts=<unix seconds>;h1=hex(HMAC-SHA256(secret, "<ts>:<raw body>"))
        stamp = str(int(time.time() if timestamp is None else timestamp))
        digest = hmac.new(secret.encode(), stamp.encode() + b":" + body, hashlib.sha256)
        return {"Paddle-Signature": f"ts={stamp};h1={digest.hexdigest()}"}

    def checkout_routes(self, tx):
        def created(method, url, kwargs):
            # Paddle answers with the transaction; its payment link is the URL passed + _ptxn.
            sent = kwargs["json"]
            data = self.transaction(tx, "pending")
            data.update(
                status="draft",
                custom_data=sent["custom_data"],
                checkout={"url": f"{sent['checkout']['url']}?_ptxn={TXN_ID}"},
            )
            return 201, {
                "data": data,
                "meta": {"request_id": "4ec9ff32-c88a-4eef-93b6-d8b99b5fba4b"},
            }

        return {("POST", r"/transactions$"): created}

    def refund_routes(self, tx):
        return {
            ("GET", r"/adjustments$"): (200, {"data": [], "meta": {}}),
            ("GET", rf"/transactions/{tx.provider_reference}$"): (
                200,
                {"data": self.transaction(tx), "meta": {}},
            ),
            ("POST", r"/adjustments$"): (201, {"data": ADJUSTMENT, "meta": {}}),
        }

    # -- Paddle specifics ---------------------------------------------------------------

    def gateway(self):
        return self.gateway_class(self.provider)

    def test_a_transaction_without_odoo_s_reference_is_acknowledged(self):
        """A subscription renewal or a payment link of the same Paddle account
        carries no Odoo reference (custom_data null): answered 200 and listed as
        ignored, not 409 (Paddle sent it again for days)."""
        tx = self.make_tx()
        body = json.loads(self.notification(tx))
        body["data"]["custom_data"] = None
        body["data"]["id"] = "txn_01hv8wptq8987qeep44cyrewp9"
        self.assertEqual(self.deliver(json.dumps(body).encode()), (200, "ignored"))
        self.assertIn("no Odoo reference", self.events().message)
        self.assertEqual(tx.state, "draft")

    def test_checkout_payload(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        sent = self.api.last(r"/transactions$")
        self.assertEqual(sent["url"], "https://sandbox-api.paddle.com/transactions")
        self.assertEqual(sent["headers"]["Authorization"], "Bearer pdl_sdbx_apikey_secret")
        self.assertNotIn("Idempotency-Key", sent["headers"])
        payload = sent["json"]
        price = payload["items"][0]["price"]
        self.assertEqual(payload["items"][0]["quantity"], 1)
        self.assertEqual(price["unit_price"], {"amount": "123450", "currency_code": "USD"})
        self.assertEqual(price["tax_mode"], "internal")
        self.assertEqual(price["product"]["tax_category"], "standard")
        self.assertEqual(payload["currency_code"], "USD")
        self.assertEqual(payload["custom_data"], {"reference": tx.reference})
        self.assertEqual(payload["checkout"]["url"], self.provider._invoicera_url("pay"))
        self.assertEqual(tx.provider_reference, TXN_ID)

    def test_zero_decimal_currency_is_sent_in_yen(self):
        jpy = self._prepare_currency("JPY")
        tx = self.make_tx(reference="JPY-paddle", currency_id=jpy.id, amount=1234, invoice_ids=[])
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        price = self.api.last(r"/transactions$")["json"]["items"][0]["price"]
        self.assertEqual(price["unit_price"], {"amount": "1234", "currency_code": "JPY"})

    def test_documented_signature_vectors(self):
        gateway = self.gateway()
        gateway.provider.invoicera_webhook_secret = SDK_SECRET
        headers = {"Paddle-Signature": SDK_SIGNATURE}
        self.assertTrue(gateway.verify(Delivery(headers=headers, body=SDK_PAYLOAD), now=1710498758))
        tampered = SDK_PAYLOAD.replace(b"John", b"Joan", 1)
        self.assertFalse(gateway.verify(Delivery(headers=headers, body=tampered), now=1710498758))
        # Outside the five-second tolerance of Paddle's SDKs.
        self.assertFalse(
            gateway.verify(Delivery(headers=headers, body=SDK_PAYLOAD), now=1710498764)
        )
        # Several h1 values: any match is enough.
        gateway.provider.invoicera_webhook_secret = SDK_ROTATION_SECRET
        headers = {"Paddle-Signature": SDK_ROTATION_SIGNATURE}
        self.assertTrue(
            gateway.verify(Delivery(headers=headers, body=b"hello-world"), now=1696195954)
        )
        self.assertFalse(
            gateway.verify(Delivery(headers=headers, body=b"hello-worlD"), now=1696195954)
        )

    def test_amount_checked_is_the_grand_total(self):
        # Paddle adds nothing on top of a tax-inclusive price: grand_total is the invoice.
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.payment_method_id.code, "card")
        # A grand total with tax added on top (tax_mode external) is a mismatch.
        other = self.make_tx(reference="TAX-ON-TOP")
        answer = self.deliver(self.notification(other, amount=self.minor() + 10956, event_id="tax"))
        self.assertEqual(answer, (200, "mismatch"))

    def test_paid_then_completed_events(self):
        tx = self.make_tx()
        paid = json.loads(self.notification(tx, event_id="paid"))
        paid.update(event_type="transaction.paid")
        paid["data"]["status"] = "paid"
        self.assertEqual(self.deliver(json.dumps(paid).encode()), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.deliver(self.notification(tx, event_id="completed"))[0], 200)
        self.assertEqual(len(self.events()), 2)

    def test_payment_failed_then_completed(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "error", event_id="failed"))
        self.assertEqual(tx.state, "error")
        self.assertIn("declined", tx.state_message)
        self.deliver(self.notification(tx, "done", event_id="completed"))
        self.assertEqual(tx.state, "done")

    def test_failed_payment_shows_a_sentence_with_the_error_code(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "error", event_id="failed"))
        self.assertEqual(tx.state, "error")
        message = tx.state_message
        self.assertNotEqual(message, "declined")
        self.assertIn("Paddle", message)
        self.assertIn("declined", message, "the error code, for support")

    def test_other_events_are_ignored(self):
        tx = self.make_tx()
        self.assertEqual(self.deliver(SDK_PAYLOAD), (200, "ignored"))
        self.assertEqual(tx.state, "draft")

    def test_checkout_page(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        html = tx._get_processing_values()["redirect_form_html"]
        self.assertIn(f'value="{TXN_ID}"', html)  # the _ptxn parameter of the payment link
        values = controllers.checkout_page_values(self.env, self.provider.id, TXN_ID)
        self.assertEqual(values["client_token"], "test_7d279f61a3499fed520f7cd8c08")
        self.assertEqual(values["sandbox"], "1")
        self.assertTrue(values["return_url"].endswith(f"?reference={tx.reference}"))
        page = str(self.env["ir.qweb"]._render("invoicera_gateways.paddle_checkout_page", values))
        self.assertIn('<script src="https://cdn.paddle.com/paddle/v2/paddle.js"></script>', page)
        self.assertIn('Paddle.Environment.set("sandbox")', page)
        self.assertIn('data-token="test_7d279f61a3499fed520f7cd8c08"', page)
        self.assertIsNone(controllers.checkout_page_values(self.env, self.provider.id, "txn_other"))

    def test_return_fetches_the_transaction(self):
        tx = self.make_tx()
        tx.provider_reference = TXN_ID
        self.api.routes[("GET", rf"/transactions/{TXN_ID}$")] = (
            200,
            {"data": self.transaction(tx), "meta": {}},
        )
        event = self.gateway().fetch_status(tx)
        self.assertEqual(
            (event.status, event.amount, event.currency), ("done", self.minor(), "USD")
        )

    def test_partial_refund_adjustment(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = TXN_ID
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        sent = self.api.last(r"/adjustments$")
        self.assertEqual(sent["method"], "POST")
        self.assertEqual(
            sent["json"],
            {
                "action": "refund",
                "transaction_id": TXN_ID,
                "reason": f"Refund {refund.reference}",
                "items": [
                    {
                        "item_id": "txnitm_01hv8wt98jahpbm1t1tzr06z6n",
                        "type": "partial",
                        "amount": "1000",
                    }
                ],
            },
        )
        self.assertEqual(refund.state, "pending")  # Paddle approves refunds first

    def test_retried_refund_reuses_the_adjustment(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = TXN_ID
        routes = self.refund_routes(tx)
        made = dict(ADJUSTMENT, status="approved")
        routes[("GET", r"/adjustments$")] = (200, {"data": [made], "meta": {}})
        self.api.routes = routes

        def reason_of_next_refund(method, url, kwargs):
            made["reason"] = f"Refund R-{tx.reference}"
            return 200, {"data": [made], "meta": {}}

        routes[("GET", r"/adjustments$")] = reason_of_next_refund
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(made["reason"], f"Refund {refund.reference}")
        self.assertFalse([c for c in self.api.calls if c["method"] == "POST"])
        self.assertEqual(refund.state, "done")

    def test_refund_approval_arrives_by_webhook(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = TXN_ID
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual((refund.state, refund.provider_reference), ("pending", ADJUSTMENT["id"]))
        # "adjustment.updated" event of Paddle's SDK fixtures, the refund approved.
        body = {
            "event_id": "evt_01hvgfbqq8rz0kbz9vhfhbj0d4",
            "event_type": "adjustment.updated",
            "occurred_at": "2024-04-15T08:54:10.646377Z",
            "notification_id": "ntf_01hvgfbqv1e2vq0xqsbb4nxbpq",
            "data": dict(ADJUSTMENT, status="approved"),
        }
        self.assertEqual(self.deliver(json.dumps(body).encode()), (200, "processed"))
        self.assertEqual(refund.state, "done")

    def test_refund_made_in_the_dashboard_is_reported_once(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = TXN_ID
        # a refund made in Paddle's dashboard (its own reason, not Odoo's), approved
        adjustment = dict(
            ADJUSTMENT,
            id="adj_dashboard",
            status="approved",
            totals={"subtotal": "1104", "tax": "96", "total": "1200", "currency_code": "USD"},
        )
        body = {
            "event_id": "evt_dashboard_refund",
            "event_type": "adjustment.updated",
            "occurred_at": "2024-04-15T08:54:10.646377Z",
            "notification_id": "ntf_01hvgfbqv1e2vq0xqsbb4nxbpq",
            "data": adjustment,
        }
        body = json.dumps(body).encode()
        self.assertEqual(self.deliver(body), (200, "outside"))
        problem = self.problems()
        self.assertEqual(len(problem), 1)
        self.assertIn(f"Paddle refunded 12.00 USD of {tx.reference} outside Odoo", problem.message)
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.problems()), 1)
