import base64
import hashlib
import hmac
import json
import time
from decimal import Decimal

from odoo.tests import tagged

from ..gateways.base import Delivery
from ..gateways.cashfree.gateway import cashfree_id
from . import common

# https://www.cashfree.com/docs/api-reference/payments/previous/v2023-08-01/payments/webhooks
# "Payment success webhook", version 2023-08-01 (customer e-mail and offer
# dates trimmed). Note the offer: the customer paid 1 on an order of 2.
PAYMENT_SUCCESS_WEBHOOK = {
    "data": {
        "order": {
            "order_id": "order_OFR_2",
            "order_amount": 2,
            "order_currency": "INR",
            "order_tags": None,
        },
        "payment": {
            "cf_payment_id": "1453002795",
            "payment_status": "SUCCESS",
            "payment_amount": 1,
            "payment_currency": "INR",
            "payment_message": "00::Transaction success",
            "payment_time": "2022-12-15T12:20:29+05:30",
            "bank_reference": "234928698581",
            "auth_id": None,
            "payment_method": {"upi": {"channel": "collect", "upi_id": "suhasg6@ybl"}},
            "payment_group": "upi",
        },
        "customer_details": {
            "customer_name": None,
            "customer_id": "7112AAA812234",
            "customer_email": "john@cashfree.com",
            "customer_phone": "9908734801",
        },
        "payment_gateway_details": {
            "gateway_name": "CASHFREE",
            "gateway_order_id": "1634766330",
            "gateway_payment_id": "1504280029",
            "gateway_order_reference_id": "abc_124",
            "gateway_settlement": "CASHFREE",
            "gateway_status_code": None,
        },
        "payment_offers": [
            {
                "offer_id": "0f05e1d0-fbf8-4c9c-a1f0-814c7b2abdba",
                "offer_type": "DISCOUNT",
                "offer_redemption": {
                    "redemption_status": "SUCCESS",
                    "discount_amount": 1,
                    "cashback_amount": 0,
                },
            }
        ],
    },
    "event_time": "2023-08-01T11:16:10+05:30",
    "type": "PAYMENT_SUCCESS_WEBHOOK",
}
# Same page, "Payment failed webhook": the payment part that differs.
FAILED_PAYMENT = {
    "payment_status": "FAILED",
    "payment_message": "AMOUNT SHOULD BE WITHIN RANGE BETWEEN 20.00 TO 500000.00.",
    "bank_reference": "NA",
    "payment_method": {
        "netbanking": {
            "channel": None,
            "netbanking_bank_code": "3054",
            "netbanking_bank_name": "UCO Bank",
        }
    },
    "payment_group": "net_banking",
}
FAILED_ERROR_DETAILS = {
    "error_code": "TRANSACTION_DECLINED",
    "error_description": "issuer bank or payment service provider declined the transaction",
    "error_reason": "auth_declined",
    "error_source": "customer",
}
# test status -> (webhook type, payment_status). Cashfree has no "pending"
# webhook: the late notification is the drop of an earlier attempt.
WEBHOOKS = {
    "done": ("PAYMENT_SUCCESS_WEBHOOK", "SUCCESS"),
    "error": ("PAYMENT_FAILED_WEBHOOK", "FAILED"),
    "pending": ("PAYMENT_USER_DROPPED_WEBHOOK", "USER_DROPPED"),
    "cancel": ("PAYMENT_USER_DROPPED_WEBHOOK", "USER_DROPPED"),
}
# https://www.cashfree.com/docs/api-reference/payments/previous/v2023-08-01/refunds/webhooks
# "Refund Webhook Payload" (refund_splits left out).
REFUND_STATUS_WEBHOOK = {
    "data": {
        "refund": {
            "cf_refund_id": 11325632,
            "cf_payment_id": 789727431,
            "refund_id": "refund_sampleorder0413",
            "order_id": "sampleorder0413",
            "refund_amount": 2.00,
            "refund_currency": "INR",
            "entity": "Refund",
            "refund_type": "MERCHANT_INITIATED",
            "refund_arn": "205907014017",
            "refund_status": "SUCCESS",
            "status_description": "Refund processed successfully",
            "created_at": "2022-02-28T12:54:25+05:30",
            "processed_at": "2022-02-28T13:04:27+05:30",
            "refund_charge": 0,
            "refund_note": "Test",
            "metadata": None,
            "refund_mode": "STANDARD",
        }
    },
    "event_time": "2022-02-28T13:04:28+05:30",
    "type": "REFUND_STATUS_WEBHOOK",
}
SECRET = "cfsk_ma_test_0c1f6f7d2f3e4a5b"
SESSION = (
    "session_a1VXIPJo8kh7IBigVXX8LgTMupQW_cu25FS8KwLwQLOmiHqbBxq5U"
    "hEilrhbDSKKHA6UAuOj9506aaHNlFAHEqYrHSEl9AVtYQN9LIIc4vkH"
)


@tagged("post_install", "-at_install")
class TestCashfree(common.GatewayCase):
    gateway_code = "cashfree"
    currency_code = "INR"
    signs_timestamp = True
    credentials = {"invoicera_account_id": "TEST10012345", "invoicera_secret_key": SECRET}
    hosted_page = "/payment/invoicera/cashfree/checkout/"

    def webhook(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        payload = json.loads(json.dumps(PAYMENT_SUCCESS_WEBHOOK))
        kind, payment_status = WEBHOOKS[status]
        minor = self.minor() if amount is None else amount
        major = float(Decimal(minor) / 100)
        payload["type"] = kind
        payload["data"]["order"].update(
            order_id=cashfree_id(tx.reference),
            order_amount=major,
            order_currency=currency or tx.currency_id.name,
        )
        payment = payload["data"]["payment"]
        payment.update(
            cf_payment_id=str(int(hashlib.sha1(event_id.encode()).hexdigest()[:8], 16)),
            payment_status=payment_status,
            payment_amount=major,
            payment_currency=currency or tx.currency_id.name,
        )
        if status == "error":
            payment.update(FAILED_PAYMENT)
            payload["data"]["error_details"] = FAILED_ERROR_DETAILS
        elif status != "done":
            payment["payment_message"] = "User dropped and did not complete the two factor auth"
        return payload

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        return json.dumps(self.webhook(tx, status, amount, currency, event_id)).encode()

    def sign(self, body, secret, timestamp=None):
        # Cashfree: base64(HMAC-SHA256(client secret, x-webhook-timestamp + raw body)),
        # the timestamp in milliseconds.
        stamp = str(int((time.time() if timestamp is None else timestamp) * 1000))
        digest = hmac.new(secret.encode(), stamp.encode() + body, hashlib.sha256).digest()
        return {
            "x-webhook-signature": base64.b64encode(digest).decode(),
            "x-webhook-timestamp": stamp,
            "x-webhook-version": "2023-08-01",
        }

    def checkout_routes(self, tx):
        # v2023-08-01 "Create Order" answer (OrderEntity), trimmed.
        return {
            ("POST", r"^https://sandbox\.cashfree\.com/pg/orders$"): (
                200,
                {
                    "cf_order_id": "2149460581",
                    "created_at": "2023-08-11T18:02:46+05:30",
                    "customer_details": {
                        "customer_id": f"odoo{tx.partner_id.id}",
                        "customer_phone": "9999999999",
                    },
                    "entity": "order",
                    "order_amount": float(tx.amount),
                    "order_currency": "INR",
                    "order_expiry_time": "2023-09-09T18:02:46+05:30",
                    "order_id": cashfree_id(tx.reference),
                    "order_status": "ACTIVE",
                    "payment_session_id": SESSION,
                    "order_tags": {"invoicera_reference": tx.reference},
                },
            )
        }

    def refund_routes(self, tx):
        # v2023-08-01 "Create Refund" answer (RefundEntity example), in progress.
        return {
            ("POST", r"/pg/orders/[^/]+/refunds$"): (
                200,
                {
                    "cf_payment_id": "918812",
                    "cf_refund_id": "1553338",
                    "refund_id": "R-INV-TEST-cashfree",
                    "order_id": cashfree_id(tx.reference),
                    "entity": "refund",
                    "refund_amount": 10,
                    "refund_currency": "INR",
                    "refund_status": "PENDING",
                    "refund_type": "MERCHANT_INITIATED",
                    "status_description": "In Progress",
                    "refund_mode": "STANDARD",
                },
            )
        }

    # -- Cashfree specifics -------------------------------------------------------------

    def test_checkout_creates_an_order_in_rupees_and_opens_the_sdk_page(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        html = tx._get_processing_values()["redirect_form_html"]
        sent = self.api.last("/orders$")
        self.assertEqual(sent["method"], "POST")
        payload = sent["json"]
        self.assertEqual(payload["order_id"], tx.reference)
        # Major units, as a decimal number: 1234.5 rupees, not 123450 paise.
        self.assertEqual(payload["order_amount"], 1234.5)
        self.assertEqual(payload["order_currency"], "INR")
        self.assertEqual(payload["order_tags"], {"invoicera_reference": tx.reference})
        self.assertEqual(len(payload["customer_details"]["customer_phone"]), 10)
        self.assertIn(f"reference={tx.reference}", payload["order_meta"]["return_url"])
        # The test server is plain http, which Cashfree refuses as notify_url.
        self.assertNotIn("notify_url", payload["order_meta"])
        headers = sent["headers"]
        self.assertEqual(headers["x-client-id"], "TEST10012345")
        self.assertEqual(headers["x-client-secret"], SECRET)
        self.assertEqual(headers["x-api-version"], "2023-08-01")
        self.assertTrue(headers["x-idempotency-key"])
        self.assertEqual(tx.provider_reference, tx.reference)
        self.assertIn('name="session"', html)
        self.assertIn('name="token"', html)

    def test_checkout_page_opens_cashfree_only_with_our_token(self):
        tx = self.make_tx()
        gateway = self.gateway_class(self.provider)
        session = "session_abc-123"
        token = gateway.checkout_token(tx.reference, session)
        status, html = gateway.checkout_page(session, tx.reference, token)
        self.assertEqual(status, 200)
        self.assertIn("https://sdk.cashfree.com/js/v3/cashfree.js", html)
        self.assertIn('Cashfree({mode: "sandbox"})', html)
        self.assertIn('"paymentSessionId": "session_abc-123"', html)
        self.assertIn('"redirectTarget": "_self"', html)
        for bad in (
            ("session_other", token),
            (session, token[:-1] + ("1" if token.endswith("0") else "0")),
            (session, ""),
        ):
            self.assertEqual(gateway.checkout_page(bad[0], tx.reference, bad[1])[0], 403)
        # A session id can never break out of the script element.
        evil = "</script><script>alert(1)</script>"
        status, html = gateway.checkout_page(
            evil, tx.reference, gateway.checkout_token(tx.reference, evil)
        )
        self.assertEqual(status, 200)
        self.assertNotIn("</script><script>", html)
        self.provider.state = "enabled"
        status, html = gateway.checkout_page(session, tx.reference, token)
        self.assertIn('Cashfree({mode: "production"})', html)

    def test_invoice_reference_is_made_a_valid_order_id_and_found_back(self):
        tx = self.make_tx(reference="INV/2025/00042")
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        self.assertEqual(self.api.last("/orders$")["json"]["order_id"], "INV_2025_00042")
        self.assertEqual(tx.provider_reference, "INV_2025_00042")
        # The documented payload has order_tags null: the order id finds the transaction.
        self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        long_reference = "INV/2025/00001,INV/2025/00002,INV/2025/00003-12"
        self.assertLessEqual(len(cashfree_id(long_reference)), 45)
        self.assertNotEqual(cashfree_id(long_reference), cashfree_id(long_reference + "3"))

    def test_documented_success_webhook_with_an_offer_is_a_short_collection(self):
        # The sample as published: order of 2 INR, 1 INR paid thanks to a discount
        # offer (the merchant's): the invoice of 2 INR is not paid in full.
        self.invoice.button_draft()
        self.invoice.invoice_line_ids.price_unit = 2
        self.invoice.action_post()
        tx = self.make_tx(reference="order_OFR_2")
        body = json.dumps(PAYMENT_SUCCESS_WEBHOOK).encode()
        self.assertEqual(self.deliver(body), (200, "mismatch"))
        self.assertEqual(tx.state, "error")
        self.assertIn("reported 100 INR", tx.state_message)
        self.assertEqual(self.events().event_key, "PAYMENT_SUCCESS_WEBHOOK:1453002795")
        tx._post_process()
        self.assertFalse(self.payments(tx))
        self.assertEqual(self.invoice.payment_state, "not_paid")

    def test_service_charge_collected_from_the_customer_is_not_the_orders(self):
        # payment_amount = order_amount + payment_surcharge (service charge and its tax).
        tx = self.make_tx()
        payload = self.webhook(tx)
        payload["data"]["payment"]["payment_amount"] = 1234.5 + 24.69 + 4.44
        payload["data"]["payment_surcharge"] = {
            "payment_surcharge_service_charge": 24.69,
            "payment_surcharge_service_tax": 4.44,
        }
        self.assertEqual(self.deliver(json.dumps(payload).encode()), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_failed_attempt_then_successful_retry_on_the_same_order(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "error", event_id="attempt_1"))
        self.assertEqual(tx.state, "error")
        self.assertIn("declined", tx.state_message)
        self.deliver(self.notification(tx, "cancel", event_id="attempt_2"))
        self.deliver(self.notification(tx, "done", event_id="attempt_3"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(len(self.events()), 3)

    def test_other_webhook_types_are_acknowledged_and_ignored(self):
        tx = self.make_tx()
        payload = self.webhook(tx)
        payload["type"] = "REFUND_STATUS_WEBHOOK"
        self.assertEqual(self.deliver(json.dumps(payload).encode()), (200, "ignored"))
        self.assertEqual(tx.state, "draft")

    def test_return_reads_the_payments_of_the_order(self):
        tx = self.make_tx()
        gateway = self.gateway_class(self.provider)
        self.assertEqual(gateway.parse_return({"reference": tx.reference}), tx.reference)
        # v2023-08-01 "Get Payments for an Order": one failed attempt, one success.
        # A payment entity has order_amount, payment_amount and payment_currency;
        # order_currency belongs to the order entity (GET /pg/orders/{order_id}).
        attempt = {
            "cf_payment_id": "12376123",
            "order_id": tx.reference,
            "entity": "payment",
            "payment_currency": "INR",
            "order_amount": 1234.5,
            "is_captured": True,
            "payment_group": "credit_card",
            "payment_method": {"card": {"channel": "link", "card_number": "xxxxxx1111"}},
            "payment_amount": 1234.5,
            "payment_time": "2021-07-23T12:15:06+05:30",
            "payment_status": "FAILED",
            "payment_message": "Transaction failed",
        }
        success = dict(attempt, cf_payment_id="12376124", payment_status="SUCCESS")
        self.api.routes[("GET", rf"/pg/orders/{tx.reference}/payments$")] = (
            200,
            [attempt, success],
        )
        event = gateway.fetch_status(tx)
        self.assertEqual((event.status, event.amount, event.currency), ("done", 123450, "INR"))
        self.assertEqual(event.payment_method, "card")
        tx._invoicera_apply_event(event)
        self.assertEqual(tx.state, "done")
        # No attempt at all (the client left the checkout without paying): nothing paid.
        self.api.routes[("GET", rf"/pg/orders/{tx.reference}/payments$")] = (200, [])
        self.assertEqual(gateway.fetch_status(tx).status, "ignore")

    def test_return_reads_what_the_payment_collected(self):
        tx = self.make_tx()
        gateway = self.gateway_class(self.provider)
        # An offer took 100 INR off: the payment entity says the order's amount and what
        # the customer paid.
        payment = {
            "cf_payment_id": "12376125",
            "order_id": cashfree_id(tx.reference),
            "entity": "payment",
            "is_captured": True,
            "order_amount": 1234.5,
            "payment_group": "upi",
            "payment_currency": "INR",
            "payment_amount": 1134.5,
            "payment_status": "SUCCESS",
            "payment_surcharge": None,
        }
        self.api.routes[("GET", r"/pg/orders/[^/]+/payments$")] = (200, [payment])
        event = gateway.fetch_status(tx)
        self.assertEqual((event.status, event.amount, event.currency), ("done", 113450, "INR"))
        tx._invoicera_apply_event(event)
        self.assertEqual(tx.state, "error")
        self.assertTrue(tx.invoicera_amount_mismatch)

    def test_client_back_before_the_webhook_does_not_block_the_payment(self):
        tx = self.make_tx()
        gateway = self.gateway_class(self.provider)
        # The payment entity as documented: no order_currency in it.
        payment = {
            "cf_payment_id": "12376124",
            "order_id": cashfree_id(tx.reference),
            "entity": "payment",
            "is_captured": True,
            "order_amount": 1234.5,
            "payment_group": "upi",
            "payment_currency": "INR",
            "payment_amount": 1234.5,
            "payment_time": "2023-08-11T18:03:10+05:30",
            "payment_completion_time": "2023-08-11T18:03:30+05:30",
            "payment_status": "SUCCESS",
            "payment_message": "Simulated response message",
            "bank_reference": "1234567890",
            "auth_id": None,
            "payment_method": {"upi": {"channel": "collect", "upi_id": "testsuccess@gocash"}},
        }
        self.api.routes[("GET", r"/pg/orders/[^/]+/payments$")] = (200, [payment])
        tx._invoicera_apply_event(gateway.fetch_status(tx))
        self.assertFalse(tx.invoicera_amount_mismatch)
        self.assertEqual(tx.state, "done")
        # The signed webhook that follows is a redelivery of the same news.
        self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_partial_refund_in_rupees_with_its_own_idempotency_key(self):
        tx = self.make_tx()
        tx._set_done()
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        sent = self.api.last("/refunds$")
        self.assertIn(f"/pg/orders/{tx.reference}/refunds", sent["url"])
        self.assertEqual(sent["json"]["refund_amount"], 10.0)
        self.assertEqual(sent["json"]["refund_id"], tx.child_transaction_ids.reference)
        self.assertTrue(sent["headers"]["x-idempotency-key"])
        self.assertEqual(tx.child_transaction_ids.provider_reference, "1553338")
        self.assertEqual(tx.child_transaction_ids.state, "pending")

    def test_signature_is_checked_on_timestamp_and_body(self):
        tx = self.make_tx()
        body = self.notification(tx)
        signed = self.sign(body, SECRET)
        gateway = self.gateway_class(self.provider)
        now = int(signed["x-webhook-timestamp"]) / 1000
        delivery = Delivery(headers=signed, body=body)
        self.assertTrue(gateway.verify(delivery, now=now))
        # Another timestamp with the same signature is refused.
        moved = dict(signed, **{"x-webhook-timestamp": str(int(now * 1000) + 1)})
        self.assertFalse(gateway.verify(Delivery(headers=moved, body=body), now=now))
        self.assertFalse(gateway.verify(Delivery(headers=signed, body=body[:-1] + b" "), now=now))

    # -- refund webhooks --------------------------------------------------------------------

    def refund_webhook(self, tx, refund, status="SUCCESS", description=None, **values):
        payload = json.loads(json.dumps(REFUND_STATUS_WEBHOOK))
        payload["data"]["refund"].update(
            cf_refund_id=int(refund.provider_reference or 0) or 11325632,
            refund_id=cashfree_id(refund.reference, max_length=40),
            order_id=cashfree_id(tx.reference),
            refund_amount=float(-refund.amount),
            refund_status=status,
            refund_note=refund.reference,
        )
        payload["data"]["refund"].update(values)
        if description:
            payload["data"]["refund"]["status_description"] = description
        return json.dumps(payload).encode()

    def refund_of(self, tx, cf_refund_id="1553338"):
        routes = self.refund_routes(tx)
        answer = routes[("POST", r"/pg/orders/[^/]+/refunds$")][1]
        routes[("POST", r"/pg/orders/[^/]+/refunds$")] = (
            200,
            dict(answer, cf_refund_id=cf_refund_id),
        )
        self.api.routes = routes
        before = tx.child_transaction_ids
        tx.action_refund(amount_to_refund=10)
        return tx.child_transaction_ids - before

    def test_refund_webhook_completes_a_pending_refund(self):
        tx = self.make_tx(reference="INV/2025/00077")
        tx.provider_reference = cashfree_id(tx.reference)
        tx._set_done()
        refund = self.refund_of(tx)
        self.assertEqual((refund.state, refund.provider_reference), ("pending", "1553338"))
        pending = self.refund_webhook(tx, refund, "PENDING", "In Progress")
        self.assertEqual(self.deliver(pending), (200, "processed"))
        self.assertEqual(refund.state, "pending")
        body = self.refund_webhook(tx, refund)
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(refund.state, "done")
        self.assertEqual(tx.state, "done", "the payment is left alone")
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertIn("REFUND_STATUS_WEBHOOK:1553338:SUCCESS", self.events().mapped("event_key"))

    def test_cancelled_refund_webhook_puts_the_refund_in_error(self):
        tx = self.make_tx()
        tx.provider_reference = cashfree_id(tx.reference)
        tx._set_done()
        refund = self.refund_of(tx)
        body = self.refund_webhook(
            tx, refund, "CANCELLED", "Refund cancelled: the customer's account is closed"
        )
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(refund.state, "error")
        self.assertIn("account is closed", refund.state_message)

    def test_refund_webhook_is_matched_on_our_refund_id_without_cf_refund_id(self):
        tx = self.make_tx(reference="INV/2025/00078")
        tx.provider_reference = cashfree_id(tx.reference)
        tx._set_done()
        refund = self.refund_of(tx, cf_refund_id=None)
        self.assertFalse(refund.provider_reference)
        self.assertNotEqual(cashfree_id(refund.reference, 40), refund.reference)
        body = self.refund_webhook(tx, refund, cf_refund_id=1553339)
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(refund.state, "done")
        self.assertEqual(refund.provider_reference, "1553339")

    def test_refund_webhook_for_a_refund_made_elsewhere_is_ignored(self):
        tx = self.make_tx()
        tx._set_done()
        # another order's refund (not one of our payments): nothing to report
        self.assertEqual(
            self.deliver(json.dumps(REFUND_STATUS_WEBHOOK).encode()), (409, "unknown transaction")
        )
        self.assertFalse(self.problems())
        # The amount is checked like a payment's.
        refund = self.refund_of(tx)
        body = self.refund_webhook(tx, refund, refund_amount=100.0)
        self.assertEqual(self.deliver(body), (200, "mismatch"))
        self.assertEqual(refund.state, "error")

    def dashboard_refund(self, tx, status="SUCCESS", **values):
        payload = json.loads(json.dumps(REFUND_STATUS_WEBHOOK))
        payload["data"]["refund"].update(
            {
                "cf_refund_id": 88001122,
                "refund_id": "refund_dashboard_7781",
                "order_id": cashfree_id(tx.reference),
                "refund_amount": 4.5,
                "refund_status": status,
                "refund_note": "Refund from the merchant dashboard",
                **values,
            }
        )
        return json.dumps(payload).encode()

    def test_refund_made_in_the_dashboard_is_reported_once(self):
        tx = self.make_tx(reference="INV/2025/00079")
        tx.provider_reference = cashfree_id(tx.reference)
        tx._set_done()
        pending = self.dashboard_refund(tx, "PENDING")
        self.assertEqual(self.deliver(pending)[0], 200)
        self.assertFalse(self.problems(), "reported once Cashfree completes it")
        body = self.dashboard_refund(tx)
        self.assertEqual(self.deliver(body), (200, "outside"))
        problem = self.problems()
        self.assertEqual((len(problem), problem.state, problem.transaction_id), (1, "outside", tx))
        self.assertIn(
            f"Cashfree Payments refunded 4.50 INR of {tx.reference} outside Odoo", problem.message
        )
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.problems()), 1)

    def test_odoos_own_refund_not_committed_yet_is_retried_not_reported(self):
        """Cashfree's webhook overtakes the request of Odoo's refund (its transaction
        not committed yet): our refund id names it, it is sent again, not reported."""
        tx = self.make_tx(reference="INV/2025/00080")
        tx.provider_reference = cashfree_id(tx.reference)
        tx._set_done()
        body = self.dashboard_refund(
            tx, refund_id=cashfree_id(f"R-{tx.reference}", max_length=40), refund_amount=10.0
        )
        self.assertEqual(self.deliver(body), (409, "unknown transaction"))
        self.assertFalse(self.problems())
