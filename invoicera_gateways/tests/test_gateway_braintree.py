import base64
import hashlib
import hmac
import json
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlencode

import requests

from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.account_payment.tests.common import AccountPaymentCommon

from .. import utils
from ..gateways.base import Delivery, Gateway, GatewayUnavailable
from . import common

PUBLIC_KEY = "integration_public_key"
PRIVATE_KEY = "integration_private_key"

# braintree_python, braintree/webhook_testing_gateway.py: the sample notification
# and its subjects. Real notifications carry the whole transaction, order-id included.
NOTIFICATION = """<notification>
  <timestamp type="datetime">{timestamp}</timestamp>
  <kind>{kind}</kind>
  <subject>{subject}</subject>
</notification>
"""
TRANSACTION_SETTLED = """
  <transaction>
    <id>{id}</id>
    <status>{status}</status>
    <type>sale</type>
    <currency-iso-code>{currency}</currency-iso-code>
    <amount>{amount}</amount>
    <order-id>{order_id}</order-id>
    <merchant-account-id>ogaotkivejpfayqfeaimuktty</merchant-account-id>
    <payment-instrument-type>us_bank_account</payment-instrument-type>
    <us-bank-account>
      <routing-number>123456789</routing-number>
      <last-4>1234</last-4>
      <account-type>checking</account-type>
      <account-holder-name>Dan Schulman</account-holder-name>
    </us-bank-account>
    <tax-amount>0</tax-amount>
  </transaction>
"""
LOCAL_PAYMENT_COMPLETED = """
  <local-payment>
    <bic>a-bic</bic>
    <iban-last-chars>1234</iban-last-chars>
    <payer-id>a-payer-id</payer-id>
    <payer-name>a-payer-name</payer-name>
    <payment-id>a-payment-id</payment-id>
    <payment-method-nonce>ee257d98-de40-47e8-96b3-a6954ea7a9a4</payment-method-nonce>
    <transaction>
      <id>{id}</id>
      <status>authorizing</status>
      <amount>{amount}</amount>
      <order-id>{order_id}</order-id>
    </transaction>
  </local-payment>
"""
KINDS = {
    "done": ("transaction_settled", "settled"),
    "error": ("transaction_settlement_declined", "settlement_declined"),
    "pending": ("local_payment_completed", "authorizing"),
}
# graphql.braintreepayments.com/guides/charging_payment_methods: the answer, with
# the fields we ask for (Transaction in the published schema).
CHARGED = {
    "id": "dHJhbnNhY3Rpb25fOGtmcTJ3ZzI",
    "legacyId": "8kfq2wg2",
    "status": "SUBMITTED_FOR_SETTLEMENT",
    "paymentMethodSnapshot": {"__typename": "CreditCardDetails", "last4": "1881"},
    "statusHistory": [{"status": "AUTHORIZED"}, {"status": "SUBMITTED_FOR_SETTLEMENT"}],
}
REQUEST_ID = {"requestId": "a-uuid-for-the-request"}
# viewer.merchant.merchantAccounts (MerchantAccount in the published schema): one account
# per currency, as Braintree sets them up.
MERCHANT_ACCOUNTS = {
    "data": {
        "viewer": {
            "merchant": {
                "merchantAccounts": {
                    "edges": [
                        {
                            "node": {
                                "id": "acme_eur",
                                "currencyCode": "EUR",
                                "status": "ACTIVE",
                                "isDefault": True,
                            }
                        },
                        {
                            "node": {
                                "id": "acme_usd_old",
                                "currencyCode": "USD",
                                "status": "SUSPENDED",
                                "isDefault": False,
                            }
                        },
                        {
                            "node": {
                                "id": "acme_usd",
                                "currencyCode": "USD",
                                "status": "ACTIVE",
                                "isDefault": False,
                            }
                        },
                    ],
                    "pageInfo": {"hasNextPage": False, "endCursor": None},
                }
            }
        }
    },
    "extensions": REQUEST_ID,
}


def form_payload(body):
    return parse_qs(body.decode())["bt_payload"][0]


def bt_sign(payload, private_key, public_key=PUBLIC_KEY):
    """braintree_python's Crypto.sha1_hmac_hash: HMAC-SHA1 keyed with SHA1(private key)."""
    key = hashlib.sha1(private_key.encode()).digest()
    return f"{public_key}|{hmac.new(key, payload.encode(), hashlib.sha1).hexdigest()}"


def graphql_router(answers):
    """A FakeGatewayAPI answer dispatching on the GraphQL operation sent."""

    def answer(method, url, kwargs):
        query = kwargs["json"]["query"]
        for operation, body in answers.items():
            if operation in query:
                return 200, body(kwargs["json"]["variables"]) if callable(body) else body
        raise AssertionError(f"unexpected GraphQL operation: {query}")

    answer.answers = answers
    return answer


class BraintreeMixin:
    def charged(self, tx, **values):
        gateway = self.gateway_class(self.provider)
        node = dict(
            CHARGED,
            orderId=tx.reference,
            amount={
                "value": gateway.amount_string(tx.amount, tx.currency_id),
                "currencyCode": tx.currency_id.name,
            },
        )
        node.update(values)
        return {"data": {"chargePaymentMethod": {"transaction": node}}, "extensions": REQUEST_ID}

    def client_token_answer(self, variables=None):
        return {
            "data": {"createClientToken": {"clientToken": "eyJ2ZXJzaW9uIjoyLCJhdXRob3JpemF0aW9u"}},
            "extensions": REQUEST_ID,
        }


@tagged("post_install", "-at_install")
class TestBraintree(BraintreeMixin, common.GatewayCase):
    gateway_code = "braintree"
    currency_code = "USD"
    credentials = {
        "invoicera_public_key": PUBLIC_KEY,
        "invoicera_secret_key": PRIVATE_KEY,
        "invoicera_account_id": "USD:acme_usd, JPY:acme_jpy",
    }
    # Braintree has no hosted page: the client goes to our page hosting Drop-in.
    hosted_page = "/payment/invoicera/braintree/pay/"

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        kind, bt_status = KINDS[status]
        code = currency or tx.currency_id.name
        minor = self.minor() if amount is None else amount
        values = {
            "id": event_id,
            "status": bt_status,
            "currency": code,
            "amount": utils.from_minor_units(minor, code),
            "order_id": tx.reference,
        }
        template = LOCAL_PAYMENT_COMPLETED if status == "pending" else TRANSACTION_SETTLED
        xml = NOTIFICATION.format(
            timestamp="2024-05-06T07:08:09Z", kind=kind, subject=template.format(**values)
        )
        # The SDK base64-encodes with encodebytes (a newline every 76 characters).
        payload = base64.encodebytes(xml.encode()).decode()
        return urlencode({"bt_payload": payload}).encode()

    def sign(self, body, secret, timestamp=None):
        # The signature is the bt_signature field of the same form ("=" marks a body field).
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "=bt_signature": bt_sign(form_payload(body), secret),
        }

    def deliver(self, body, signed=None, now=None):
        signed = self.sign(body, self.secret()) if signed is None else signed
        fields = {key[1:]: value for key, value in signed.items() if key.startswith("=")}
        if fields:
            body = urlencode(fields).encode() + b"&" + body
        headers = {key: value for key, value in signed.items() if not key.startswith("=")}
        return super().deliver(body, headers, now=now)

    def checkout_routes(self, tx):
        return {
            ("POST", r"/graphql$"): graphql_router({"createClientToken": self.client_token_answer})
        }

    def refund_routes(self, tx):
        refund = {
            "id": "cmVmdW5kXzRjcnNwaGZi",
            "legacyId": "4crsphfb",
            "orderId": "R-" + tx.reference,
            "status": "SUBMITTED_FOR_SETTLEMENT",
            "amount": {"value": "10.00", "currencyCode": "USD"},
        }
        return {
            ("POST", r"/graphql$"): graphql_router(
                {
                    "RefundSearch": {"data": {"search": {"refunds": {"edges": []}}}},
                    "refundTransaction": {"data": {"refundTransaction": {"refund": refund}}},
                }
            )
        }

    def charge_routes(self, tx):
        return {
            ("POST", r"/graphql$"): graphql_router(
                {
                    "search": {"data": {"search": {"transactions": {"edges": []}}}},
                    "chargePaymentMethod": self.charged(tx),
                }
            )
        }

    # -- the signature scheme ----------------------------------------------------------

    def test_notifications_that_cannot_be_proven_are_refused(self):
        """GatewayCase's test, for a signature sent in the form body rather than a header.

        The generic version removes the signature header (or ``?`` parameter); here the
        signature is the ``bt_signature`` field next to ``bt_payload``.
        """
        tx = self.make_tx()
        body = self.notification(tx, "done")
        good = self.sign(body, self.secret())
        payload = form_payload(body)
        xml = base64.b64decode(payload).replace(b"<amount>", b"<amount>1", 1)
        forged = urlencode({"bt_payload": base64.encodebytes(xml).decode()}).encode()
        other_key = dict(
            good, **{"=bt_signature": good["=bt_signature"].replace(PUBLIC_KEY, "other")}
        )
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING") as logs:
            self.assert_untouched(tx, self.deliver(forged, good))
            self.assert_untouched(tx, self.deliver(body, self.sign(body, "not-the-secret")))
            self.assert_untouched(tx, self.deliver(body, other_key))
            unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
            self.assert_untouched(tx, self.deliver(body, unsigned))
        self.assertTrue(any("refused" in line for line in logs.output))
        self.provider.invoicera_secret_key = False
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assert_untouched(tx, self.deliver(body, good))

    def test_sdk_test_vector(self):
        # braintree_python tests/unit/test_webhooks.py: with the integration keys,
        # verify("20f9f8ed05f77439fe955c977e4c8a53") ==
        # "integration_public_key|d9b899556c966b3f06945ec21311865d35df3ce4"
        gateway = self.gateway_class(self.provider)
        expected = "integration_public_key|d9b899556c966b3f06945ec21311865d35df3ce4"
        challenge = "20f9f8ed05f77439fe955c977e4c8a53"
        self.assertEqual(gateway.challenge_response(challenge), expected)
        self.assertIsNone(gateway.challenge_response("bad challenge"))

        def delivery(signature, payload):
            body = urlencode({"bt_signature": signature, "bt_payload": payload}).encode()
            return Delivery(headers={}, body=body)

        self.assertTrue(gateway.verify(delivery(expected, challenge)))
        self.assertFalse(gateway.verify(delivery(expected, "20f9f8ed05f77439fe955c977e4c8a54")))
        self.assertFalse(gateway.verify(delivery(expected[:-1] + "5", challenge)))
        # Several pairs joined by "&", and a payload signed with its trailing newline.
        self.assertTrue(gateway.verify(delivery("other_key|abc&" + expected, challenge)))
        signed_with_newline = bt_sign(challenge + "\n", PRIVATE_KEY)
        self.assertTrue(gateway.verify(delivery(signed_with_newline, challenge)))
        self.assertFalse(gateway.verify(delivery(expected, challenge + "~")))

    def test_refund_failed_notification_puts_the_refund_in_error(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = CHARGED["id"]
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(refund.state, "done")
        self.assertEqual(refund.provider_reference, "4crsphfb")
        # webhook_testing_gateway's refund_failed subject: the refund's legacy id, no order id
        subject = (
            "<transaction><id>4crsphfb</id><amount>100</amount>"
            "<credit-card><number>1234560000001234</number><cvv>123</cvv></credit-card>"
            "<status>processor_declined</status>"
            "<refunded-transaction-fk>1</refunded-transaction-fk></transaction>"
        )
        xml = NOTIFICATION.format(
            timestamp="2024-05-07T00:00:00Z", kind="refund_failed", subject=subject
        )
        body = urlencode({"bt_payload": base64.encodebytes(xml.encode()).decode()}).encode()
        self.assertEqual(self.deliver(body)[0], 200)
        # Recorded against the refund; Odoo never moves a done transaction to error.
        self.assertEqual(self.events().transaction_id, refund)
        self.assertEqual(self.events().status, "error")

    def test_declined_settlement_shows_a_sentence_with_the_kind(self):
        tx = self.make_tx()
        self.assertEqual(self.deliver(self.notification(tx, "error")), (200, "processed"))
        self.assertEqual(tx.state, "error")
        message = tx.state_message
        self.assertNotEqual(message, "transaction_settlement_declined")
        self.assertIn("Braintree", message)
        self.assertIn("transaction_settlement_declined", message, "the kind, for support")
        # A pending local payment shows no raw notification kind either.
        other = self.make_tx(reference="BT-LOCAL-PENDING")
        self.deliver(self.notification(other, "pending", event_id="evt_local"))
        self.assertEqual(other.state, "pending")
        self.assertNotEqual(other.state_message, "local_payment_completed")

    def test_notification_kinds_we_do_not_track_are_ignored(self):
        xml = NOTIFICATION.format(
            timestamp="2024-05-06T07:08:09Z",
            kind="check",
            subject='<check type="boolean">true</check>',
        )
        body = urlencode({"bt_payload": base64.encodebytes(xml.encode()).decode()}).encode()
        self.assertEqual(self.deliver(body), (200, "ignored"))

    # -- checkout: client token, Drop-in page, charge -----------------------------------

    def test_checkout_sends_the_client_token_to_our_dropin_page(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        values = tx._get_processing_values()
        self.assertIn(f"/payment/invoicera/braintree/pay/{tx.id}", values["redirect_form_html"])
        self.assertIn('method="post"', values["redirect_form_html"])
        self.assertIn("eyJ2ZXJzaW9uIjoyLCJhdXRob3JpemF0aW9u", values["redirect_form_html"])
        sent = self.api.last("graphql")
        self.assertEqual(sent["url"], "https://payments.sandbox.braintree-api.com/graphql")
        keys = base64.b64encode(f"{PUBLIC_KEY}:{PRIVATE_KEY}".encode()).decode()
        self.assertEqual(sent["headers"]["Authorization"], f"Basic {keys}")
        self.assertEqual(sent["headers"]["Braintree-Version"], "2019-01-01")
        self.assertEqual(
            sent["json"]["variables"]["input"],
            {"clientMutationId": tx.reference, "clientToken": {"merchantAccountId": "acme_usd"}},
        )
        gateway = self.gateway_class(self.provider)
        self.assertEqual(
            gateway.page_access_token(tx),
            self._generate_test_access_token(tx.id, tx.reference),
        )

    def test_charge_of_the_nonce(self):
        tx = self.make_tx()
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router({"chargePaymentMethod": self.charged(tx)})
        }
        event = self.gateway_class(self.provider).charge_nonce(tx, "fake-valid-nonce", "{}")
        sent = self.api.last("graphql")["json"]["variables"]["input"]
        self.assertEqual(sent["paymentMethodId"], "fake-valid-nonce")
        self.assertEqual(
            sent["transaction"],
            {
                "amount": "1234.50",  # a decimal string, not minor units
                "orderId": tx.reference,
                "merchantAccountId": "acme_usd",
                "riskData": {"deviceData": "{}"},
            },
        )
        self.assertEqual((event.status, event.amount, event.currency), ("done", 123450, "USD"))
        tx._invoicera_apply_event(event)
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.provider_reference, CHARGED["id"])
        self.assertEqual(tx.payment_method_code, "card")

    def test_charge_authorized_not_yet_submitted_is_under_way(self):
        """A charge Braintree answers AUTHORIZED (not submitted for settlement yet)
        is a payment under way: Odoo captures nothing through this provider (no
        manual capture), so it is pending until Braintree settles it."""
        tx = self.make_tx()
        authorized = self.charged(tx, status="AUTHORIZED", statusHistory=[{"status": "AUTHORIZED"}])
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router({"chargePaymentMethod": authorized})
        }
        event = self.gateway_class(self.provider).charge_nonce(tx, "fake-valid-nonce", "{}")
        self.assertEqual(event.status, "pending")
        tx._invoicera_apply_event(event)
        self.assertEqual(tx.state, "pending")

    def test_payment_under_way_is_asked_about_until_braintree_settles_it(self):
        """Braintree notifies no card or PayPal payment (its webhooks are for
        direct debits and local payments): a charge under way is asked about
        until it is submitted for settlement, else the invoice stays unpaid and
        no longer payable online."""
        tx = self.make_tx()
        authorized = self.charged(tx, status="AUTHORIZED", statusHistory=[{"status": "AUTHORIZED"}])
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router({"chargePaymentMethod": authorized})
        }
        tx._invoicera_apply_event(
            self.gateway_class(self.provider).charge_nonce(tx, "fake-valid-nonce", "{}")
        )
        self.assertEqual(tx.state, "pending")
        settled = self.charged(tx)["data"]["chargePaymentMethod"]["transaction"]
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router(
                {"search": {"data": {"search": {"transactions": {"edges": [{"node": settled}]}}}}}
            )
        }
        calls = len(self.api.calls)
        self.ask_pending(tx, pending_for=timedelta(minutes=5))
        self.assertEqual(len(self.api.calls), calls, "not asked in its first minutes")
        self.ask_pending(tx, pending_for=timedelta(hours=1))
        self.assertEqual(tx.state, "done")
        self.assertEqual(
            self.api.last("graphql")["json"]["variables"]["input"],
            {"orderId": {"is": tx.reference}},
        )

    def test_wrong_amount_found_by_asking_is_listed_under_problems(self):
        tx = self.make_tx()
        tx._set_pending()
        wrong = self.charged(tx, amount={"value": "1.00", "currencyCode": "USD"})
        node = wrong["data"]["chargePaymentMethod"]["transaction"]
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router(
                {"search": {"data": {"search": {"transactions": {"edges": [{"node": node}]}}}}}
            )
        }
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.ask_pending(tx, pending_for=timedelta(hours=1))
        self.assertEqual(tx.state, "error")
        problem = self.problems()
        self.assertEqual((len(problem), problem.state, problem.transaction_id), (1, "mismatch", tx))

    def test_card_is_vaulted_then_charged_when_saving_is_asked(self):
        tx = self.make_tx(tokenize=True)
        vaulted = {
            "id": "cGF5bWVudG1ldGhvZF9jY19rN2c0eGtj",
            "usage": "MULTI_USE",
            "customer": {"id": "Y3VzdG9tZXJfNjY0NzA2NTQ2"},
            "details": {"__typename": "CreditCardDetails", "last4": "1881"},
        }
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router(
                {
                    "vaultPaymentMethod": {
                        "data": {"vaultPaymentMethod": {"paymentMethod": vaulted}}
                    },
                    "chargePaymentMethod": self.charged(tx),
                }
            )
        }
        event = self.gateway_class(self.provider).charge_nonce(tx, "fake-valid-nonce")
        vault_call, charge_call = (call["json"]["variables"]["input"] for call in self.api.calls)
        self.assertEqual(vault_call["paymentMethodId"], "fake-valid-nonce")
        self.assertEqual(vault_call["verification"], {"merchantAccountId": "acme_usd"})
        self.assertEqual(charge_call["paymentMethodId"], vaulted["id"])
        tx._invoicera_apply_event(event)
        self.assertEqual(tx.token_id.provider_ref, vaulted["id"])
        self.assertEqual(tx.token_id.payment_details, "1881")
        self.assertEqual(tx.token_id.invoicera_customer_ref, "Y3VzdG9tZXJfNjY0NzA2NTQ2")

    def test_declined_and_refused_charges(self):
        tx = self.make_tx()
        declined = self.charged(
            tx,
            status="PROCESSOR_DECLINED",
            statusHistory=[
                {
                    "status": "PROCESSOR_DECLINED",
                    "processorResponse": {"legacyCode": "2001", "message": "Insufficient Funds"},
                }
            ],
        )
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router({"chargePaymentMethod": declined})
        }
        event = self.gateway_class(self.provider).charge_nonce(
            tx, "fake-processor-declined-visa-nonce"
        )
        tx._invoicera_apply_event(event)
        self.assertEqual(tx.state, "error")
        self.assertIn("Insufficient Funds", tx.state_message)
        # An unusable nonce: errors and no transaction (always HTTP 200).
        other = self.make_tx(reference="BT-REFUSED")
        refused = {
            "data": {"chargePaymentMethod": None},
            "errors": [
                {
                    "message": "Unknown or expired payment method ID.",
                    "extensions": {"errorClass": "VALIDATION", "legacyCode": "91565"},
                }
            ],
            "extensions": REQUEST_ID,
        }
        self.api.routes = {("POST", r"/graphql$"): graphql_router({"chargePaymentMethod": refused})}
        event = self.gateway_class(self.provider).charge_nonce(other, "fake-consumed-nonce")
        other._invoicera_apply_event(event)
        self.assertEqual(other.state, "error")
        self.assertIn("Unknown or expired payment method ID.", other.state_message)

    def test_yen_is_charged_in_whole_units_in_the_yen_merchant_account(self):
        yen = self._prepare_currency("JPY")
        tx = self.make_tx(reference="BT-JPY", currency_id=yen.id, amount=1234, invoice_ids=[])
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router({"chargePaymentMethod": self.charged(tx)})
        }
        event = self.gateway_class(self.provider).charge_nonce(tx, "fake-valid-nonce")
        sent = self.api.last("graphql")["json"]["variables"]["input"]["transaction"]
        self.assertEqual((sent["amount"], sent["merchantAccountId"]), ("1234", "acme_jpy"))
        self.assertEqual((event.amount, event.currency), (1234, "JPY"))
        gateway = self.gateway_class(self.provider)
        self.assertEqual(gateway.amount_string(12.5, "USD"), "12.50")
        self.assertEqual(gateway.amount_string(12.5, "JPY"), "13")

    def test_merchant_account_is_found_by_currency(self):
        self.provider.invoicera_account_id = False
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router({"merchantAccounts": MERCHANT_ACCOUNTS})
        }
        gateway = self.gateway_class(self.provider)
        self.assertEqual(gateway.merchant_account("USD"), "acme_usd")
        with self.assertRaises(ValidationError) as caught:
            gateway.merchant_account("GBP")
        self.assertIn("GBP", str(caught.exception))
        self.assertEqual(gateway.merchant_account("EUR"), "acme_eur")
        self.assertEqual(len(self.api.calls), 1, "the accounts are asked for once")

    def test_single_merchant_account_charges_only_its_own_currency(self):
        """A single configured account is used for a payment only in its own currency: a
        EUR payment is refused before the client pays, not charged by the USD account."""
        self.provider.invoicera_account_id = "acme_usd"
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router({"merchantAccounts": MERCHANT_ACCOUNTS})
        }
        gateway = self.gateway_class(self.provider)
        self.assertEqual(gateway.merchant_account("USD"), "acme_usd")
        eur = self._prepare_currency("EUR")
        tx = self.make_tx(reference="BT-EUR", currency_id=eur.id, amount=100, invoice_ids=[])
        with self.assertRaises(ValidationError) as caught:
            tx._get_processing_values()
        message = str(caught.exception)
        self.assertIn("acme_usd", message)
        self.assertIn("charges in USD and cannot take a payment in EUR", message)
        token = self._create_token(provider_ref="cGF5bWVudG1ldGhvZF9jY19rN2c0eGtj")
        offline = self.make_tx(
            reference="BT-EUR-AUTO",
            currency_id=eur.id,
            amount=100,
            invoice_ids=[],
            token_id=token.id,
            operation="offline",
        )
        with self.assertRaises(ValidationError) as caught:
            offline._send_payment_request()
        self.assertIn("EUR", str(caught.exception))
        operations = [call["json"]["query"] for call in self.api.calls]
        self.assertTrue(all("merchantAccounts" in query for query in operations))
        self.assertEqual((tx.state, offline.state), ("draft", "draft"))
        # An account Braintree does not know is refused as clearly.
        self.provider.invoicera_account_id = "acme_gone"
        with self.assertRaises(ValidationError) as caught:
            self.gateway_class(self.provider).merchant_account("USD")
        self.assertIn("acme_gone", str(caught.exception))

    def test_merchant_accounts_are_read_page_by_page(self):
        self.provider.invoicera_account_id = "acme_gbp"
        first = json.loads(json.dumps(MERCHANT_ACCOUNTS))
        first["data"]["viewer"]["merchant"]["merchantAccounts"]["pageInfo"] = {
            "hasNextPage": True,
            "endCursor": "cursor-1",
        }
        second = json.loads(json.dumps(MERCHANT_ACCOUNTS))
        second["data"]["viewer"]["merchant"]["merchantAccounts"]["edges"] = [
            {"node": {"id": "acme_gbp", "currencyCode": "GBP", "status": "ACTIVE"}}
        ]

        def accounts(variables):
            return second if variables.get("after") == "cursor-1" else first

        self.api.routes = {("POST", r"/graphql$"): graphql_router({"merchantAccounts": accounts})}
        self.assertEqual(self.gateway_class(self.provider).merchant_account("GBP"), "acme_gbp")
        self.assertEqual(len(self.api.calls), 2)

    def test_saved_payment_method_charge_is_merchant_initiated(self):
        token = self._create_token(provider_ref="cGF5bWVudG1ldGhvZF9jY19rN2c0eGtj")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-BT-2")
        self.api.routes = self.charge_routes(tx)
        tx._send_payment_request()
        self.assertEqual(tx.state, "done")
        sent = self.api.last("graphql")["json"]["variables"]["input"]
        self.assertEqual(sent["paymentMethodId"], "cGF5bWVudG1ldGhvZF9jY19rN2c0eGtj")
        self.assertEqual(sent["transaction"]["paymentInitiator"], "UNSCHEDULED")
        self.assertEqual(len(self.api.calls), 1, "no search before a first attempt")

    def test_saved_payment_method_paid_by_the_client_is_client_initiated(self):
        # The client picks a saved card in the portal: not a merchant-initiated
        # (unscheduled) charge, which card schemes treat differently.
        token = self._create_token(provider_ref="cGF5bWVudG1ldGhvZF9jY19rN2c0eGtj")
        tx = self.make_tx(token_id=token.id, operation="online_token", reference="INV-BT-4")
        self.api.routes = self.charge_routes(tx)
        tx._send_payment_request()
        self.assertEqual(tx.state, "done")
        sent = self.api.last("graphql")["json"]["variables"]["input"]
        self.assertNotIn("paymentInitiator", sent["transaction"])

    def test_retry_finds_the_charge_that_timed_out(self):
        token = self._create_token(provider_ref="cGF5bWVudG1ldGhvZF9jY19rN2c0eGtj")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-BT-3")
        tx.invoicera_retry = True
        node = self.charged(tx)["data"]["chargePaymentMethod"]["transaction"]
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router(
                {"search": {"data": {"search": {"transactions": {"edges": [{"node": node}]}}}}}
            )
        }
        event = self.gateway_class(self.provider).charge_token(tx)
        self.assertEqual(event.status, "done")
        self.assertEqual(len(self.api.calls), 1, "found: not charged a second time")
        self.assertEqual(
            self.api.last("graphql")["json"]["variables"]["input"],
            {"orderId": {"is": tx.reference}},
        )

    def test_refund_sends_a_decimal_amount(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = CHARGED["id"]
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        sent = self.api.last("graphql")["json"]["variables"]["input"]
        self.assertEqual(sent["transactionId"], CHARGED["id"])
        self.assertEqual(
            sent["refund"], {"amount": "10.00", "orderId": tx.child_transaction_ids.reference}
        )

    def reverse_routes(self, tx, reversal):
        """Braintree's answers to a refund of the whole of ``tx``: ``reversal``
        (its ReverseTransactionPayload's), and a refund of part refused while
        the payment is not settled (legacy code 91506)."""
        not_settled = {
            "data": {"refundTransaction": None},
            "errors": [
                {
                    "message": "Cannot refund transaction unless it is settled.",
                    "extensions": {"errorClass": "VALIDATION", "legacyCode": "91506"},
                }
            ],
            "extensions": REQUEST_ID,
        }
        return {
            ("POST", r"/graphql$"): graphql_router(
                {
                    "RefundSearch": {"data": {"search": {"refunds": {"edges": []}}}},
                    "reverseTransaction": {
                        "data": {"reverseTransaction": {"reversal": reversal}},
                        "extensions": REQUEST_ID,
                    },
                    "refundTransaction": not_settled,
                }
            )
        }

    def test_whole_payment_refunded_before_settlement_is_voided(self):
        """Braintree refunds only settling or settled payments: the whole of one
        submitted for settlement today is given back by voiding it
        (reverseTransaction), part of it only once settled."""
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = CHARGED["id"]
        voided = dict(
            self.charged(tx)["data"]["chargePaymentMethod"]["transaction"],
            __typename="Transaction",
            status="VOIDED",
        )
        self.api.routes = self.reverse_routes(tx, voided)
        with self.assertRaises(ValidationError) as caught:
            tx.action_refund(amount_to_refund=10)
        self.assertIn("only once the payment is settled", str(caught.exception))
        self.assertFalse(tx.child_transaction_ids, "the refused refund is not kept")
        tx.action_refund()
        refund = tx.child_transaction_ids
        self.assertEqual((refund.state, refund.amount), ("done", -tx.amount))
        self.assertEqual(refund.provider_reference, "void-8kfq2wg2")
        sent = self.api.last("graphql")["json"]
        self.assertIn("reverseTransaction", sent["query"])
        self.assertEqual(sent["variables"]["input"]["transactionId"], CHARGED["id"])
        key = self.gateway_class(self.provider).idempotency_key(refund, "refund")
        self.assertEqual(sent["variables"]["input"]["apiRequestKey"], key)
        refund._post_process()
        self.assertEqual(self.payments(refund).amount, tx.amount)

    def test_whole_payment_refunded_once_settled_is_refunded(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = CHARGED["id"]
        refunded = dict(
            self.refund_node(
                tx, f"R-{tx.reference}", amount={"value": "1234.50", "currencyCode": "USD"}
            ),
            __typename="Refund",
        )
        self.api.routes = self.reverse_routes(tx, refunded)
        tx.action_refund()
        refund = tx.child_transaction_ids
        self.assertEqual((refund.state, refund.provider_reference), ("done", "4crsphfb"))
        self.assertIn("reverseTransaction", self.api.last("graphql")["json"]["query"])

    def refund_node(self, tx, refund_reference, **values):
        node = {
            "id": "cmVmdW5kXzRjcnNwaGZi",
            "legacyId": "4crsphfb",
            "orderId": refund_reference,
            "status": "SUBMITTED_FOR_SETTLEMENT",
            "amount": {"value": "10.00", "currencyCode": "USD"},
            "refundedTransaction": {"id": tx.provider_reference, "legacyId": "8kfq2wg2"},
        }
        node.update(values)
        return node

    def test_refund_made_by_an_attempt_that_timed_out_is_not_made_again(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = CHARGED["id"]
        routes = self.refund_routes(tx)
        # The refund reaches Braintree, its answer does not reach us.
        self.api.routes = {("POST", r"/graphql$"): self.api_timeout_after_search()}
        with self.assertRaises(GatewayUnavailable):
            tx.action_refund(amount_to_refund=10)
        self.assertFalse(tx.child_transaction_ids)
        reference = self.api.last("graphql")["json"]["variables"]["input"]["refund"]["orderId"]
        # Asked again: Braintree's search finds that refund, none is asked for.
        found = {
            "data": {"search": {"refunds": {"edges": [{"node": self.refund_node(tx, reference)}]}}}
        }
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router(
                {**routes[("POST", r"/graphql$")].answers, "RefundSearch": found}
            )
        }
        calls = len(self.api.calls)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(refund.reference, reference)
        self.assertEqual((refund.state, refund.provider_reference), ("done", "4crsphfb"))
        queries = [call["json"]["query"] for call in self.api.calls[calls:]]
        self.assertEqual(len(queries), 1)
        self.assertIn("RefundSearch", queries[0])
        self.assertEqual(
            self.api.last("graphql")["json"]["variables"],
            {"input": {"orderId": {"is": reference}}},
        )

    def api_timeout_after_search(self):
        def answer(method, url, kwargs):
            if "RefundSearch" in kwargs["json"]["query"]:
                return 200, {"data": {"search": {"refunds": {"edges": []}}}}
            raise requests.exceptions.ReadTimeout("read timed out")

        return answer

    def test_refund_search_ignores_failed_and_foreign_refunds(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = CHARGED["id"]
        reference = f"R-{tx.reference}"
        edges = [
            {"node": self.refund_node(tx, reference, status="PROCESSOR_DECLINED")},
            {
                "node": self.refund_node(
                    tx, reference, refundedTransaction={"id": "dHJhbnNhY3Rpb25fb3RoZXI"}
                )
            },
        ]
        routes = self.refund_routes(tx)
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router(
                {
                    **routes[("POST", r"/graphql$")].answers,
                    "RefundSearch": {"data": {"search": {"refunds": {"edges": edges}}}},
                }
            )
        }
        tx.action_refund(amount_to_refund=10)
        queries = [call["json"]["query"] for call in self.api.calls]
        self.assertEqual(len(queries), 2)
        self.assertIn("RefundSearch", queries[0])
        self.assertIn("refundTransaction", queries[1])
        self.assertEqual(tx.child_transaction_ids.state, "done")

    def test_graphql_errors_are_refused_with_braintree_message(self):
        tx = self.make_tx()
        self.api.routes = {
            ("POST", r"/graphql$"): (
                200,
                {
                    "data": {"createClientToken": None},
                    "errors": [
                        {
                            "message": "Merchant account not found.",
                            "extensions": {"legacyCode": "92807"},
                        }
                    ],
                    "extensions": REQUEST_ID,
                },
            )
        }
        with self.assertRaises(ValidationError) as caught:
            tx._get_processing_values()
        self.assertIn("Merchant account not found.", str(caught.exception))


@tagged("post_install", "-at_install")
class TestBraintreeRoutes(BraintreeMixin, AccountPaymentCommon, HttpCase):
    """The routes of our Drop-in page, its charge and the form-encoded webhook."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway_class = common.GATEWAYS["braintree"]
        cls.currency = cls._prepare_currency("USD")
        cls.provider = cls._prepare_provider(
            "braintree",
            update_values={
                "invoicera_public_key": PUBLIC_KEY,
                "invoicera_secret_key": PRIVATE_KEY,
                "invoicera_account_id": "acme_usd",
            },
        )
        cls.provider.journal_id = cls.company_data["default_journal_bank"]
        cls.payment_method_id = cls.env.ref("payment.payment_method_card").id
        cls.amount = 25.0

    def setUp(self):
        super().setUp()
        self.api = common.FakeGatewayAPI({})
        self.startPatcher(patch.object(Gateway, "_send", side_effect=self.api))
        self.tx = self._create_transaction("redirect", reference="BT-ROUTE-1")
        self.access_token = self.gateway_class(self.provider).page_access_token(self.tx)

    def test_dropin_page_and_charge(self):
        self.api.routes = {
            ("POST", r"/graphql$"): graphql_router(
                {
                    "createClientToken": self.client_token_answer,
                    "chargePaymentMethod": self.charged(self.tx),
                    "merchantAccounts": MERCHANT_ACCOUNTS,
                }
            )
        }
        page = self.url_open(
            f"/payment/invoicera/braintree/pay/{self.tx.id}?access_token={self.access_token}"
        )
        self.assertEqual(page.status_code, 200)
        self.assertIn("js.braintreegateway.com/web/dropin/", page.text)
        self.assertIn(
            'data-braintree-dropin-authorization="eyJ2ZXJzaW9uIjoyLCJhdXRob3JpemF0aW9u"', page.text
        )
        self.assertIn(f'action="/payment/invoicera/braintree/charge/{self.tx.id}"', page.text)
        self.assertEqual(
            self.url_open(
                f"/payment/invoicera/braintree/pay/{self.tx.id}?access_token=forged"
            ).status_code,
            404,
        )
        url = f"/payment/invoicera/braintree/charge/{self.tx.id}"
        data = {"access_token": self.access_token, "payment_method_nonce": "fake-valid-nonce"}
        response = self.url_open(url, data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn(
            f"/payment/invoicera/braintree/return/{self.provider.id}", response.headers["Location"]
        )
        self.assertEqual(self.tx.state, "done")
        charges = len(self.api.calls)
        # Submitted twice: the second post charges nothing.
        self.url_open(url, data=data, allow_redirects=False)
        self.assertEqual(len(self.api.calls), charges)

    def test_form_encoded_webhook_and_url_check(self):
        xml = NOTIFICATION.format(
            timestamp="2024-05-06T07:08:09Z",
            kind="transaction_settled",
            subject=TRANSACTION_SETTLED.format(
                id="8kfq2wg2",
                status="settled",
                currency="USD",
                amount="25.00",
                order_id=self.tx.reference,
            ),
        )
        payload = base64.encodebytes(xml.encode()).decode()
        url = f"/payment/invoicera/braintree/webhook/{self.provider.id}"
        forged = self.url_open(
            url, data={"bt_signature": bt_sign(payload, "wrong"), "bt_payload": payload}
        )
        self.assertEqual(forged.status_code, 403)
        response = self.url_open(
            url, data={"bt_signature": bt_sign(payload, PRIVATE_KEY), "bt_payload": payload}
        )
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(json.loads(response.text)["result"], "processed")
        self.assertEqual(self.tx.state, "done")
        check = self.url_open(f"{url}?bt_challenge=20f9f8ed05f77439fe955c977e4c8a53")
        self.assertEqual(
            check.text, "integration_public_key|d9b899556c966b3f06945ec21311865d35df3ce4"
        )
