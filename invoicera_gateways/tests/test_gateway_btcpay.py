import hashlib
import hmac
import json

import requests

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from . import common

# Field values from BTCPay Server's Greenfield OpenAPI examples
# (BTCPayServer/wwwroot/swagger/v1/swagger.template*.json).
SERVER = "https://btcpay.example.com"
STORE = "9CiNzKoANXxmk5ayZngSXrHTiVvvgCrwrpFQd4m2K776"
INVOICE = "HMprBnL9BTXWuPvpoKBS6e"
OTHER_INVOICE = "7vMWjRVv3ZkNfYpQa9nD2x"
WEBHOOK_SECRET = "btcpay-webhook-secret"
# test status -> (webhook type, invoice status, additionalStatus)
WEBHOOKS = {
    "done": ("InvoiceSettled", "Settled", "None"),
    "pending": ("InvoiceProcessing", "Processing", "None"),
    "error": ("InvoiceInvalid", "Invalid", "Invalid"),
    "cancel": ("InvoiceExpired", "Expired", "None"),
}


@tagged("post_install", "-at_install")
class TestBTCPay(common.GatewayCase):
    gateway_code = "btcpay"
    currency_code = "USD"
    credentials = {
        "invoicera_server_url": SERVER,
        "invoicera_account_id": STORE,
        "invoicera_secret_key": "1c5b2f0a6e8d4c3b9a7f",
        "invoicera_webhook_secret": WEBHOOK_SECRET,
    }
    hosted_page = f"{SERVER}/i/{INVOICE}"

    def invoice_data(self, tx, status="done", amount=None, currency=None):
        """GET /api/v1/stores/{storeId}/invoices/{invoiceId} (InvoiceData)."""
        currency = currency or tx.currency_id.name
        minor = self.minor() if amount is None else amount
        _kind, invoice_status, extra = WEBHOOKS[status]
        digits = 0 if currency == "JPY" else 2
        return {
            "id": INVOICE,
            "storeId": STORE,
            "amount": f"{minor / 10**digits:.{digits}f}",
            "paidAmount": f"{minor / 10**digits:.{digits}f}",
            "currency": currency,
            "type": "Standard",
            "checkoutLink": f"{SERVER}/i/{INVOICE}",
            "createdTime": 1592312018,
            "expirationTime": 1592312918,
            "monitoringExpiration": 1592398418,
            "status": invoice_status,
            "additionalStatus": extra,
            "availableStatusesForManualMarking": ["Settled", "Invalid"],
            "archived": False,
            "metadata": {"orderId": tx.reference, "buyerEmail": tx.partner_email},
            "checkout": {"speedPolicy": "MediumSpeed", "expirationMinutes": 15},
        }

    def serve_invoice(self, invoice):
        self.api.routes[("GET", rf"/api/v1/stores/{STORE}/invoices/{invoice['id']}$")] = (
            200,
            invoice,
        )

    def event(self, event_id, kind, **values):
        return {
            "deliveryId": event_id,
            "webhookId": "WfNC6v1VSwsGv6mKkWdx2h",
            "originalDeliveryId": event_id,
            "isRedelivery": False,
            "type": kind,
            "timestamp": 1592312018,
            "storeId": STORE,
            **values,
        }

    def payout_event(
        self,
        pull_payment,
        event_id="evt_payout",
        payout_id="AtBy5KudF4LBVkRbuyVqyx",
        amount="10.00",
        state="Completed",
    ):
        """Body of the PayoutUpdated webhook of a payout (PayoutData) of ``pull_payment``
        (PullPaymentData); the pull payment and its payouts are served by the fake API
        (``GET /api/v1/pull-payments/{pullPaymentId}`` and ``.../payouts``)."""
        payout = {
            "id": payout_id,
            "pullPaymentId": pull_payment["id"],
            "date": "1592312018",
            "destination": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "originalCurrency": pull_payment["currency"],
            "originalAmount": amount,
            "payoutCurrency": "BTC",
            "payoutAmount": "0.00016",
            "payoutMethodId": "BTC-CHAIN",
            "state": state,
        }
        path = rf"/api/v1/pull-payments/{pull_payment['id']}"
        self.api.routes[("GET", path + "$")] = (200, pull_payment)
        self.api.routes[("GET", path + "/payouts$")] = (200, [payout])
        event = self.event(
            event_id,
            "PayoutUpdated",
            payoutId=payout_id,
            pullPaymentId=pull_payment["id"],
            payoutState=state,
        )
        return json.dumps(event).encode()

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        # The webhook carries no amount; the invoice it names is served by the fake API.
        invoice = self.invoice_data(tx, status, amount, currency)
        self.serve_invoice(invoice)
        kind = WEBHOOKS[status][0]
        event = self.event(event_id, kind, invoiceId=INVOICE, metadata=invoice["metadata"])
        if kind == "InvoiceSettled":
            event.update(manuallyMarked=False, overPaid=False)
        return json.dumps(event).encode()

    def sign(self, body, secret, timestamp=None):
        # BTCPay: "sha256=" + hex HMAC-SHA256 of the raw body with the webhook's secret.
        digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return {"BTCPay-Sig": f"sha256={digest}"}

    def checkout_routes(self, tx):
        return {
            ("POST", rf"^{SERVER}/api/v1/stores/{STORE}/invoices$"): (
                200,
                self.invoice_data(tx, "pending") | {"status": "New"},
            )
        }

    def pull_payment(self, tx, amount="10.00"):
        # PullPaymentData answered by the refund endpoint.
        return {
            "id": "3Ke2ab9BXVeAe1SSsvJcW6",
            "name": f"R-{tx.reference}",
            "description": f"Refund of {tx.reference}",
            "currency": tx.currency_id.name,
            "amount": amount,
            "BOLT11Expiration": "30",
            "autoApproveClaims": False,
            "archived": False,
            "viewLink": f"{SERVER}/pull-payments/3Ke2ab9BXVeAe1SSsvJcW6",
        }

    def refund_routes(self, tx):
        return {
            ("GET", rf"/api/v1/stores/{STORE}/pull-payments$"): (200, []),
            ("POST", rf"/api/v1/stores/{STORE}/invoices/[^/]+/refund$"): (
                200,
                self.pull_payment(tx),
            ),
        }

    # -- BTCPay specifics -----------------------------------------------------------------

    def test_checkout_creates_an_invoice_on_the_merchants_server(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        html = tx._get_processing_values()["redirect_form_html"]
        sent = self.api.last("/invoices$")
        self.assertEqual(sent["url"], f"{SERVER}/api/v1/stores/{STORE}/invoices")
        self.assertEqual(sent["headers"]["Authorization"], "token 1c5b2f0a6e8d4c3b9a7f")
        payload = sent["json"]
        # A decimal string in major units.
        self.assertEqual(payload["amount"], "1234.50")
        self.assertEqual(payload["currency"], "USD")
        self.assertEqual(payload["metadata"]["orderId"], tx.reference)
        self.assertIn(f"reference={tx.reference}", payload["checkout"]["redirectURL"])
        self.assertTrue(payload["checkout"]["redirectAutomatically"])
        self.assertEqual(tx.provider_reference, INVOICE)
        self.assertIn(f"{SERVER}/i/{INVOICE}", html)

    def test_server_url_is_required(self):
        self.provider.invoicera_server_url = False
        tx = self.make_tx()
        with self.assertRaisesRegex(ValidationError, "address of your BTCPay Server"):
            tx._get_processing_values()
        self.assertFalse(self.api.calls)

    def test_zero_decimal_currency(self):
        jpy = self._prepare_currency("JPY")
        tx = self.make_tx(currency_id=jpy.id, amount=1234, invoice_ids=False, reference="JPY-1")
        self.api.routes.update(
            {("POST", r"/invoices$"): (200, self.invoice_data(tx, "pending", 1234, "JPY"))}
        )
        tx._get_processing_values()
        self.assertEqual(self.api.last("/invoices$")["json"]["amount"], "1234")
        body = self.notification(tx, "done", amount=1234, currency="JPY")
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_the_invoice_is_fetched_and_its_state_wins(self):
        tx = self.make_tx()
        # InvoiceReceivedPayment announced, but the invoice is settled by now.
        self.serve_invoice(self.invoice_data(tx, "done"))
        body = json.dumps(
            self.event(
                "evt_paid", "InvoiceReceivedPayment", invoiceId=INVOICE, afterExpiration=False
            )
        ).encode()
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.payment_method_id.code, "bitcoin")
        self.assertTrue(self.api.last(f"/invoices/{INVOICE}$"))

    def test_a_redelivery_is_the_same_event(self):
        tx = self.make_tx()
        self.assertEqual(self.deliver(self.notification(tx, event_id="first")), (200, "processed"))
        redelivery = json.loads(self.notification(tx, event_id="second"))
        redelivery.update(isRedelivery=True, originalDeliveryId="first")
        self.assertEqual(self.deliver(json.dumps(redelivery).encode()), (200, "duplicate"))

    def test_expired_after_a_partial_payment_is_an_error_to_look_at(self):
        tx = self.make_tx()
        invoice = self.invoice_data(tx, "cancel") | {"additionalStatus": "PaidPartial"}
        self.serve_invoice(invoice)
        messages = self.invoice.message_ids
        answer = self.deliver(
            json.dumps(
                self.event("evt_exp", "InvoiceExpired", invoiceId=INVOICE, partiallyPaid=True)
            ).encode()
        )
        self.assertEqual(answer, (200, "held"))
        self.assertEqual(tx.state, "error")
        self.assertIn("partial", tx.state_message)
        # BTCPay holds the client's money: staff are told to settle or refund it.
        problem = self.problems()
        self.assertEqual((problem.state, problem.transaction_id), ("held", tx))
        self.assertIn("settle it or refund the client from BTCPay Server", problem.message)
        posted = (self.invoice.message_ids - messages).filtered(
            lambda message: "BTCPay Server holds money paid for" in message.body
        )
        self.assertEqual(len(posted), 1, "staff are told on the invoice")
        other = self.make_tx(reference="EXPIRED-PLAIN")
        # another order, another invoice
        self.serve_invoice(self.invoice_data(other, "cancel") | {"id": OTHER_INVOICE})
        self.deliver(
            json.dumps(self.event("evt_exp2", "InvoiceExpired", invoiceId=OTHER_INVOICE)).encode()
        )
        self.assertEqual(other.state, "cancel")

    def test_another_stores_events_are_ignored(self):
        tx = self.make_tx()
        body = json.loads(self.notification(tx))
        body["storeId"] = "AnotherStore"
        self.assertEqual(self.deliver(json.dumps(body).encode()), (200, "ignored"))
        self.assertEqual(tx.state, "draft")

    def test_return_reads_the_invoice(self):
        tx = self.make_tx()
        tx.provider_reference = INVOICE
        self.serve_invoice(self.invoice_data(tx, "pending"))
        event = self.gateway_class(self.provider).fetch_status(tx)
        self.assertEqual((event.status, event.reference), ("pending", tx.reference))

    def test_refund_is_a_pull_payment_completed_by_its_payouts(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = INVOICE
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        sent = self.api.last("/refund$")
        self.assertIn(f"/invoices/{INVOICE}/refund", sent["url"])
        self.assertEqual(
            {
                k: sent["json"][k]
                for k in ("name", "refundVariant", "customAmount", "customCurrency")
            },
            {
                "name": refund.reference,
                "refundVariant": "Custom",
                "customAmount": "10.00",
                "customCurrency": "USD",
            },
        )
        self.assertEqual(refund.state, "pending")
        self.assertEqual(refund.provider_reference, "3Ke2ab9BXVeAe1SSsvJcW6")
        self.assertIn("/pull-payments/3Ke2ab9BXVeAe1SSsvJcW6", refund.state_message)
        # The client claims it; the merchant pays the payout: PayoutUpdated, Completed.
        body = self.payout_event(self.pull_payment(tx))
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(refund.state, "done")

    def test_a_retried_refund_reuses_its_pull_payment(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = INVOICE
        routes = self.refund_routes(tx)
        routes[("GET", rf"/api/v1/stores/{STORE}/pull-payments$")] = (
            200,
            [self.pull_payment(tx) | {"name": f"R-{tx.reference}"}],
        )
        self.api.routes = routes
        tx.action_refund(amount_to_refund=10)
        self.assertFalse(self.api.last("/refund$"), "no second pull payment")
        self.assertEqual(tx.child_transaction_ids.provider_reference, "3Ke2ab9BXVeAe1SSsvJcW6")

    def test_webhook_while_the_server_is_unreachable_is_retried_later(self):
        tx = self.make_tx()
        body = self.notification(tx, "done")
        route = ("GET", rf"/api/v1/stores/{STORE}/invoices/{INVOICE}$")
        self.api.routes[route] = requests.exceptions.ConnectTimeout("connect timed out")
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assertEqual(self.deliver(body), (503, "gateway unavailable"))
        self.assertEqual(tx.state, "draft")
        self.assertFalse(self.events(), "an event not applied must not be recorded as received")
        self.notification(tx, "done")  # the server is back: BTCPay delivers again
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_an_invoice_of_someone_else_with_our_reference_changes_nothing(self):
        # "Anyone can create invoice" (needed for pay buttons): an attacker
        # creates an invoice whose orderId is our client's reference.
        tx = self.make_tx()
        tx.provider_reference = INVOICE  # the invoice our checkout created
        attacker = "Bx8kQZr4PmT6vWn2YcLd5e"
        expired = self.invoice_data(tx, "cancel") | {"id": attacker}
        self.serve_invoice(expired)
        body = self.event("evt_attack", "InvoiceExpired", invoiceId=attacker)
        self.assertEqual(self.deliver(json.dumps(body).encode()), (200, "ignored"))
        self.assertEqual((tx.state, tx.provider_reference), ("draft", INVOICE))
        # It pays a tiny amount: no mismatch, no error for good.
        underpaid = self.invoice_data(tx, "done", amount=100) | {"id": attacker}
        self.serve_invoice(underpaid)
        body = self.event("evt_attack2", "InvoiceSettled", invoiceId=attacker)
        self.assertEqual(self.deliver(json.dumps(body).encode()), (200, "ignored"))
        self.assertIn(attacker, self.events()[0].message)
        self.assertFalse(tx.invoicera_amount_mismatch)
        self.assertEqual(tx.state, "draft")
        # Our client's own invoice is settled: the payment is confirmed.
        self.assertEqual(self.deliver(self.notification(tx, "done")), (200, "processed"))
        self.assertEqual(tx.state, "done")
