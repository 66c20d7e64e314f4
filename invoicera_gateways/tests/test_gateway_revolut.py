import copy
import hashlib
import hmac
import json
import time
import uuid
from unittest.mock import patch
from urllib.parse import urlencode

from odoo.tests import HttpCase, tagged

from odoo.addons.account_payment.tests.common import AccountPaymentCommon

from ..gateways import Delivery
from ..gateways.base import Gateway
from ..gateways.revolut import controllers
from ..gateways.revolut.gateway import API_VERSION
from . import common

# Merchant API 2026-04-20 (https://developer.revolut.com/docs/api/merchant), "Create an order"
# response example Res-Order-Min.
ORDER_CREATED = {
    "id": "6516e61c-d279-a454-a837-bc52ce55ed49",
    "token": "0adc0e3c-ab44-4f33-bcc0-534ded7354ce",
    "type": "payment",
    "state": "pending",
    "created_at": "2023-09-29T14:58:36.079398Z",
    "updated_at": "2023-09-29T14:58:36.079398Z",
    "amount": 500,
    "currency": "GBP",
    "outstanding_amount": 500,
    "capture_mode": "automatic",
    "authorisation_type": "final",
    "checkout_url": "https://checkout.revolut.com/payment-link/0adc0e3c-ab44-4f33-bcc0-534ded7354ce",
    "enforce_challenge": "automatic",
}

# "Retrieve an order" example Res-Order-Capture-Min (a completed order), trimmed; the
# payment method carries an ``id`` only when it was saved (Card schema).
ORDER_COMPLETED = {
    "id": "65c4c739-113d-a608-9128-47c7ca90cbe3",
    "token": "ebc06202-061e-4d0f-8063-99195fad31fb",
    "type": "payment",
    "state": "completed",
    "created_at": "2024-02-08T12:21:13.022871Z",
    "updated_at": "2024-02-08T12:21:52.194601Z",
    "amount": 100,
    "currency": "GBP",
    "refunded_amount": 0,
    "outstanding_amount": 0,
    "capture_mode": "automatic",
    "payments": [
        {
            "id": "65c4c748-bf0d-af8a-9d69-0fc92bc0ff94",
            "state": "captured",
            "created_at": "2024-02-08T12:21:28.803165Z",
            "updated_at": "2024-02-08T12:21:52.191352Z",
            "amount": 100,
            "currency": "GBP",
            "settled_amount": 100,
            "settled_currency": "GBP",
            "risk_level": "low",
            "payment_method": {
                "type": "card",
                "card_brand": "visa",
                "funding": "debit",
                "card_country_code": "US",
                "card_bin": "529999",
                "card_last_four": "0368",
                "card_expiry": "12/28",
                "cardholder_name": "Test Holder",
            },
        }
    ],
    "customer": {"id": "467646d6-e452-4d1e-a401-703f09cd3818", "email": "example@example.com"},
}

# "Refund an order" response example Res-Refund-Min, trimmed.
REFUND_ORDER = {
    "id": "6852e9a6-5cf0-ac65-8182-6a9c251011ce",
    "type": "refund",
    "state": "processing",
    "created_at": "2025-06-18T16:30:30.792962Z",
    "updated_at": "2025-06-18T16:30:30.954966Z",
    "amount": 100,
    "currency": "GBP",
    "outstanding_amount": 100,
    "payments": [
        {
            "id": "6852e9a6-ca77-a25d-b0be-83191db96e68",
            "state": "refund_validated",
            "amount": 100,
            "currency": "GBP",
            "payment_method": {"type": "card", "card_brand": "visa", "card_last_four": "1234"},
        }
    ],
    "related_order_id": "6852e963-d6a9-a5a4-9609-50b3addc5425",
}

# "Pay for an order" response example "Payment authorised (card)"; the charge test answers
# with the documented final state of a captured payment (Retrieve payment details).
PAYMENT = {
    "id": "63c55e04-4208-a43d-9c96-eaee848ffbaf",
    "order_id": "63c55df6-1461-a886-b90f-f49d3c370253",
    "payment_method": {
        "type": "card",
        "id": "2b83c23a-650e-40c3-8989-00ee24478738",
        "brand": "mastercard_credit",
        "last_four": "1234",
    },
    "state": "authorisation_passed",
}

# Webhook signature guide: the example signing secret, timestamp and ORDER_COMPLETED payload
# of the merchant guide, and the signature header published in Revolut's Business API webhook
# guide (same v1 scheme) for its TransactionStateChanged example.
DOC_SECRET = "wsk_r59a4HfWVAKycbCaNO1RvgCJec02gRd8"
DOC_TIMESTAMP = "1683650202360"
DOC_ORDER_PAYLOAD = (
    b'{"event": "ORDER_COMPLETED","order_id": "9fc01989-3f61-4484-a5d9-ffe768531be9",'
    b'"merchant_order_ext_ref": "Test #3928"}'
)
DOC_PAYLOAD = (
    b'{"data":{"id":"645a7696-22f3-aa47-9c74-cbae0449cc46","new_state":"completed",'
    b'"old_state":"pending","request_id":"app_charges-9f5d5eb3-1e06-46c5-b1c0-3914763e0bcb"},'
    b'"event":"TransactionStateChanged","timestamp":"2023-05-09T16:36:38.028960Z"}'
)
DOC_SIGNATURE = "v1=bca326fb378d0da7f7c490ad584a8106bab9723d8d9cdd0d50b4c5b3be3837c0"

EVENTS = {
    "done": ("ORDER_COMPLETED", "completed"),
    "pending": ("ORDER_AUTHORISED", "processing"),
    "error": ("ORDER_PAYMENT_DECLINED", "pending"),
    "cancel": ("ORDER_CANCELLED", "cancelled"),
}


@tagged("post_install", "-at_install")
class TestRevolut(common.GatewayCase):
    gateway_code = "revolut"
    currency_code = "GBP"
    credentials = {"invoicera_secret_key": "sk_test_secret", "invoicera_webhook_secret": "wsk_test"}
    hosted_page = ORDER_CREATED["checkout_url"]
    signs_timestamp = True

    # -- hooks -------------------------------------------------------------------------

    def order_id(self, tx):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, tx.reference))

    def order(self, tx, status="done", amount=None, currency=None, saved=False):
        order = copy.deepcopy(ORDER_COMPLETED)
        order.update(
            id=self.order_id(tx),
            state=EVENTS[status][1],
            amount=self.minor() if amount is None else amount,
            currency=currency or tx.currency_id.name,
            merchant_order_data={"reference": tx.reference},
        )
        payment = order["payments"][0]
        payment.update(amount=order["amount"], currency=order["currency"])
        if status != "done":
            payment["state"] = "declined" if status == "error" else "authorisation_started"
            payment["decline_reason"] = "insufficient_funds"
        if saved:
            payment["payment_method"]["id"] = "2b83c23a-650e-40c3-8989-00ee24478738"
        return order

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        # The webhook body (Webhook event) names the order; the adapter retrieves the order.
        order = self.order(tx, status, amount, currency)
        self.api.routes[("GET", rf"/api/orders/{order['id']}$")] = (200, order)
        body = {
            "event": EVENTS[status][0],
            "order_id": order["id"],
            "merchant_order_ext_ref": tx.reference,
        }
        return json.dumps(body).encode()

    def sign(self, body, secret, timestamp=None):
        # v1=hex(HMAC-SHA256(secret, "v1.<timestamp in ms>.<raw body>"))
        stamp = str(int((time.time() if timestamp is None else timestamp) * 1000))
        digest = hmac.new(secret.encode(), b"v1." + stamp.encode() + b"." + body, hashlib.sha256)
        return {
            "Revolut-Request-Timestamp": stamp,
            "Revolut-Signature": "v1=" + digest.hexdigest(),
        }

    def checkout_routes(self, tx):
        return {("POST", r"/api/orders$"): (201, dict(ORDER_CREATED))}

    def refund_routes(self, tx):
        refund = dict(
            REFUND_ORDER, amount=1000, merchant_order_data={"reference": "R-" + tx.reference}
        )
        return {("POST", rf"/api/orders/{tx.provider_reference}/refund$"): (201, refund)}

    def charge_routes(self, tx):
        created = dict(ORDER_CREATED, id=self.order_id(tx), amount=self.minor())
        return {
            ("GET", r"/api/orders$"): (200, {"orders": []}),
            ("POST", r"/api/orders$"): (201, created),
            ("POST", r"/api/orders/[^/]+/payments$"): (200, dict(PAYMENT, state="captured")),
        }

    # -- Revolut specifics --------------------------------------------------------------

    def gateway(self):
        return self.gateway_class(self.provider)

    def test_checkout_payload_and_headers(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        sent = self.api.last(r"/api/orders$")
        self.assertEqual(sent["url"], "https://sandbox-merchant.revolut.com/api/orders")
        payload = sent["json"]
        self.assertEqual(payload["amount"], 123450)  # GBP 1,234.50 in pence
        self.assertEqual(payload["currency"], "GBP")
        self.assertEqual(payload["merchant_order_data"], {"reference": tx.reference})
        self.assertEqual(payload["customer"], {"email": tx.partner_email})
        self.assertTrue(
            payload["redirect_url"].endswith(f"/return/{self.provider.id}?reference={tx.reference}")
        )
        self.assertEqual(sent["headers"]["Authorization"], "Bearer sk_test_secret")
        self.assertEqual(sent["headers"]["Revolut-Api-Version"], API_VERSION)
        self.assertTrue(sent["headers"]["Idempotency-Key"])
        self.assertEqual(tx.provider_reference, ORDER_CREATED["id"])

    def test_minor_units_follow_iso_4217(self):
        gateway = self.gateway()
        self.assertEqual(gateway.minor(1234, "JPY"), 1234)
        self.assertEqual(gateway.minor(70.34, "EUR"), 7034)
        self.assertEqual(gateway.minor(100, "ISK"), 100)  # "in ISK they represent 100 units"
        self.assertEqual(gateway.minor(1.234, "BHD"), 1234)

    def test_zero_decimal_currency_checkout(self):
        jpy = self._prepare_currency("JPY")
        tx = self.make_tx(reference="JPY-revolut", currency_id=jpy.id, amount=1234, invoice_ids=[])
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        payload = self.api.last(r"/api/orders$")["json"]
        self.assertEqual((payload["amount"], payload["currency"]), (1234, "JPY"))

    def test_documented_signature_vectors(self):
        gateway = self.gateway()
        gateway.provider.invoicera_webhook_secret = DOC_SECRET
        now = int(DOC_TIMESTAMP) / 1000
        headers = {"Revolut-Request-Timestamp": DOC_TIMESTAMP, "Revolut-Signature": DOC_SIGNATURE}
        self.assertTrue(gateway.verify(Delivery(headers=headers, body=DOC_PAYLOAD), now=now))
        tampered = DOC_PAYLOAD.replace(b"completed", b"completeD", 1)
        self.assertFalse(gateway.verify(Delivery(headers=headers, body=tampered), now=now))
        # The merchant guide's ORDER_COMPLETED example, signed by its reference implementation.
        signed = hmac.new(
            DOC_SECRET.encode(),
            b"v1." + DOC_TIMESTAMP.encode() + b"." + DOC_ORDER_PAYLOAD,
            "sha256",
        ).hexdigest()
        self.assertEqual(signed, "281b1f1aebe9357b7b128fd6a3aae0fe202c901add4ce75e6d038e498871d7fd")
        headers["Revolut-Signature"] = f"v1={signed}"
        self.assertTrue(gateway.verify(Delivery(headers=headers, body=DOC_ORDER_PAYLOAD), now=now))
        self.assertFalse(
            gateway.verify(Delivery(headers=headers, body=DOC_ORDER_PAYLOAD + b" "), now=now)
        )
        # Stale beyond the documented 5-minute tolerance.
        self.assertFalse(
            gateway.verify(Delivery(headers=headers, body=DOC_ORDER_PAYLOAD), now=now + 301)
        )

    def test_any_of_several_signatures_is_accepted(self):
        tx = self.make_tx()
        body = self.notification(tx)
        headers = self.sign(body, self.secret())
        old = self.sign(body, "wsk_rotated_out")["Revolut-Signature"]
        headers["Revolut-Signature"] = f"{old},{headers['Revolut-Signature']}"
        self.assertEqual(self.deliver(body, headers), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_notification_amount_comes_from_the_order(self):
        tx = self.make_tx()
        body = self.notification(tx)
        self.assertNotIn(b"amount", body)
        self.deliver(body)
        fetched = self.api.last(r"/api/orders/")
        self.assertEqual(fetched["method"], "GET")
        self.assertEqual(fetched["headers"]["Revolut-Api-Version"], API_VERSION)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.payment_method_id.code, "card")

    def test_declined_payment_then_completed(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "error"))
        self.assertEqual(tx.state, "error")
        self.assertIn("insufficient_funds", tx.state_message)
        self.deliver(self.notification(tx, "done"))
        self.assertEqual(tx.state, "done")

    def test_order_revolut_will_not_show_is_recorded_and_not_asked_again(self):
        """An order of another Revolut account or mode (404): never shown, so the
        notification is acknowledged and kept as ignored for staff, not retried."""
        tx = self.make_tx()
        body = self.notification(tx)
        self.api.routes[("GET", rf"/api/orders/{self.order_id(tx)}$")] = (
            404,
            {"code": 1018, "message": "Order not found"},
        )
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assertEqual(self.deliver(body), (200, "not applied"))
        self.assertEqual(tx.state, "draft")
        event = self.events()
        self.assertEqual(event.state, "ignored")
        self.assertIn("Revolut refused the request: Order not found", event.message)
        self.assertEqual(self.problems(), event, "the merchant must see it")
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.events()), 1)

    def test_revoked_api_key_gets_the_notification_sent_again(self):
        tx = self.make_tx()
        body = self.notification(tx)
        route = ("GET", rf"/api/orders/{self.order_id(tx)}$")
        order = self.api.routes[route]
        for status in (401, 403):
            self.api.routes[route] = (status, {"message": "Unauthorized"})
            with self.assertLogs("odoo.addons.invoicera_gateways", level="ERROR") as logs:
                self.assertEqual(self.deliver(body)[0], 503, status)
            self.assertIn("Revolut", logs.output[0])
            self.assertIn("Check the API keys in the payment provider's settings", logs.output[0])
            self.assertEqual(tx.state, "draft")
            self.assertFalse(self.events(), "kept nowhere: Revolut sends it again")
        # The merchant enters a valid key: Revolut's next delivery is applied.
        self.api.routes[route] = order
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_a_busy_gateway_gets_the_notification_sent_again(self):
        """Revolut answers our lookup 429 (a burst of orders): the notification is
        answered 503, for Revolut to send it again, not 200 "not applied" (the
        payment was lost)."""
        tx = self.make_tx()
        body = self.notification(tx)
        route = ("GET", rf"/api/orders/{self.order_id(tx)}$")
        order = self.api.routes[route]
        self.api.routes[route] = (429, {"message": "Too many requests"})
        self.assertEqual(self.deliver(body)[0], 503)
        self.assertEqual(tx.state, "draft")
        self.assertFalse(self.events(), "kept nowhere: Revolut sends it again")
        self.api.routes[route] = order
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_other_events_are_ignored(self):
        tx = self.make_tx()
        body = json.dumps({"event": "PAYOUT_COMPLETED", "payout_id": "x"}).encode()
        self.assertEqual(self.deliver(body), (200, "ignored"))
        self.assertFalse(self.api.calls)
        self.assertEqual(tx.state, "draft")

    def test_saved_card_is_kept_as_token(self):
        tx = self.make_tx(tokenize=True)
        order = self.order(tx, saved=True)
        self.api.routes[("GET", rf"/api/orders/{order['id']}$")] = (200, order)
        body = json.dumps(
            {
                "event": "ORDER_COMPLETED",
                "order_id": order["id"],
                "merchant_order_ext_ref": tx.reference,
            }
        ).encode()
        self.deliver(body)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.token_id.provider_ref, "2b83c23a-650e-40c3-8989-00ee24478738")
        self.assertEqual(tx.token_id.invoicera_customer_ref, "467646d6-e452-4d1e-a401-703f09cd3818")
        self.assertEqual(tx.token_id.payment_details, "0368")

    def test_tokenizing_checkout_opens_the_widget_page(self):
        tx = self.make_tx(tokenize=True)
        self.api.routes.update(self.checkout_routes(tx))
        html = tx._get_processing_values()["redirect_form_html"]
        self.assertIn(f"/payment/invoicera/revolut/pay/{self.provider.id}", html)
        # The URL is bound to the transaction; the order's token stays out of it.
        self.assertIn(controllers.page_access_token(tx), html)
        self.assertNotIn(ORDER_CREATED["token"], html)
        self.assertEqual(tx.provider_reference, ORDER_CREATED["id"])
        # The page reads the order's token from Revolut.
        self.api.routes[("GET", rf"/api/orders/{ORDER_CREATED['id']}$")] = (200, ORDER_CREATED)
        values = controllers.checkout_page_values(tx)
        self.assertEqual(values["token"], ORDER_CREATED["token"])
        self.assertEqual(values["mode"], "sandbox")
        self.assertEqual(values["embed_url"], "https://sandbox-merchant.revolut.com/embed.js")
        page = str(self.env["ir.qweb"]._render("invoicera_gateways.revolut_checkout_page", values))
        self.assertIn('savePaymentMethodFor: "merchant"', page)
        self.assertIn(f'data-token="{ORDER_CREATED["token"]}"', page)
        self.assertIn('<script src="https://sandbox-merchant.revolut.com/embed.js"></script>', page)
        # A paid order opens no widget any more.
        self.api.routes[("GET", rf"/api/orders/{ORDER_CREATED['id']}$")] = (
            200,
            dict(ORDER_CREATED, state="completed"),
        )
        self.assertIsNone(controllers.checkout_page_values(tx))

    def test_widget_page_url_is_bound_to_its_transaction(self):
        tx = self.make_tx(tokenize=True, provider_reference=ORDER_CREATED["id"])
        other = self.make_tx(reference="OTHER-revolut", provider_reference="order-2")
        token = controllers.page_access_token(tx)

        def page_tx(reference, access_token, provider_id=self.provider.id):
            return controllers.page_transaction(self.env, provider_id, reference, access_token)

        self.assertEqual(page_tx(tx.reference, token), tx)
        self.assertIsNone(page_tx(tx.reference, ""))
        self.assertIsNone(page_tx(tx.reference, token[:-1] + ("0" if token[-1] != "0" else "1")))
        self.assertIsNone(page_tx(tx.reference, controllers.page_access_token(other)))
        self.assertIsNone(page_tx(other.reference, token))
        self.assertIsNone(page_tx(tx.reference, token, provider_id=self.provider.id + 10**6))
        tx._set_done()
        self.assertIsNone(page_tx(tx.reference, token))

    def test_charge_sends_the_saved_method_for_a_merchant_initiated_payment(self):
        token = self._create_token(provider_ref="pm_saved", invoicera_customer_ref="cus_1")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="MIT-revolut")
        self.api.routes.update(self.charge_routes(tx))
        tx._send_payment_request()
        self.assertEqual(tx.state, "done")
        created = self.api.last(r"/api/orders$")["json"]
        self.assertEqual(created["customer"], {"id": "cus_1"})
        self.assertEqual(created["merchant_order_data"], {"reference": tx.reference})
        paid = self.api.last(r"/payments$")["json"]
        self.assertEqual(
            paid,
            {"saved_payment_method": {"type": "card", "id": "pm_saved", "initiator": "merchant"}},
        )

    def test_charge_retry_does_not_pay_an_order_paid_meanwhile(self):
        token = self._create_token(provider_ref="pm_saved", invoicera_customer_ref="cus_1")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="MIT2-revolut")
        tx.invoicera_retry = True  # the previous attempt timed out after Revolut took it
        order = self.order(tx)
        self.api.routes = {
            ("GET", r"/api/orders$"): (200, {"orders": [{"id": order["id"], "type": "payment"}]}),
            ("GET", rf"/api/orders/{order['id']}$"): (200, order),
        }
        event = self.gateway().charge_token(tx)
        self.assertEqual((event.status, event.amount), ("done", self.minor()))
        self.assertFalse([c for c in self.api.calls if c["method"] == "POST"])

    def test_refund_payload(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = ORDER_COMPLETED["id"]
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        sent = self.api.last("/refund")
        refund = tx.child_transaction_ids
        self.assertEqual(sent["json"]["amount"], 1000)
        self.assertEqual(sent["json"]["currency"], "GBP")
        self.assertEqual(sent["json"]["merchant_order_data"], {"reference": refund.reference})
        self.assertEqual(
            sent["headers"]["Idempotency-Key"], self.gateway().idempotency_key(refund, "refund")
        )
        self.assertEqual(refund.state, "pending")

    def test_refund_completion_arrives_by_webhook(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = ORDER_COMPLETED["id"]
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual((refund.state, refund.provider_reference), ("pending", REFUND_ORDER["id"]))
        completed = dict(
            REFUND_ORDER,
            state="completed",
            amount=1000,
            merchant_order_data={"reference": refund.reference},
        )
        self.api.routes[("GET", rf"/api/orders/{REFUND_ORDER['id']}$")] = (200, completed)
        body = json.dumps({"event": "ORDER_COMPLETED", "order_id": REFUND_ORDER["id"]}).encode()
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(refund.state, "done")


@tagged("post_install", "-at_install")
class TestRevolutWidgetRoute(AccountPaymentCommon, HttpCase):
    """Over HTTP: the widget page, which only the URL bound to a transaction
    opens, and the webhook route when Revolut's API refuses the order lookup."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.currency = cls._prepare_currency("GBP")
        cls.provider = cls._prepare_provider(
            "revolut",
            update_values={
                "invoicera_secret_key": "sk_test_secret",
                "invoicera_webhook_secret": "wsk_test",
            },
        )
        cls.provider.journal_id = cls.company_data["default_journal_bank"]
        cls.payment_method_id = cls.env.ref("payment.payment_method_card").id
        cls.partner.email = "client@example.com"
        cls.amount = 25.0

    def setUp(self):
        super().setUp()
        self.api = common.FakeGatewayAPI(
            {("GET", rf"/api/orders/{ORDER_CREATED['id']}$"): (200, ORDER_CREATED)}
        )
        self.startPatcher(patch.object(Gateway, "_send", side_effect=self.api))
        self.tx = self._create_transaction(
            "redirect",
            reference="INV/2026/00042",
            tokenize=True,
            provider_reference=ORDER_CREATED["id"],
        )
        self.other = self._create_transaction(
            "redirect", reference="INV/2026/00043", provider_reference="order-of-another"
        )

    def open_page(self, reference, access_token=None):
        query = {"reference": reference}
        if access_token is not None:
            query["access_token"] = access_token
        return self.url_open(
            f"/payment/invoicera/revolut/pay/{self.provider.id}?{urlencode(query)}",
            allow_redirects=False,
        )

    def test_good_token_renders_the_widget_with_the_order_token_from_revolut(self):
        token = controllers.page_access_token(self.tx)
        page = self.open_page(self.tx.reference, token)
        self.assertEqual(page.status_code, 200, page.text)
        self.assertIn(f'data-token="{ORDER_CREATED["token"]}"', page.text)
        self.assertIn('data-email="client@example.com"', page.text)
        self.assertEqual(
            self.api.last("/api/orders/")["url"],
            f"https://sandbox-merchant.revolut.com/api/orders/{ORDER_CREATED['id']}",
        )

    def test_missing_wrong_or_foreign_token_is_not_found(self):
        token = controllers.page_access_token(self.tx)
        for access_token in (None, "", "forged", token.upper(), token + "0"):
            page = self.open_page(self.tx.reference, access_token)
            self.assertEqual(page.status_code, 404, access_token)
            self.assertNotIn("client@example.com", page.text)
        # Another transaction's token opens neither this one nor its own under this name.
        foreign = controllers.page_access_token(self.other)
        self.assertEqual(self.open_page(self.tx.reference, foreign).status_code, 404)
        self.assertEqual(self.open_page(self.other.reference, token).status_code, 404)
        self.assertFalse(self.api.calls, "nothing is asked of Revolut for a refused URL")
        # A token given in the URL is never used as the order's token.
        page = self.url_open(
            f"/payment/invoicera/revolut/pay/{self.provider.id}?"
            + urlencode({"reference": self.tx.reference, "access_token": token, "token": "x"})
        )
        self.assertNotIn('data-token="x"', page.text)

    def test_paid_order_leads_to_the_return_route(self):
        self.api.routes[("GET", rf"/api/orders/{ORDER_CREATED['id']}$")] = (
            200,
            dict(ORDER_CREATED, state="completed"),
        )
        page = self.open_page(self.tx.reference, controllers.page_access_token(self.tx))
        self.assertEqual(page.status_code, 303)
        self.assertIn(
            f"/payment/invoicera/revolut/return/{self.provider.id}?reference=INV%2F2026%2F00042",
            page.headers["Location"],
        )

    def post(self, body):
        stamp = str(int(time.time() * 1000))
        digest = hmac.new(b"wsk_test", b"v1." + stamp.encode() + b"." + body, hashlib.sha256)
        headers = {
            "Content-Type": "application/json",
            "Revolut-Request-Timestamp": stamp,
            "Revolut-Signature": "v1=" + digest.hexdigest(),
        }
        return self.url_open(
            f"/payment/invoicera/revolut/webhook/{self.provider.id}", data=body, headers=headers
        )

    def test_refused_lookup_is_answered_not_an_error_page(self):
        body = json.dumps({"event": "ORDER_COMPLETED", "order_id": "order-elsewhere"}).encode()
        route = ("GET", r"/api/orders/order-elsewhere$")
        for status, answer in ((404, 200), (401, 503)):
            self.api.routes[route] = (status, {"message": "Refused"})
            with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
                response = self.post(body)
            self.assertEqual(response.status_code, answer, response.text)
            self.assertIn("result", response.json())
