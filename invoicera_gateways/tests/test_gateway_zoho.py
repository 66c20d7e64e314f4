import hashlib
import hmac
import json
import time
from datetime import timedelta

import requests

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..gateways import Delivery
from ..gateways.base import GatewayUnavailable
from . import common

# https://www.zoho.com/in/payments/api/v1/webhooks/ - "payment.succeeded" example
PAYMENT_SUCCEEDED = {
    "event_id": 1987000003853347,
    "event_type": "payment.succeeded",
    "account_id": 105078477,
    "live_mode": False,
    "event_time": 1745558807514,
    "event_object": {
        "payment": {
            "payment_id": "1987000000724207",
            "phone": "+91 0000000000",
            "amount": "200.00",
            "currency": "INR",
            "payments_session_id": "1987000000724189",
            "receipt_email": "xxx@abc.com",
            "reference_number": "REF-12345",
            "invoice_number": "INV-12345",
            "amount_captured": "200.00",
            "amount_refunded": "0.00",
            "fee_amount": "4.00",
            "net_tax_amount": "0.72",
            "total_fee_amount": "4.72",
            "net_amount": "195.28",
            "status": "succeeded",
            "statement_descriptor": "Zoho Payments",
            "description": "Payment for INV-000008",
            "date": 1715163045,
            "payment_method": {
                "type": "card",
                "card": {
                    "card_holder_name": "Akash",
                    "last_four_digits": "3212",
                    "expiry_month": "01",
                    "expiry_year": "26",
                    "brand": "rupay",
                    "funding": "debit",
                },
            },
            "meta_data": [{"key": "Key1", "value": "Value1"}],
        }
    },
}
# https://www.zoho.com/in/payments/api/v1/payment-links - the payment link object
PAYMENT_LINK = {
    "payment_link_id": "173000002315107",
    "url": "https://payments.zoho.in/paymentlink/b0ec9b455584e8ee1dc0fd479f7ad4601ea39169f8aaf9991b83",
    "expires_at": "2025-03-14",
    "amount": "100.50",
    "amount_paid": "0.00",
    "currency": "INR",
    "status": "active",
    "email": "xxx@abc.com",
    "reference_id": "1234567890IUEGS",
    "description": "Payment for Order #12345",
    "return_url": "https://example.com/success",
    "phone": "+91 0000000000",
    "created_time": 1708950672,
    "created_by_id": "173000002314885",
    "created_by": "Akash",
    "last_modified_by_id": "173000002314885",
    "last_modified": "Akash",
}
EVENT_TYPES = {
    "done": ("payment.succeeded", "succeeded"),
    "pending": ("payment.pending", "pending"),
    "error": ("payment.failed", "failed"),
    "cancel": ("payment.failed", "failed"),
}


@tagged("post_install", "-at_install")
class TestZohoPayments(common.GatewayCase):
    gateway_code = "zoho"
    currency_code = "INR"
    signs_timestamp = True
    credentials = {
        "invoicera_account_id": "23137556",
        "invoicera_secret_key": "1000.41d9xxxxxxxxxxxxc2d1.8fccxxxxxxxxxxxx125f",
        "invoicera_webhook_secret": "zoho_signing_key",
    }
    hosted_page = PAYMENT_LINK["url"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # an account in India: Test Mode calls Zoho's sandbox (the US has none)
        cls.provider.company_id.country_id = cls.env.ref("base.in")

    def event(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        event_type, payment_status = EVENT_TYPES[status]
        number = int(hashlib.sha1(event_id.encode()).hexdigest()[:12], 16)
        payload = json.loads(json.dumps(PAYMENT_SUCCEEDED))
        payload.update(event_id=number, event_type=event_type)
        minor = self.minor() if amount is None else amount
        payload["event_object"]["payment"].update(
            payment_id=str(number + 1),
            reference_number=tx.reference,
            amount=f"{minor / 100:.2f}",
            currency=currency or tx.currency_id.name,
            status=payment_status,
        )
        return payload

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        return json.dumps(self.event(tx, status, amount, currency, event_id)).encode()

    def refund_notification(self, tx, event_id, refund_id, reference, amount):
        """Zoho's refund.succeeded of a refund of ``tx``
        (https://www.zoho.com/in/payments/api/v1/webhooks/); ``reference``: the
        refund's ``reference_number`` (Odoo's refund's, or empty for a refund made
        in Zoho Payments)."""
        return json.dumps(
            {
                "event_id": event_id,
                "event_type": "refund.succeeded",
                "account_id": 105078477,
                "live_mode": False,
                "event_time": 1745558907514,
                "event_object": {
                    "refund": {
                        "refund_id": refund_id,
                        "payment_id": tx.provider_reference,
                        "reference_number": reference,
                        "amount": amount,
                        "status": "succeeded",
                    }
                },
            }
        ).encode()

    def sign(self, body, secret, timestamp=None):
        # X-Zoho-Webhook-Signature: t=<milliseconds>,v=<hex HMAC-SHA256(key, t + "." + body)>
        t = str(int((time.time() if timestamp is None else timestamp) * 1000))
        v = hmac.new(secret.encode(), t.encode() + b"." + body, hashlib.sha256).hexdigest()
        return {"X-Zoho-Webhook-Signature": f"t={t},v={v}"}

    def checkout_routes(self, tx):
        link = dict(PAYMENT_LINK, reference_id=tx.reference, amount=f"{self.minor() / 100:.2f}")
        return {
            ("POST", r"/api/v1/paymentlinks$"): (
                201,
                {"code": 0, "message": "Payment link created", "payment_links": link},
            )
        }

    def payment_details(self, tx, **values):
        """Retrieve Payment Details' answer for ``tx``'s payment (the payment object)."""
        payment = dict(
            PAYMENT_SUCCEEDED["event_object"]["payment"],
            payment_id=tx.provider_reference,
            amount=f"{self.minor() / 100:.2f}",
            reference_number=tx.reference,
            refunds=[],
        )
        payment.update(values)
        return {"code": 0, "message": "success", "payments": payment}

    def refund_routes(self, tx):
        # https://www.zoho.com/in/payments/api/v1/refunds (the refund object)
        return {
            ("GET", r"/api/v1/payments/[^/]+$"): (200, self.payment_details(tx)),
            ("POST", r"/api/v1/payments/[^/]+/refunds$"): (
                201,
                {
                    "code": 0,
                    "message": "Refund initiated",
                    "refund": {
                        "refund_id": "1987000000724301",
                        "payment_id": tx.provider_reference,
                        "reference_number": "R-1",
                        "amount": "10.00",
                        "type": "initiated_by_merchant",
                        "reason": "requested_by_customer",
                        "status": "initiated",
                        "date": 1715163345000,
                    },
                },
            ),
        }

    # -- Zoho Payments specifics ------------------------------------------------------------

    def test_signature_covers_timestamp_and_body(self):
        gateway = self.gateway_class(self.provider)
        body = json.dumps(PAYMENT_SUCCEEDED).encode()
        t = 1734340423138
        v = hmac.new(b"zoho_signing_key", f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        headers = {"X-Zoho-Webhook-Signature": f"t={t},v={v}"}
        now = t / 1000 + 10
        self.assertTrue(gateway.verify(Delivery(headers=headers, body=body), now=now))
        self.assertFalse(gateway.verify(Delivery(headers=headers, body=body + b" "), now=now))
        moved = {"X-Zoho-Webhook-Signature": f"t={t + 1},v={v}"}
        self.assertFalse(gateway.verify(Delivery(headers=moved, body=body), now=now))
        self.assertFalse(gateway.verify(Delivery(headers=headers, body=body), now=now + 3600))

    def test_payment_link_payload(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        call = self.api.last("paymentlinks")
        self.assertEqual(call["params"], {"account_id": "23137556"})
        self.assertEqual(
            call["headers"]["Authorization"],
            f"Zoho-oauthtoken {self.credentials['invoicera_secret_key']}",
        )
        body = call["json"]
        self.assertEqual(body["amount"], "1234.50")
        self.assertEqual(body["currency"], "INR")
        self.assertEqual(body["reference_id"], tx.reference)
        self.assertTrue(
            body["return_url"].endswith(f"/return/{self.provider.id}?reference={tx.reference}")
        )

    # -- OAuth: access tokens renewed with the refresh token -------------------------------

    def oauth_client(self):
        """The provider set up with an OAuth client and its refresh token; Zoho's
        OAuth server gives access tokens 1000.access-1, 1000.access-2, ..."""
        self.provider.write(
            {
                "invoicera_public_key": "1000.CLIENTID",
                "invoicera_secret_key": "client-secret",
                "invoicera_refresh_token": "1000.refresh",
            }
        )
        issued = []

        def token(method, url, kwargs):
            # https://www.zoho.com/in/payments/developerdocs/web-integration/org-oauth
            self.assertFalse(kwargs["params"], "no secret in the address (logged)")
            issued.append(kwargs["data"])
            return 200, {
                "access_token": f"1000.access-{len(issued)}",
                "api_domain": "https://www.zohoapis.in",
                "token_type": "Bearer",
                "expires_in": 3600,
            }

        self.api.routes[("POST", r"^https://accounts\.zoho\.in/oauth/v2/token$")] = token
        return issued

    def test_access_token_is_renewed_with_the_refresh_token(self):
        issued = self.oauth_client()
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        self.assertEqual(
            issued,
            [
                {
                    "client_id": "1000.CLIENTID",
                    "client_secret": "client-secret",
                    "grant_type": "refresh_token",
                    "refresh_token": "1000.refresh",
                }
            ],
        )
        self.assertEqual(
            self.api.last("paymentlinks")["headers"]["Authorization"],
            "Zoho-oauthtoken 1000.access-1",
        )
        # kept on the provider, for every worker of the server: the same token
        self.env.invalidate_all()
        self.assertEqual(self.provider.invoicera_access_token, "1000.access-1")
        gateway = self.gateway_class(self.provider)
        self.assertEqual(gateway.access_token(), "1000.access-1", "kept while valid")
        self.assertEqual(len(issued), 1)
        # about to expire (in 4 minutes): renewed
        self.provider.invoicera_access_token_expiry = fields.Datetime.now() + timedelta(minutes=4)
        self.assertEqual(gateway.access_token(), "1000.access-2", "renewed once expiring")
        self.assertEqual(len(issued), 2)
        # other credentials: the token of the former ones is not used
        self.provider.invoicera_refresh_token = "1000.other-refresh"
        self.assertEqual(gateway.access_token(), "1000.access-3")
        self.assertEqual(issued[-1]["refresh_token"], "1000.other-refresh")

    def test_access_token_refused_is_renewed_once(self):
        issued = self.oauth_client()
        tx = self.make_tx()
        link = self.checkout_routes(tx)[("POST", r"/api/v1/paymentlinks$")]
        answers = [(401, {"code": 57, "message": "Invalid OAuth token"}), link]
        self.api.routes[("POST", r"/api/v1/paymentlinks$")] = lambda *args: answers.pop(0)
        tx._get_processing_values()
        self.assertEqual(len(issued), 2, "a new token for the refused one")
        self.assertEqual(
            self.api.last("paymentlinks")["headers"]["Authorization"],
            "Zoho-oauthtoken 1000.access-2",
        )
        for status, message, tokens in (
            # refused again with a new token: the credentials are wrong, said once
            (401, "Invalid OAuth token", 3),
            # a refusal of the account's rights is not the token's: not renewed
            (403, "Scope does not match", 3),
        ):
            refused = (status, {"code": 57, "message": message})
            self.api.routes[("POST", r"/api/v1/paymentlinks$")] = refused
            with self.assertRaisesRegex(ValidationError, "refused our credentials"):
                self.gateway_class(self.provider).create_checkout(
                    self.make_tx(reference=f"ZOHO-{status}"), "https://r", "https://w"
                )
            self.assertEqual(len(issued), tokens, status)

    def test_refresh_token_refused_is_a_clear_error(self):
        self.oauth_client()
        self.api.routes[("POST", r"^https://accounts\.zoho\.in/oauth/v2/token$")] = (
            200,
            {"error": "invalid_code"},
        )
        tx = self.make_tx()
        with self.assertRaisesRegex(
            ValidationError, r"refused to renew the access token \(invalid_code\)"
        ):
            self.gateway_class(self.provider).create_checkout(tx, "https://r", "https://w")
        self.assertFalse(self.api.calls[1:], "nothing sent to the API")

    def test_api_host_follows_the_company_country(self):
        gateway = self.gateway_class(self.provider)
        self.provider.state = "enabled"
        self.provider.company_id.country_id = self.env.ref("base.in")
        self.assertEqual(gateway.base_url(), "https://payments.zoho.in/api/v1/")
        self.provider.company_id.country_id = self.env.ref("base.us")
        self.assertEqual(gateway.base_url(), "https://payments.zoho.com/api/v1/")

    def test_provider_in_test_mode_calls_the_sandbox(self):
        # https://www.zoho.com/in/payments/developerdocs/sandbox: sandbox credentials
        # and "the sandbox endpoint: https://paymentssandbox.zoho.in/"; test mode
        # never takes real money
        gateway = self.gateway_class(self.provider)
        self.provider.company_id.country_id = self.env.ref("base.in")
        self.provider.state = "test"
        self.assertTrue(self.provider.invoicera_sandbox)
        self.assertEqual(gateway.base_url(), "https://paymentssandbox.zoho.in/api/v1/")
        self.assertEqual(gateway.account_currencies(), ("INR",))
        self.provider.state = "enabled"
        self.assertEqual(gateway.base_url(), "https://payments.zoho.in/api/v1/")

    def test_provider_in_test_mode_without_a_sandbox_sends_nothing(self):
        # Zoho documents a sandbox for India only: a US account in Test Mode would
        # take real money on the live API
        self.provider.company_id.country_id = self.env.ref("base.us")
        self.provider.state = "test"
        tx = self.make_tx(currency_id=self.env.ref("base.USD").id)
        with self.assertRaises(ValidationError) as refused:
            self.gateway_class(self.provider).create_checkout(tx, "https://r", "https://w")
        self.assertIn("sandbox for accounts in India only", str(refused.exception))
        self.assertFalse(self.api.calls, "nothing sent")
        self.assertEqual(self.gateway_class(self.provider).account_currencies(), ("USD",))
        self.provider.invoicera_server_url = "https://sandbox.example.com/api/v1"
        self.assertEqual(
            self.gateway_class(self.provider).base_url(), "https://sandbox.example.com/api/v1/"
        )

    def test_an_account_takes_its_country_s_currency(self):
        """Zoho Payments India takes rupees only, the US account dollars only."""
        self.provider.company_id.country_id = self.env.ref("base.in")
        self.provider.invoicera_secret_key = "1000.in_token"
        self.assertEqual(self.provider.available_currency_ids.mapped("name"), ["INR"])
        self.provider.company_id.country_id = self.env.ref("base.us")
        self.provider.invoicera_secret_key = "1000.us_token"
        self.assertEqual(self.provider.available_currency_ids.mapped("name"), ["USD"])
        self.provider.invoicera_server_url = "https://payments.zoho.in/api/v1"
        self.assertEqual(self.provider.available_currency_ids.mapped("name"), ["INR"])

    def test_payment_keeps_its_id_and_method(self):
        tx = self.make_tx()
        payload = self.event(tx, event_id="evt_card")
        self.deliver(json.dumps(payload).encode())
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.provider_reference, payload["event_object"]["payment"]["payment_id"])
        self.assertEqual(tx.payment_method_code, "card")

    def test_failed_payment(self):
        tx = self.make_tx()
        payload = self.event(tx, "error", event_id="evt_failed")
        payload["event_object"]["payment"]["failure_reason"] = "insufficient_funds"
        self.deliver(json.dumps(payload).encode())
        self.assertEqual(tx.state, "error")
        self.assertIn("insufficient_funds", tx.state_message)

    def test_payment_link_paid_event(self):
        tx = self.make_tx()
        link = dict(
            PAYMENT_LINK,
            reference_id=tx.reference,
            amount_paid=f"{self.minor() / 100:.2f}",
            status="paid",
        )
        body = json.dumps(
            {
                "event_id": 1987000003853999,
                "event_type": "payment_link.paid",
                "account_id": 105078477,
                "live_mode": False,
                "event_time": 1745558807514,
                "event_object": {"payment_link": link},
            }
        ).encode()
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def link_event(self, link, event_id=1987000003853999):
        return json.dumps(
            {
                "event_id": event_id,
                "event_type": "payment_link.paid",
                "account_id": 105078477,
                "live_mode": False,
                "event_time": 1745558807514,
                "event_object": {"payment_link": link},
            }
        ).encode()

    def test_return_url_keeps_a_reference_with_slashes(self):
        tx = self.make_tx(reference="INV/2026/00042")
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        return_url = self.api.last("paymentlinks")["json"]["return_url"]
        self.assertTrue(
            return_url.endswith(f"/return/{self.provider.id}?reference=INV%2F2026%2F00042"),
            return_url,
        )

    def test_link_paid_without_its_amount_is_confirmed_with_the_amount_zoho_gives(self):
        """A done event confirms the payment with its amount: when the webhook's link lacks
        ``amount_paid``, the link is retrieved and what it says is checked and applied."""
        tx = self.make_tx()
        paid = f"{self.minor() / 100:.2f}"
        link = dict(PAYMENT_LINK, reference_id=tx.reference, status="paid")
        del link["amount_paid"]
        retrieved = dict(link, amount_paid=paid)
        self.api.routes[("GET", r"/api/v1/paymentlinks/173000002315107$")] = (
            200,
            {"code": 0, "message": "success", "payment_links": retrieved},
        )
        self.assertEqual(self.deliver(self.link_event(link)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.api.last("paymentlinks")["params"], {"account_id": "23137556"})
        event = self.gateway_class(self.provider).parse_notification(
            Delivery(headers={}, body=self.link_event(link))
        )
        self.assertEqual((event.status, event.amount, event.currency), ("done", 123450, "INR"))
        tx._post_process()
        self.assertEqual(self.payments(tx).amount, tx.amount)

    def test_link_paid_with_an_unreadable_amount_takes_the_amount_of_the_api(self):
        tx = self.make_tx()
        link = dict(PAYMENT_LINK, reference_id=tx.reference, status="paid", amount_paid="n/a")
        self.api.routes[("GET", r"/api/v1/paymentlinks/173000002315107$")] = (
            200,
            {"code": 0, "payment_links": dict(link, amount_paid="1000.00")},
        )
        self.assertEqual(self.deliver(self.link_event(link)), (200, "mismatch"))
        self.assertEqual(tx.state, "error")
        self.assertIn("100000", tx.state_message)

    def test_payment_succeeded_without_its_amount_is_completed_from_the_api(self):
        tx = self.make_tx()
        payload = self.event(tx, event_id="evt_no_amount")
        payment = payload["event_object"]["payment"]
        del payment["amount"]
        tx.provider_reference = payment["payment_id"]
        self.api.routes[("GET", rf"/api/v1/payments/{payment['payment_id']}$")] = (
            200,
            self.payment_details(tx),
        )
        self.assertEqual(self.deliver(json.dumps(payload).encode()), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.api.last("payments")["method"], "GET")

    def test_refund_made_by_an_attempt_that_timed_out_is_not_made_again(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        routes = self.refund_routes(tx)
        self.api.routes.update(routes)
        self.api.routes[("POST", r"/api/v1/payments/[^/]+/refunds$")] = (
            requests.exceptions.ReadTimeout("read timed out")
        )
        with self.assertRaises(GatewayUnavailable):
            tx.action_refund(amount_to_refund=10)
        sent = self.api.last("refunds")["json"]
        # Zoho made the refund; the payment now lists it under our reference.
        made = {
            "refund_id": "1987000000724301",
            "payment_id": tx.provider_reference,
            "reference_number": sent["reference_number"],
            "amount": "10.00",
            "type": "initiated_by_merchant",
            "reason": "requested_by_customer",
            "status": "succeeded",
            "date": 1715163345000,
        }
        self.api.routes.update(routes)
        self.api.routes[("GET", r"/api/v1/payments/[^/]+$")] = (
            200,
            self.payment_details(tx, amount_refunded="10.00", refunds=[made]),
        )
        posts = len([call for call in self.api.calls if call["method"] == "POST"])
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(refund.reference, sent["reference_number"])
        self.assertEqual((refund.state, refund.provider_reference), ("done", "1987000000724301"))
        self.assertEqual(len([c for c in self.api.calls if c["method"] == "POST"]), posts)

    def test_refund_is_not_sent_when_zoho_shows_an_unknown_refund(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        self.api.routes.update(self.refund_routes(tx))
        self.api.routes[("GET", r"/api/v1/payments/[^/]+$")] = (
            200,
            self.payment_details(tx, amount_refunded="10.00"),
        )
        with self.assertRaises(ValidationError) as caught:
            tx.action_refund(amount_to_refund=10)
        self.assertIn("nothing was sent", str(caught.exception))
        self.assertFalse([c for c in self.api.calls if c["url"].endswith("/refunds")])
        # A refund Odoo knows of is no obstacle to the next one.
        self.api.routes[("GET", r"/api/v1/payments/[^/]+$")] = (
            200,
            self.payment_details(tx, amount_refunded="0.00"),
        )
        tx.action_refund(amount_to_refund=10)
        self.api.routes[("GET", r"/api/v1/payments/[^/]+$")] = (
            200,
            self.payment_details(tx, amount_refunded="10.00"),
        )
        tx.action_refund(amount_to_refund=5)
        self.assertEqual(len(tx.child_transaction_ids), 2)

    def test_refund_and_its_webhook(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        self.api.routes.update(self.refund_routes(tx))
        tx.action_refund(amount_to_refund=10)
        call = self.api.last("refunds")
        self.assertIn(f"/payments/{tx.provider_reference}/refunds", call["url"])
        refund = tx.child_transaction_ids
        self.assertEqual(call["json"]["amount"], "10.00")
        self.assertEqual(call["json"]["reference_number"], refund.reference)
        self.assertEqual(refund.state, "pending")
        body = self.refund_notification(
            tx, 1987000003854001, "1987000000724301", refund.reference, "10.00"
        )
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(refund.state, "done")

    def test_return_asks_for_the_known_payment(self):
        tx = self.make_tx()
        tx.provider_reference = "1987000000724207"
        payment = dict(
            PAYMENT_SUCCEEDED["event_object"]["payment"],
            amount=f"{self.minor() / 100:.2f}",
            reference_number=tx.reference,
        )
        self.api.routes[("GET", r"/api/v1/payments/1987000000724207$")] = (
            200,
            {"code": 0, "message": "success", "payments": payment},
        )
        event = self.gateway_class(self.provider).fetch_status(tx)
        self.assertEqual(
            (event.status, event.amount, event.currency), ("done", self.minor(), "INR")
        )

    def test_refund_made_in_the_dashboard_is_reported_once(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, event_id="evt_paid"))
        self.assertEqual(tx.state, "done")
        # https://www.zoho.com/in/payments/api/v1/webhooks/ refund.succeeded, of a refund
        # made in Zoho Payments (no reference of Odoo's)
        body = self.refund_notification(tx, 1987000003854077, "1987000000724999", "", "12.00")
        self.assertEqual(self.deliver(body), (200, "outside"))
        problem = self.problems()
        self.assertEqual(len(problem), 1)
        self.assertIn(
            f"Zoho Payments refunded 12.00 INR of {tx.reference} outside Odoo", problem.message
        )
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.problems()), 1)
