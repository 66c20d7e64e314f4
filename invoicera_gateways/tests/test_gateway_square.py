import base64
import hashlib
import hmac
import json

import requests

from odoo.tests import tagged

from ..gateways.base import Delivery
from . import common

# https://developer.squareup.com/reference/square/webhooks/payment.updated - example event
PAYMENT_UPDATED = {
    "merchant_id": "6SSW7HV8K2ST5",
    "type": "payment.updated",
    "event_id": "6a8f5f28-54a1-4eb0-a98a-3111513fd4fc",
    "created_at": "2020-02-06T21:27:34.308Z",
    "data": {
        "type": "payment",
        "id": "hYy9pRFVxpDsO1FB05SunFWUe9JZY",
        "object": {
            "payment": {
                "id": "hYy9pRFVxpDsO1FB05SunFWUe9JZY",
                "created_at": "2020-11-22T21:16:51.086Z",
                "updated_at": "2020-11-22T21:19:00.831Z",
                "amount_money": {"amount": 100, "currency": "USD"},
                "status": "COMPLETED",
                "delay_duration": "PT168H",
                "source_type": "CARD",
                "card_details": {
                    "status": "CAPTURED",
                    "card": {
                        "card_brand": "MASTERCARD",
                        "last_4": "9029",
                        "exp_month": 11,
                        "exp_year": 2022,
                        "fingerprint": "sq-1-Tvruf3vPQxlvI6n0IcKYfBukrcv6IqWr8UyBdViWXU2yzGn5"
                        "VMJvrsHMKpINMhPmVg",
                        "card_type": "CREDIT",
                        "prepaid_type": "NOT_PREPAID",
                        "bin": "540988",
                    },
                    "entry_method": "KEYED",
                    "cvv_status": "CVV_ACCEPTED",
                    "avs_status": "AVS_ACCEPTED",
                    "statement_description": "SQ *DEFAULT TEST ACCOUNT",
                },
                "location_id": "S8GWD5R9QB376",
                "order_id": "03O3USaPaAaFnI6kkwB1JxGgBsUZY",
                "total_money": {"amount": 100, "currency": "USD"},
                "approved_money": {"amount": 100, "currency": "USD"},
                "receipt_number": "hYy9",
                "receipt_url": "https://squareup.com/receipt/preview/hYy9pRFVxpDsO1FB05SunFWUe9JZY",
                "delay_action": "CANCEL",
                "delayed_until": "2020-11-29T21:16:51.086Z",
                "version_token": "bhC3b8qKJvNDdxqKzXaeDsAjS1oMFuAKxGgT32HbE6S6o",
            }
        },
    },
}
# https://developer.squareup.com/docs/checkout-api/quick-pay-checkout - example response
PAYMENT_LINK = {
    "payment_link": {
        "id": "FWT463MU2JIG7S3D",
        "version": 1,
        "description": "",
        "order_id": "C0DMgui6YFmgyURVSRtxr4EShheZY",
        "url": "https://sandbox.square.link/u/jUjglZiR",
        "created_at": "2022-04-23T18:54:40Z",
    },
    "related_resources": {
        "orders": [
            {
                "id": "C0DMgui6YFmgyURVSRtxr4EShheZY",
                "location_id": "L88917AVBK2S5",
                "state": "DRAFT",
                "version": 1,
            }
        ]
    },
}
# https://developer.squareup.com/docs/cards-api/walkthrough-seller-card - example responses
CUSTOMER = {
    "customer": {
        "id": "Q6VKKKGW8GWQNEYMDRMV01QMK8",
        "created_at": "2021-03-31T18:27:07.803Z",
        "updated_at": "2021-03-31T18:27:07Z",
        "given_name": "Amelia",
        "family_name": "Earhart",
        "email_address": "Amelia.Earhart@example.com",
        "preferences": {"email_unsubscribed": False},
        "creation_source": "THIRD_PARTY",
    }
}
CARD = {
    "card": {
        "id": "ccof:uIbfJXhXETSP197M3GB",
        "bin": "411111",
        "card_brand": "VISA",
        "card_type": "CREDIT",
        "cardholder_name": "Amelia Earhart",
        "customer_id": "Q6VKKKGW8GWQNEYMDRMV01QMK8",
        "enabled": True,
        "exp_month": 11,
        "exp_year": 2024,
        "last_4": "1111",
        "prepaid_type": "NOT_PREPAID",
        "reference_id": "user-id-1",
        "version": 1,
    }
}
# https://developer.squareup.com/reference/square/refunds-api/refund-payment - example response
REFUND = {
    "refund": {
        "id": "UNOE3kv2BZwqHlJ830RCt5YCuaB_xVteEWVFkXDvKN1ddidfJWipt8p9whmElKT5mZtJ7wZ",
        "status": "PENDING",
        "amount_money": {"amount": 1000, "currency": "USD"},
        "payment_id": "UNOE3kv2BZwqHlJ830RCt5YCuaB",
        "order_id": "TbfkMaFV8Mj0QLXy1NdVQNqgNGdZY",
        "created_at": "2021-10-13T19:59:05.342Z",
        "updated_at": "2021-10-13T19:59:05.342Z",
        "location_id": "L88917AVBK2S5",
    }
}
# The official SDKs' webhook signature test vector (square-python-sdk
# tests/utils/test_webhooks_helper.py, the same in the Node, PHP, Ruby, Go and Java SDKs).
VECTOR_BODY = (
    b'{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification",'
    b'"event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f",'
    b'"created_at":"2022-07-13T20:30:59.037339943Z",'
    b'"data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}'
)
VECTOR_SIGNATURE = "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4="
VECTOR_KEY = "Ibxx_5AKakO-3qeNVR61Dw"
VECTOR_URL = "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"

STATUS = {"done": "COMPLETED", "pending": "APPROVED", "error": "FAILED", "cancel": "CANCELED"}


@tagged("post_install", "-at_install")
class TestSquare(common.GatewayCase):
    gateway_code = "square"
    currency_code = "USD"
    credentials = {
        "invoicera_account_id": "L88917AVBK2S5",
        "invoicera_secret_key": "EAAAl-sandbox-access-token",
        "invoicera_webhook_secret": "sq-webhook-signature-key",
    }
    hosted_page = "https://sandbox.square.link/u/jUjglZiR"

    def payment(self, tx, status="done", amount=None, currency=None, **values):
        payment = json.loads(json.dumps(PAYMENT_UPDATED["data"]["object"]["payment"]))
        money = {
            "amount": self.minor() if amount is None else amount,
            "currency": currency or tx.currency_id.name,
        }
        payment.update(
            id=f"sq-{tx.reference}",
            status=STATUS[status],
            note=tx.reference,  # the payment link's payment_note
            amount_money=money,
            total_money=money,
            approved_money=money,
            **values,
        )
        return payment

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1", **pay):
        body = json.loads(json.dumps(PAYMENT_UPDATED))
        body["event_id"] = event_id
        body["data"]["id"] = f"sq-{tx.reference}"
        body["data"]["object"]["payment"] = self.payment(tx, status, amount, currency, **pay)
        return json.dumps(body).encode()

    def sign(self, body, secret, timestamp=None):
        # Square: base64 HMAC-SHA256 of (notification URL + raw body) with the signature key.
        url = self.provider._invoicera_url("webhook").encode()
        digest = hmac.new(secret.encode(), url + body, hashlib.sha256).digest()
        return {"x-square-hmacsha256-signature": base64.b64encode(digest).decode()}

    def checkout_routes(self, tx):
        return {("POST", r"/v2/online-checkout/payment-links$"): (200, PAYMENT_LINK)}

    def refund_routes(self, tx):
        return {("POST", r"/v2/refunds$"): (200, REFUND)}

    def charge_routes(self, tx):
        payment = self.payment(tx, reference_id=tx.reference)
        return {("POST", r"/v2/payments$"): (200, {"payment": payment})}

    # -- Square specifics -------------------------------------------------------------

    def test_sdk_signature_test_vector(self):
        self.provider.invoicera_webhook_secret = VECTOR_KEY
        gateway = self.gateway_class(self.provider)
        headers = {"x-square-hmacsha256-signature": VECTOR_SIGNATURE}
        self.assertTrue(gateway.verify(Delivery(headers, VECTOR_BODY, url=VECTOR_URL)))
        changed = VECTOR_BODY.replace(b"MLEFBHHSJGVHD", b"MLEFBHHSJGVHE")
        self.assertFalse(gateway.verify(Delivery(headers, changed, url=VECTOR_URL)))
        other_url = VECTOR_URL.replace("679a", "679b")
        self.assertFalse(gateway.verify(Delivery(headers, VECTOR_BODY, url=other_url)))

    def test_checkout_payload(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        sent = self.api.last("payment-links")
        body = sent["json"]
        order = body["order"]
        self.assertEqual(order["location_id"], "L88917AVBK2S5")
        self.assertEqual(order["reference_id"], tx.reference)
        money = order["line_items"][0]["base_price_money"]
        self.assertEqual(money, {"amount": 123450, "currency": "USD"})  # cents
        self.assertEqual(body["payment_note"], tx.reference)
        self.assertIn("reference=INV-TEST-square", body["checkout_options"]["redirect_url"])
        self.assertIn("/payment/invoicera/square/return/", body["checkout_options"]["redirect_url"])
        self.assertEqual(body["pre_populated_data"]["buyer_email"], tx.partner_email)
        self.assertEqual(sent["headers"]["Authorization"], "Bearer EAAAl-sandbox-access-token")
        self.assertTrue(sent["headers"]["Square-Version"])
        # Square's idempotency key is a body field, the same on a retry.
        self.assertEqual(len(body["idempotency_key"]), 36)
        tx2 = self.make_tx(reference="INV-TEST-square-2")
        tx2._get_processing_values()
        self.assertNotEqual(
            self.api.last("payment-links")["json"]["idempotency_key"], body["idempotency_key"]
        )
        self.assertEqual(
            self.gateway_class(self.provider).idempotency_key(tx, "create"), body["idempotency_key"]
        )

    def test_yen_is_zero_decimal(self):
        yen = self._prepare_currency("JPY")
        tx = self._create_transaction(
            "redirect", reference="JPY-square", amount=1234, currency_id=yen.id
        )
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        money = self.api.last("payment-links")["json"]["order"]["line_items"][0]
        self.assertEqual(money["base_price_money"], {"amount": 1234, "currency": "JPY"})
        # and a notification of 1234 JPY confirms it
        self.deliver(self.notification(tx, amount=1234))
        self.assertEqual(tx.state, "done")

    def test_payment_link_payment_is_matched_by_its_note(self):
        tx = self.make_tx()
        self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.provider_reference, f"sq-{tx.reference}")
        self.assertFalse(tx.token_id, "no card is saved unless the client asked")
        self.assertFalse(self.api.calls)
        # Square also reports the seller's point-of-sale payments: no note, not ours.
        other = self.make_tx(reference="SQ-POS")
        body = json.loads(self.notification(other, event_id="evt_pos"))
        del body["data"]["object"]["payment"]["note"]
        self.assertEqual(self.deliver(json.dumps(body).encode()), (200, "ignored"))
        self.assertEqual(len(self.events()), 1)

    def test_failed_and_canceled_payments(self):
        for status, state in (("error", "error"), ("cancel", "cancel")):
            tx = self.make_tx(reference=f"SQ-{status}")
            self.deliver(self.notification(tx, status, event_id=f"evt_{status}"))
            self.assertEqual(tx.state, state)

    def test_card_is_saved_on_file_when_asked(self):
        tx = self.make_tx(tokenize=True)
        self.api.routes.update(
            {("POST", r"/v2/customers$"): (200, CUSTOMER), ("POST", r"/v2/cards$"): (200, CARD)}
        )
        self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.token_id.provider_ref, "ccof:uIbfJXhXETSP197M3GB")
        self.assertEqual(tx.token_id.invoicera_customer_ref, "Q6VKKKGW8GWQNEYMDRMV01QMK8")
        self.assertEqual(tx.token_id.payment_details, "1111")
        customer = self.api.last("customers")["json"]
        self.assertEqual(customer["email_address"], tx.partner_email)
        card = self.api.last("cards")["json"]
        self.assertEqual(card["source_id"], f"sq-{tx.reference}")  # the payment ID
        self.assertEqual(card["card"]["customer_id"], "Q6VKKKGW8GWQNEYMDRMV01QMK8")
        self.assertTrue(card["idempotency_key"])

    def test_card_is_saved_under_the_payments_customer(self):
        tx = self.make_tx(tokenize=True)
        self.api.routes.update({("POST", r"/v2/cards$"): (200, CARD)})
        self.deliver(self.notification(tx, customer_id="CUST-FROM-CHECKOUT"))
        self.assertEqual(
            self.api.last("cards")["json"]["card"]["customer_id"], "CUST-FROM-CHECKOUT"
        )
        self.assertFalse(self.api.last("customers"))
        self.assertEqual(tx.token_id.invoicera_customer_ref, "CUST-FROM-CHECKOUT")

    def test_card_that_cannot_be_stored_does_not_block_the_payment(self):
        tx = self.make_tx(tokenize=True)
        error = {
            "errors": [
                {
                    "category": "INVALID_REQUEST_ERROR",
                    "code": "INVALID_CARD_DATA",
                    "detail": "Invalid card data.",
                    "field": "source_id",
                }
            ]
        }
        self.api.routes.update(
            {("POST", r"/v2/customers$"): (200, CUSTOMER), ("POST", r"/v2/cards$"): (400, error)}
        )
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.deliver(self.notification(tx))
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.token_id)

    def test_card_refused_by_square_is_reported_on_the_notification(self):
        tx = self.make_tx(tokenize=True)
        error = {"errors": [{"code": "INVALID_CARD_DATA", "detail": "Invalid card data."}]}
        self.api.routes.update(
            {("POST", r"/v2/customers$"): (200, CUSTOMER), ("POST", r"/v2/cards$"): (400, error)}
        )
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            # A refusal is for good: acknowledged, not sent again.
            self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.token_id)
        event = self.problems()
        self.assertEqual(len(event), 1, "the card not saved must be listed under Problems")
        self.assertEqual(event.token_failure, "refused")
        self.assertIn("Invalid card data", event.message)
        self.assertEqual(event.transaction_id, tx)

    def test_card_answer_without_a_card_does_not_block_the_payment(self):
        """Square answers the card request without the card (a changed or truncated
        answer): the payment is applied and acknowledged, the card reported as not
        saved, rather than the whole notification refused as unreadable."""
        tx = self.make_tx(tokenize=True)
        self.api.routes.update(
            {("POST", r"/v2/customers$"): (200, CUSTOMER), ("POST", r"/v2/cards$"): (200, {})}
        )
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.token_id)
        event = self.problems()
        self.assertEqual(event.token_failure, "refused")
        self.assertIn("no card", event.message)

    def test_card_save_during_an_outage_is_retried_with_the_notification(self):
        tx = self.make_tx(tokenize=True)
        body = self.notification(tx)
        self.api.routes.update(
            {
                ("POST", r"/v2/customers$"): (200, CUSTOMER),
                ("POST", r"/v2/cards$"): requests.exceptions.ReadTimeout("read timed out"),
            }
        )
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            answer = self.deliver(body)
        # The payment is applied at once; the card is not saved, which the
        # notification says, and Square is asked (503) to send it again.
        self.assertEqual(answer[0], 503, answer)
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.token_id)
        event = self.problems()
        self.assertEqual(len(event), 1, "the card not saved must be listed under Problems")
        self.assertEqual(event.token_failure, "retry")
        self.assertEqual(event.transaction_id, tx)
        self.assertIn("not saved", event.message)
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)
        first_key = self.api.last("cards")["json"]["idempotency_key"]
        # Square's outage is over: its next delivery saves the card, pays nothing again.
        self.api.routes[("POST", r"/v2/cards$")] = (200, CARD)
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.token_id.provider_ref, "ccof:uIbfJXhXETSP197M3GB")
        self.assertEqual(self.api.last("cards")["json"]["idempotency_key"], first_key)
        self.assertEqual(len(self.events()), 1)
        self.assertFalse(self.problems())
        self.assertFalse(self.events().token_failure)
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)
        # and any later delivery of it is a duplicate
        self.assertEqual(self.deliver(body), (200, "duplicate"))

    def test_signed_but_malformed_notification_gets_a_clear_answer(self):
        tx = self.make_tx()
        for data in ({"object": {"payment": "not an object"}}, ["not", "an", "object"]):
            body = json.dumps({"type": "payment.updated", "event_id": "evt_bad", "data": data})
            with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
                answer = self.deliver(body.encode())
            self.assertEqual(answer, (400, "malformed notification"))
        self.assertEqual(tx.state, "draft")
        self.assertFalse(self.events())

    def test_wallet_payment_is_recorded_with_its_method_and_not_saved(self):
        tx = self.make_tx(tokenize=True)
        body = self.notification(
            tx, source_type="WALLET", wallet_details={"status": "CAPTURED", "brand": "CASH_APP"}
        )
        self.deliver(body)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.payment_method_code, "cash_app_pay")
        self.assertFalse(tx.token_id)
        self.assertFalse(self.api.calls)

    def test_charge_card_on_file(self):
        token = self._create_token(
            provider_ref="ccof:uIbfJXhXETSP197M3GB",
            invoicera_customer_ref="Q6VKKKGW8GWQNEYMDRMV01QMK8",
        )
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-square-1")
        self.api.routes.update(self.charge_routes(tx))
        tx._send_payment_request()
        self.assertEqual(tx.state, "done")
        body = self.api.last("v2/payments")["json"]
        self.assertEqual(body["source_id"], "ccof:uIbfJXhXETSP197M3GB")
        self.assertEqual(body["customer_id"], "Q6VKKKGW8GWQNEYMDRMV01QMK8")
        self.assertEqual(body["amount_money"], {"amount": 123450, "currency": "USD"})
        self.assertEqual(body["location_id"], "L88917AVBK2S5")
        self.assertEqual(body["reference_id"], tx.reference)
        self.assertTrue(body["autocomplete"])

    def test_retried_charge_carries_the_same_body_idempotency_key(self):
        token = self._create_token(provider_ref="ccof:1", invoicera_customer_ref="CUS1")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-square-2")
        routes = self.charge_routes(tx)
        self.api.routes = dict.fromkeys(routes, requests.exceptions.ReadTimeout("timed out"))
        tx._send_payment_request()
        first = self.api.calls[-1]["json"]["idempotency_key"]
        self.api.routes = routes
        self.cron_post_process(tx)
        self.assertEqual(self.api.calls[-1]["json"]["idempotency_key"], first)
        self.assertEqual(tx.state, "done")

    def test_refund_payload_and_its_completion_by_webhook(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        self.api.routes.update(self.refund_routes(tx))
        tx.action_refund(amount_to_refund=10)
        refund_tx = tx.child_transaction_ids
        body = self.api.last("refunds")["json"]
        self.assertEqual(body["payment_id"], f"sq-{tx.reference}")
        self.assertEqual(body["amount_money"], {"amount": 1000, "currency": "USD"})
        self.assertTrue(body["idempotency_key"])
        self.assertEqual(refund_tx.state, "pending")
        self.assertEqual(refund_tx.provider_reference, REFUND["refund"]["id"])
        # https://developer.squareup.com/reference/square/webhooks/refund.updated
        completed = dict(REFUND["refund"], status="COMPLETED")
        event = {
            "merchant_id": "6SSW7HV8K2ST5",
            "type": "refund.updated",
            "event_id": "refund-evt-1",
            "created_at": "2021-10-13T20:00:05.342Z",
            "data": {"type": "refund", "id": completed["id"], "object": {"refund": completed}},
        }
        self.assertEqual(self.deliver(json.dumps(event).encode()), (200, "processed"))
        self.assertEqual(refund_tx.state, "done")

    def refund_event(self, refund, kind="refund.updated", event_id="refund-evt-out"):
        # https://developer.squareup.com/reference/square/webhooks/refund.created and
        # refund.updated: the refund object, which names its payment (payment_id)
        return json.dumps(
            {
                "merchant_id": "6SSW7HV8K2ST5",
                "type": kind,
                "event_id": event_id,
                "created_at": "2021-10-13T20:00:05.342Z",
                "data": {"type": "refund", "id": refund["id"], "object": {"refund": refund}},
            }
        ).encode()

    def test_refund_made_in_squares_dashboard_is_reported_once(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        self.assertEqual(tx.state, "done")
        refund = dict(
            REFUND["refund"],
            id="dashboard-refund-1",
            payment_id=f"sq-{tx.reference}",
            amount_money={"amount": 1200, "currency": "USD"},
            reason="Returned goods",
        )
        # created (pending): nothing refunded yet, acknowledged without alarm
        created = self.refund_event(refund, "refund.created", "refund-evt-created")
        self.assertEqual(self.deliver(created)[0], 200)
        self.assertFalse(self.problems())
        completed = self.refund_event(dict(refund, status="COMPLETED"))
        self.assertEqual(self.deliver(completed), (200, "outside"))
        problem = self.problems()
        self.assertEqual(len(problem), 1)
        self.assertEqual(problem.state, "outside")
        self.assertEqual(problem.transaction_id, tx)
        self.assertIn(f"Square refunded 12.00 USD of {tx.reference} outside Odoo", problem.message)
        self.assertIn(problem.message, self.invoice.message_ids[:1].body)
        # no refund is made up in Odoo, the payment is untouched
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(tx.state, "done")
        # redelivered: a duplicate, reported once
        self.assertEqual(self.deliver(completed), (200, "duplicate"))
        self.assertEqual(len(self.problems()), 1)

    def test_refund_of_an_unknown_payment_or_of_odoos_own_refund_is_retried(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx))
        unknown = dict(
            REFUND["refund"], id="other-refund", payment_id="not-ours", status="COMPLETED"
        )
        self.assertEqual(
            self.deliver(self.refund_event(unknown, event_id="e1")), (409, "unknown transaction")
        )
        # Odoo's own refund (its reference as reason) whose transaction is not committed yet
        own = dict(
            REFUND["refund"],
            id="own-refund",
            payment_id=f"sq-{tx.reference}",
            reason=f"R-{tx.reference}",
            status="COMPLETED",
        )
        self.assertEqual(
            self.deliver(self.refund_event(own, event_id="e2")), (409, "unknown transaction")
        )
        self.assertEqual(len(self.events()), 1, "only the payment's notification is recorded")
        self.assertFalse(self.problems())
