import hashlib
import hmac
import json
import threading
import time
from unittest.mock import patch

from werkzeug.datastructures import Headers

from odoo.exceptions import ValidationError
from odoo.service.model import retrying
from odoo.tests import BaseCase, tagged

from odoo.addons.invoicera_billing.tests.common import committed_env

from ..gateways.base import Gateway
from . import common
from .common import FakeGatewayAPI

# checkout.com/docs/developer-resources/webhooks/webhook-event-types/payment_approved
# (trimmed of 3ds, risk, processing and links)
PAYMENT_APPROVED = {
    "id": "evt_jyvkfwne6gnenlfm5yuyosi4wa",
    "type": "payment_approved",
    "version": "1.0.20",
    "created_on": "2022-11-14T12:18:54.3211949Z",
    "data": {
        "id": "pay_m3ncbzghvosu7b2j77hqln4agu",
        "action_id": "act_dglxv4ixum3ezijibwc4zaz7ce",
        "reference": "test payment",
        "amount": 2,
        "auth_code": "FPB9A0",
        "currency": "GBP",
        "payment_type": "Regular",
        "processed_on": "2022-11-14T12:18:52.4877348Z",
        "response_code": "10000",
        "response_summary": "Approved",
        "scheme_id": "482318443327456",
        "source": {
            "id": "src_ps6ukw5ifuietcr6wthijpzsvy",
            "type": "card",
            "expiry_month": 1,
            "expiry_year": 2029,
            "scheme": "VISA",
            "last_4": "1234",
            "fingerprint": "71580b426f1d190d29087ff265d8f48df1ad34ede41c27cbff9d23c1a14d1776",
            "bin": "123456",
            "card_type": "DEBIT",
            "issuer_country": "GB",
        },
        "customer": {"id": "cus_gs47qn23bqmefhkmlpokm7vzxm", "email": "t***@g****.com"},
        "balances": {
            "total_authorized": 2,
            "total_captured": 0,
            "available_to_capture": 2,
            "total_refunded": 0,
        },
    },
}
# .../webhook-event-types/payment_refunded (trimmed of balances, processing, links)
PAYMENT_REFUNDED = {
    "id": "evt_rmbwhvwacc7u5iczmz2tdcogum",
    "type": "payment_refunded",
    "version": "1.0.1",
    "created_on": "2020-02-03T11:35:03Z",
    "data": {
        "action_id": "act_7fmebms4rtmuja2poigylogjk4",
        "response_code": "10000",
        "response_summary": "Approved",
        "reference": "ORD-5023-4E89",
        "amount": 200,
        "id": "pay_pswr5qaqzzferh2puzfyrefzuy",
        "currency": "GBP",
        "processed_on": "2020-02-03T11:35:03Z",
    },
}
# Other event types of the same shape, for the other outcomes.
EVENT_TYPES = {
    "done": "payment_approved",
    "pending": "payment_pending",
    "error": "payment_declined",
    "cancel": "payment_canceled",
}
# payments/accept-payments/request-a-card-payment: the 201 answer (trimmed)
PAYMENT_ANSWER = {
    "id": "pay_mbabizu24mvu3mela5njyhpit4",
    "action_id": "act_mbabizu24mvu3mela5njyhpit4",
    "amount": 6500,
    "currency": "USD",
    "approved": True,
    "status": "Authorized",
    "auth_code": "770687",
    "response_code": "10000",
    "response_summary": "Approved",
    "source": {"id": "src_nwd3m4in3hkuddfpjsaevunhdy", "type": "card", "last_4": "4242"},
    "customer": {"id": "cus_udst2tfldj6upmye2reztkmm4i"},
    "processed_on": "2019-09-10T10:11:12Z",
    "reference": "ORD-5023-4E89",
}
HOSTED_PAGE = "https://pay.sandbox.checkout.com/page/hpp_xGQBg0AXl3cM"
WEBHOOK_KEY = "3b7ad58c-cko-webhook-signature-key"


@tagged("post_install", "-at_install")
class TestCheckoutCom(common.GatewayCase):
    gateway_code = "checkout"
    currency_code = "EUR"
    credentials = {
        "invoicera_secret_key": "sk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e",
        "invoicera_webhook_secret": WEBHOOK_KEY,
        "invoicera_account_id": "pc_q4dbxom5jbgudnjzjpz7j2z6uq",
    }
    hosted_page = HOSTED_PAGE

    def payment(self, tx, amount=None, currency=None, payment_id="pay_m3ncbzghvosu7b2j77hqln4agu"):
        data = json.loads(json.dumps(PAYMENT_APPROVED["data"]))
        data.update(
            id=payment_id,
            reference=tx.reference,
            amount=self.minor() if amount is None else amount,
            currency=currency or tx.currency_id.name,
        )
        return data

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        event = dict(PAYMENT_APPROVED, id=event_id, type=EVENT_TYPES[status])
        event["data"] = self.payment(tx, amount, currency)
        return json.dumps(event).encode()

    def sign(self, body, secret, timestamp=None):
        # Cko-Signature: HMAC-SHA256 of the raw body with the webhook's signature key, hex.
        return {"Cko-Signature": hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}

    def checkout_routes(self, tx):
        # manage-your-hosted-payments-page: 201 Created
        return {
            ("POST", r"/hosted-payments$"): (
                201,
                {
                    "id": "hpp_xGQBg0AXl3cM",
                    "reference": tx.reference,
                    "_links": {
                        "self": {
                            "href": "https://api.sandbox.checkout.com/hosted-payments/hpp_xGQBg0AXl3cM"
                        },
                        "redirect": {"href": HOSTED_PAGE},
                    },
                },
            )
        }

    def refund_routes(self, tx):
        # POST /payments/{id}/refunds: 202 Accepted
        return {
            ("POST", r"/payments/[^/]+/refunds$"): (
                202,
                {
                    "action_id": "act_y3oqhf46pyzuxjbcn2giaqnb44",
                    "reference": "R-" + tx.reference,
                    "_links": {
                        "payment": {
                            "href": "https://api.sandbox.checkout.com/payments/pay_y3oqhf46pyzuxjbcn2giaqnb44"
                        }
                    },
                },
            )
        }

    def charge_routes(self, tx):
        answer = dict(
            PAYMENT_ANSWER,
            reference=tx.reference,
            amount=self.minor(tx.amount),
            currency=tx.currency_id.name,
        )
        return {("POST", r"/payments$"): (201, answer)}

    # -- checkout ---------------------------------------------------------------------

    def test_hosted_payments_request(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        sent = self.api.last("hosted-payments")
        self.assertTrue(sent["url"].startswith("https://api.sandbox.checkout.com/"))
        payload = sent["json"]
        self.assertEqual(payload["amount"], 123450)  # 1,234.50 EUR in cents
        self.assertEqual(payload["currency"], "EUR")
        self.assertEqual(payload["reference"], tx.reference)
        self.assertEqual(payload["processing_channel_id"], "pc_q4dbxom5jbgudnjzjpz7j2z6uq")
        self.assertTrue(payload["capture"])
        self.assertTrue(payload["billing"]["address"]["country"])
        for url in ("success_url", "failure_url", "cancel_url"):
            self.assertIn(f"/payment/invoicera/checkout/return/{self.provider.id}", payload[url])
            self.assertIn(f"reference={tx.reference}", payload[url])
        self.assertNotIn("payment_type", payload)
        self.assertEqual(
            sent["headers"]["Authorization"], "Bearer sk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e"
        )
        self.assertEqual(
            sent["headers"]["Cko-Idempotency-Key"],
            self.gateway_class(self.provider).idempotency_key(tx, "create"),
        )

    def test_hosted_page_shows_the_chosen_method_and_stores_cards_when_asked(self):
        tx = self.make_tx(
            tokenize=True, payment_method_id=self.env.ref("payment.payment_method_card").id
        )
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        payload = self.api.last("hosted-payments")["json"]
        self.assertEqual(payload["payment_type"], "Recurring")
        self.assertEqual(payload["allow_payment_methods"], ["card", "applepay", "googlepay"])
        ideal = self.make_tx(
            reference="IDEAL-1", payment_method_id=self.env.ref("payment.payment_method_ideal").id
        )
        self.api.routes.update(self.checkout_routes(ideal))
        ideal._get_processing_values()
        self.assertEqual(
            self.api.last("hosted-payments")["json"]["allow_payment_methods"], ["ideal"]
        )

    def test_amounts_in_checkout_minor_units(self):
        gateway = self.gateway_class(self.provider)
        self.assertEqual(gateway.minor(1234, "JPY"), 1234)  # zero-decimal
        self.assertEqual(gateway.minor(5000, "KRW"), 5000)
        self.assertEqual(gateway.minor(12.345, "BHD"), 12345)  # three decimals
        self.assertEqual(gateway.minor(100, "KWD"), 100000)
        self.assertEqual(gateway.minor(10, "USD"), 1000)
        self.assertEqual(gateway.minor(1000, "CLP"), 100000)  # Checkout.com: CLP in hundredths
        for code in ("JPY", "KRW", "BHD", "KWD", "AED", "SAR", "HKD", "SGD", "USD", "GBP"):
            self.assertIn(code, gateway.currencies)
        for code in ("RUB", "BYN", "GHS", "SYP"):  # unavailable for processing
            self.assertNotIn(code, gateway.currencies)

    def test_yen_checkout_is_sent_in_whole_yen(self):
        yen = self._prepare_currency("JPY")
        tx = self.make_tx(reference="JPY-1", currency_id=yen.id, amount=1234, invoice_ids=[])
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        self.assertEqual(self.api.last("hosted-payments")["json"]["amount"], 1234)
        self.assertEqual(self.api.last("hosted-payments")["json"]["currency"], "JPY")
        body = self.notification(tx, amount=1234)
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_refused_request_shows_checkout_error_codes(self):
        tx = self.make_tx()
        self.api.routes = {
            ("POST", r"/hosted-payments$"): (
                422,
                {
                    "request_id": "0HL80RJLS76I7",
                    "error_type": "request_invalid",
                    "error_codes": ["billing_required"],
                },
            )
        }
        with self.assertRaises(ValidationError) as caught:
            tx._get_processing_values()
        self.assertIn("billing_required", str(caught.exception))

    # -- webhooks ---------------------------------------------------------------------

    def test_successful_card_is_saved_when_asked(self):
        tx = self.make_tx(tokenize=True)
        self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.provider_reference, "pay_m3ncbzghvosu7b2j77hqln4agu")
        self.assertEqual(tx.token_id.provider_ref, "src_ps6ukw5ifuietcr6wthijpzsvy")
        self.assertEqual(tx.token_id.payment_details, "1234")
        self.assertEqual(tx.token_id.invoicera_customer_ref, "cus_gs47qn23bqmefhkmlpokm7vzxm")

    def test_capture_after_approval_changes_nothing(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_approved"))
        captured = dict(PAYMENT_APPROVED, id="evt_captured", type="payment_captured")
        captured["data"] = self.payment(tx)
        self.assertEqual(self.deliver(json.dumps(captured).encode())[0], 200)
        self.assertEqual(tx.state, "done")
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)

    def test_declined_payment_puts_the_transaction_in_error(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "error"))
        self.assertEqual(tx.state, "error")

    def test_payment_on_a_second_attempt_after_a_decline_is_recorded(self):
        """On the hosted page a declined card is retried: the second attempt is
        another payment object, whose approval of the right amount pays the
        transaction, and refunds go to it."""
        tx = self.make_tx()
        declined = dict(PAYMENT_APPROVED, id="evt_declined", type=EVENT_TYPES["error"])
        declined["data"] = self.payment(tx, payment_id="pay_declined0000000000000000")
        self.deliver(json.dumps(declined).encode())
        self.assertEqual(
            (tx.state, tx.provider_reference), ("error", "pay_declined0000000000000000")
        )
        approved = dict(PAYMENT_APPROVED, id="evt_approved", type=EVENT_TYPES["done"])
        approved["data"] = self.payment(tx, payment_id="pay_approved0000000000000000")
        self.assertEqual(self.deliver(json.dumps(approved).encode()), (200, "processed"))
        self.assertEqual(
            (tx.state, tx.provider_reference), ("done", "pay_approved0000000000000000")
        )
        # A cancellation of the declined attempt, arriving late, changes nothing.
        canceled = dict(PAYMENT_APPROVED, id="evt_canceled", type=EVENT_TYPES["cancel"])
        canceled["data"] = self.payment(tx, payment_id="pay_declined0000000000000000")
        self.assertEqual(self.deliver(json.dumps(canceled).encode())[0], 200)
        self.assertEqual(tx.state, "done")

    def test_unknown_event_types_are_acknowledged_and_ignored(self):
        tx = self.make_tx()
        event = dict(PAYMENT_APPROVED, type="dispute_received")
        event["data"] = self.payment(tx)
        self.assertEqual(self.deliver(json.dumps(event).encode()), (200, "ignored"))
        self.assertEqual(tx.state, "draft")

    def test_refund_is_confirmed_by_payment_refunded_only_on_the_refund(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        sent = self.api.last("refunds")
        self.assertIn("/payments/pay_m3ncbzghvosu7b2j77hqln4agu/refunds", sent["url"])
        self.assertEqual(sent["json"]["amount"], 1000)
        refund = tx.child_transaction_ids
        self.assertEqual(refund.state, "pending")
        self.assertEqual(refund.provider_reference, "act_y3oqhf46pyzuxjbcn2giaqnb44")
        self.assertEqual(
            sent["headers"]["Cko-Idempotency-Key"],
            self.gateway_class(self.provider).idempotency_key(refund, "refund"),
        )
        event = json.loads(json.dumps(PAYMENT_REFUNDED))
        event["data"].update(
            action_id="act_y3oqhf46pyzuxjbcn2giaqnb44",
            id="pay_m3ncbzghvosu7b2j77hqln4agu",
            reference=tx.reference,
            amount=1000,
            currency="EUR",
        )
        self.assertEqual(self.deliver(json.dumps(event).encode()), (200, "processed"))
        self.assertEqual(refund.state, "done")
        self.assertEqual(tx.state, "done")

    # -- saved cards, status -------------------------------------------------------------

    def test_saved_card_charge_is_merchant_initiated(self):
        token = self._create_token(
            provider_ref="src_nwd3m4in3hkuddfpjsaevunhdy",
            invoicera_customer_ref="cus_udst2tfldj6upmye2reztkmm4i",
        )
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-CKO-2")
        self.api.routes = self.charge_routes(tx)
        tx._send_payment_request()
        self.assertEqual(tx.state, "done")
        sent = self.api.last("/payments$")
        self.assertEqual(
            sent["json"]["source"], {"type": "id", "id": "src_nwd3m4in3hkuddfpjsaevunhdy"}
        )
        self.assertTrue(sent["json"]["merchant_initiated"])
        self.assertEqual(sent["json"]["payment_type"], "Recurring")
        self.assertEqual(sent["json"]["customer"], {"id": "cus_udst2tfldj6upmye2reztkmm4i"})
        self.assertEqual(sent["json"]["amount"], 123450)

    def test_declined_saved_card_charge(self):
        token = self._create_token(provider_ref="src_nwd3m4in3hkuddfpjsaevunhdy")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-CKO-3")
        declined = dict(
            PAYMENT_ANSWER,
            approved=False,
            status="Declined",
            response_code="20051",
            response_summary="Insufficient Funds",
            reference=tx.reference,
        )
        self.api.routes = {("POST", r"/payments$"): (201, declined)}
        tx._send_payment_request()
        self.assertEqual(tx.state, "error")
        self.assertIn("Insufficient Funds", tx.state_message)

    def test_fetch_status_finds_the_payment_by_reference(self):
        tx = self.make_tx()
        details = dict(self.payment(tx), status="Captured", approved=True)
        self.api.routes = {
            ("GET", r"/payments$"): (
                200,
                {"limit": 1, "skip": 0, "total_count": 1, "data": [details]},
            )
        }
        event = self.gateway_class(self.provider).fetch_status(tx)
        self.assertEqual(self.api.last("/payments$")["params"]["reference"], tx.reference)
        tx._invoicera_apply_event(event)
        self.assertEqual(tx.state, "done")
        # No payment with the reference (the client cancelled on the Hosted Payments
        # Page): nothing paid.
        self.api.routes = {("GET", r"/payments$"): (200, {"data": []})}
        self.assertEqual(self.gateway_class(self.provider).fetch_status(tx).status, "ignore")

    def test_return_reference_and_tokenization_flags(self):
        gateway = self.gateway_class(self.provider)
        self.assertEqual(
            gateway.parse_return({"reference": "INV-1", "cko-payment-id": "pay_1"}), "INV-1"
        )
        self.assertTrue(self.provider.support_tokenization)
        self.assertEqual(self.provider.support_refund, "partial")
        self.assertIn(self.env.ref("payment.payment_method_card"), self.provider.payment_method_ids)

    # -- refunds made in Checkout.com's dashboard, three-decimal currencies ------------------

    def refunded(self, **data):
        event = json.loads(json.dumps(PAYMENT_REFUNDED))
        event["data"].update(data)
        return json.dumps(event).encode()

    def test_refund_made_in_the_dashboard_is_reported_once(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        # a refund made in the dashboard: its own action id, the payment's reference
        body = self.refunded(
            id="pay_m3ncbzghvosu7b2j77hqln4agu",
            action_id="act_dashboard_refund",
            reference=tx.reference,
            amount=1200,
            currency="EUR",
        )
        self.assertEqual(self.deliver(body), (200, "outside"))
        problem = self.problems()
        self.assertEqual(len(problem), 1)
        self.assertEqual(problem.state, "outside")
        self.assertEqual(problem.transaction_id, tx)
        self.assertIn(
            f"Checkout.com refunded 12.00 EUR of {tx.reference} outside Odoo", problem.message
        )
        self.assertIn(problem.message, self.invoice.message_ids[:1].body)
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.problems()), 1)

    def test_refund_of_an_unknown_payment_or_of_odoos_own_refund_is_retried(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        unknown = self.refunded(id="pay_not_ours", action_id="act_other")
        self.assertEqual(self.deliver(unknown), (409, "unknown transaction"))
        own = self.refunded(
            id="pay_m3ncbzghvosu7b2j77hqln4agu",
            action_id="act_not_committed_yet",
            reference=f"R-{tx.reference}",
            amount=1000,
            currency="EUR",
        )
        self.assertEqual(self.deliver(own), (409, "unknown transaction"))
        self.assertFalse(self.problems())

    def test_three_decimal_amount_not_ending_in_zero_is_refused_before_checkout(self):
        kwd = self._prepare_currency("KWD")
        tx = self.make_tx(reference="KWD-1", currency_id=kwd.id, amount=12.345, invoice_ids=[])
        self.api.routes.update(self.checkout_routes(tx))
        with self.assertRaises(ValidationError) as refused:
            tx._get_processing_values()
        self.assertIn("12.345 KWD", str(refused.exception))
        self.assertFalse(self.api.calls, "nothing is sent to Checkout.com")
        # an amount Checkout.com accepts is sent as it is
        tx = self.make_tx(reference="KWD-2", currency_id=kwd.id, amount=12.34, invoice_ids=[])
        tx._get_processing_values()
        self.assertEqual(self.api.last("hosted-payments")["json"]["amount"], 12340)

    def test_three_decimal_refund_not_ending_in_zero_is_refused_before_calling(self):
        kwd = self._prepare_currency("KWD")
        tx = self.make_tx(reference="KWD-3", currency_id=kwd.id, amount=12.34, invoice_ids=[])
        tx._set_done()
        tx.provider_reference = "pay_m3ncbzghvosu7b2j77hqln4agu"
        self.api.routes = self.refund_routes(tx)
        with self.assertRaises(ValidationError) as refused:
            tx._send_refund_request(amount_to_refund=1.005)
        self.assertIn("1.005 KWD", str(refused.exception))
        self.assertFalse(self.api.calls)


@tagged("post_install", "-at_install")
class TestCheckoutComRefundRace(BaseCase):
    """Odoo's refund and its payment_refunded notification on two workers at once.

    Checkout.com may name the payment's reference in ``payment_refunded``: only the
    lock on the payment tells Odoo's refund in flight from one made in the dashboard.
    Needs committed data seen by two transactions: created in a cursor of its own,
    committed, deleted at the end.
    """

    def setUp(self):
        super().setUp()
        with committed_env() as env:
            provider = env.ref("invoicera_gateways.payment_provider_checkout")
            self.saved = provider.read(
                ["state", "invoicera_secret_key", "invoicera_webhook_secret"]
            )[0]
            provider.write(
                {
                    "state": "test",
                    "invoicera_secret_key": "sk_sbox_race",
                    "invoicera_webhook_secret": WEBHOOK_KEY,
                }
            )
            tx = env["payment.transaction"].create(
                {
                    "provider_id": provider.id,
                    "payment_method_id": env.ref("payment.payment_method_card").id,
                    "amount": 10.0,
                    "currency_id": env.ref("base.EUR").id,
                    "partner_id": env.ref("base.partner_admin").id,
                    "reference": f"RACE-{time.time_ns()}",
                    "operation": "online_redirect",
                    "provider_reference": "pay_race",
                }
            )
            tx._set_done()
            self.provider_id, self.tx_id, self.reference = provider.id, tx.id, tx.reference
        self.addCleanup(self.cleanup)

    def cleanup(self):
        with committed_env() as env:
            tx = env["payment.transaction"].browse(self.tx_id)
            refunds = tx.child_transaction_ids
            env["invoicera.gateway.event"].search(
                [("transaction_id", "in", (tx | refunds).ids)]
            ).unlink()
            refunds.unlink()
            tx.unlink()
            env["payment.provider"].browse(self.provider_id).write(
                {key: value for key, value in self.saved.items() if key != "id"}
            )

    def test_notification_of_odoos_refund_in_flight_waits_for_it(self):
        refund_calling, release_refund = threading.Event(), threading.Event()

        def refund(method, url, kwargs):
            refund_calling.set()
            release_refund.wait(20)  # Checkout.com notifies before Odoo commits
            return 202, {"action_id": "act_race", "reference": "R-" + self.reference}

        api = FakeGatewayAPI({("POST", r"/payments/pay_race/refunds$"): refund})
        self.startPatcher(patch.object(Gateway, "_send", side_effect=api))
        body = json.dumps(
            dict(
                PAYMENT_REFUNDED,
                data=dict(
                    PAYMENT_REFUNDED["data"],
                    id="pay_race",
                    action_id="act_race",
                    reference=self.reference,  # the payment's
                    amount=500,
                    currency="EUR",
                ),
            )
        ).encode()
        headers = Headers(
            {"Cko-Signature": hmac.new(WEBHOOK_KEY.encode(), body, hashlib.sha256).hexdigest()}
        )
        results, errors = {}, []

        def refunding():
            try:
                with committed_env() as env:
                    tx = env["payment.transaction"].browse(self.tx_id)
                    tx._send_refund_request(amount_to_refund=5)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
                refund_calling.set()

        def notified():
            try:
                with committed_env() as env:

                    def receive():
                        return env["invoicera.gateway.event"]._invoicera_receive(
                            "checkout", self.provider_id, headers, body
                        )

                    # through Odoo's HTTP retry loop, as a webhook is
                    results["webhook"] = retrying(receive, env)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

        first = threading.Thread(target=refunding)
        first.start()
        self.assertTrue(refund_calling.wait(20))
        second = threading.Thread(target=notified)
        second.start()
        second.join(1.5)
        self.assertTrue(
            second.is_alive(), f"the notification must wait for the refund: {results} {errors}"
        )
        release_refund.set()
        first.join(20)
        second.join(20)
        self.assertFalse(errors, errors)
        self.assertEqual(results, {"webhook": (200, "processed")})
        with committed_env() as env:
            refund_tx = env["payment.transaction"].browse(self.tx_id).child_transaction_ids
            self.assertEqual(refund_tx.mapped("state"), ["done"])
            events = env["invoicera.gateway.event"].search(
                [("provider_id", "=", self.provider_id), ("state", "=", "outside")]
            )
            self.assertFalse(events.filtered(lambda e: e.transaction_id.id == self.tx_id))
