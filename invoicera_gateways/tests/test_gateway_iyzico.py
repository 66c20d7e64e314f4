import base64
import hashlib
import hmac
import json
from datetime import timedelta
from decimal import Decimal

import requests

from odoo.tests import tagged

from ..gateways import Delivery
from ..gateways.base import GatewayUnavailable
from . import common

SECRET = "sandbox-UuLnD7wZa0a3DmytfIrwHQqAMfqCNJrs"
API_KEY = "sandbox-afXhZPW0MQlE4dCUUlHcEopnMBgXnAZI"

# iyzipay-php samples/webhook_Signature_Validation.php: the documented X-Iyz-Signature-V3
# examples, made with the sandbox secret key above.
DOC_HPP_WEBHOOK = (
    b'{"paymentConversationId":"conversationId","merchantId":3382172,"token":'
    b'"e828c62d-fd12-4b1a-ad5a-380f15fe6596","status":"SUCCESS","iyziReferenceCode":'
    b'"77e1635c-6b39-475a-8b7b-ca15ad0cd4ac","iyziEventType":"CHECKOUT_FORM_AUTH",'
    b'"iyziEventTime":1721825036103,"iyziPaymentId":22483975}'
)
DOC_HPP_SIGNATURE = "4031c575763486a2d2bf3f7ace0baebfcd6bed65393ab4df3fe80c00d5fd6878"
DOC_DIRECT_WEBHOOK = (
    b'{"paymentConversationId":"conversationId","merchantId":3382172,"paymentId":22484059,'
    b'"status":"SUCCESS","iyziReferenceCode":"a9af8e6b-4401-4928-b6b8-40419aaa3d0f",'
    b'"iyziEventType":"API_AUTH","iyziEventTime":1721825828467,"iyziPaymentId":22484059}'
)
DOC_DIRECT_SIGNATURE = "92c7a72b7741bc83eb696066605c894778c87297b2c88d6037670666230e18ae"

# https://docs.iyzico.com/en/payment-methods/checkoutform/cf-implementation/cf-initialize
CF_INITIALIZE = {
    "status": "success",
    "locale": "en",
    "systemTime": 1755536516262,
    "conversationId": "conversationId",
    "token": "077aff05-1e9b-44aa-aa11-c268bb8b3826",
    "checkoutFormContent": '<script type="text/javascript">...</script>',
    "tokenExpireTime": 1800,
    "paymentPageUrl": "https://sandbox-cpp.iyzipay.com?token=077aff05-1e9b-44aa-aa11-c268bb8b3826&lang=en",
}
# .../cf-implementation/cf-retrieve (successful response)
CF_RETRIEVE = {
    "status": "success",
    "locale": "en",
    "systemTime": 1755536577419,
    "conversationId": "8152109759",
    "price": 6,
    "paidPrice": 6,
    "installment": 1,
    "paymentId": "24478123",
    "fraudStatus": 1,
    "merchantCommissionRate": 0,
    "merchantCommissionRateAmount": 0,
    "iyziCommissionRateAmount": 0.2094,
    "iyziCommissionFee": 0.25,
    "cardType": "CREDIT_CARD",
    "cardAssociation": "MASTER_CARD",
    "cardFamily": "Axess",
    "binNumber": "552608",
    "lastFourDigits": "0006",
    "basketId": "basketId",
    "currency": "TRY",
    "authCode": "930115",
    "phase": "AUTH",
    "hostReference": "mock00007iyzihostrfn",
    "token": "077aff05-1e9b-44aa-aa11-c268bb8b3826",
    "callbackUrl": "https://callback.com/test",
    "paymentStatus": "SUCCESS",
}
WEBHOOK_STATUS = {"done": "SUCCESS", "pending": "SUCCESS", "error": "FAILURE", "cancel": "FAILURE"}


@tagged("post_install", "-at_install")
class TestIyzico(common.GatewayCase):
    gateway_code = "iyzico"
    currency_code = "TRY"
    credentials = {"invoicera_public_key": API_KEY, "invoicera_secret_key": SECRET}
    hosted_page = CF_INITIALIZE["paymentPageUrl"]

    def setUp(self):
        super().setUp()
        self.details = {}

    def answer_detail(self, method, url, kwargs):
        """iyzico's answer to a checkout form retrieve: the payment of the posted token."""
        token = json.loads(kwargs["data"])["token"]
        return self.details.get(token) or (
            200,
            {"status": "failure", "errorCode": "5000", "errorMessage": "Token not found"},
        )

    def payment(self, tx, status="done", amount=None, currency=None, payment_id="24478123"):
        detail = dict(
            CF_RETRIEVE,
            conversationId=tx.reference,
            basketId=tx.reference,
            paymentId=payment_id,
            currency=currency or tx.currency_id.name,
            paymentStatus="FAILURE" if status in ("error", "cancel") else "SUCCESS",
            fraudStatus=0 if status == "pending" else 1,
        )
        paid = self.minor() if amount is None else amount
        detail["price"] = detail["paidPrice"] = float(Decimal(paid) / 100)
        return detail

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        payment_id = int(hashlib.sha1(event_id.encode()).hexdigest()[:7], 16)
        token = f"{tx.reference}-{event_id}"
        self.details[token] = (
            200,
            dict(self.payment(tx, status, amount, currency, str(payment_id)), token=token),
        )
        self.api.routes[("POST", r"/checkoutform/auth/ecom/detail$")] = self.answer_detail
        return json.dumps(
            {
                "paymentConversationId": tx.reference,
                "merchantId": 3382172,
                "token": token,
                "status": WEBHOOK_STATUS[status],
                "iyziReferenceCode": f"ref-{event_id}",
                "iyziEventType": "CHECKOUT_FORM_AUTH",
                "iyziEventTime": 1721825036103,
                "iyziPaymentId": payment_id,
            }
        ).encode()

    def sign(self, body, secret, timestamp=None):
        # X-IYZ-SIGNATURE-V3: hex HMAC-SHA256 keyed with the secret key of
        # secretKey + iyziEventType + iyziPaymentId + token + paymentConversationId + status
        # (Checkout Form), or secretKey + iyziEventType + paymentId + paymentConversationId
        # + status (direct API payments).
        p = json.loads(body)
        if "token" in p:
            fields = [p["iyziEventType"], p["iyziPaymentId"], p["token"]]
        else:
            fields = [p["iyziEventType"], p["paymentId"]]
        message = secret + "".join(map(str, fields)) + p["paymentConversationId"] + p["status"]
        signature = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
        return {"X-IYZ-SIGNATURE-V3": signature}

    def checkout_routes(self, tx):
        return {
            ("POST", r"/payment/iyzipos/checkoutform/initialize/auth/ecom$"): (
                200,
                dict(CF_INITIALIZE, conversationId=tx.reference),
            )
        }

    def report(self, tx, refunds=()):
        """The reporting service's Transaction Detail of ``tx``'s payment (field names of
        iyzipay-java PaymentDetail / PaymentTxDetail / RefundTxDetail), with ``refunds``."""
        return {
            "status": "success",
            "locale": "en",
            "systemTime": 1755703798426,
            "conversationId": "conversationId",
            "payments": [
                {
                    "paymentId": tx.provider_reference,
                    "paymentStatus": 1,
                    "paymentRefundStatus": "PARTIALLY_REFUNDED" if refunds else "NOT_REFUNDED",
                    "price": 1234.5,
                    "paidPrice": 1234.5,
                    "paymentConversationId": tx.reference,
                    "basketId": tx.reference,
                    "currency": "TRY",
                    "itemTransactions": [
                        {
                            "itemId": tx.reference,
                            "paymentTransactionId": 27169345,
                            "transactionStatus": 2,
                            "price": 1234.5,
                            "paidPrice": 1234.5,
                            "refunds": list(refunds),
                        }
                    ],
                }
            ],
        }

    def refund_routes(self, tx):
        # https://docs.iyzico.com/en/advanced/refund-and-cancel (Refund V2 answer)
        return {
            ("GET", r"/v2/reporting/payment/details$"): (200, self.report(tx)),
            ("POST", r"/v2/payment/refund$"): (
                200,
                {
                    "status": "success",
                    "locale": "en",
                    "systemTime": 1755703798426,
                    "conversationId": "conversationId",
                    "paymentId": tx.provider_reference,
                    "paymentTransactionId": "27169345",
                    "price": 10,
                    "currency": "TRY",
                    "authCode": "512821",
                    "hostReference": "mock00007iyzihostrfn",
                    "refundHostReference": "mock00007iyzihostrfn",
                    "retryable": False,
                },
            ),
        }

    def charge_routes(self, tx):
        # Retrieve (by our reference) finds no earlier payment, then the stored card pays.
        answer = dict(self.payment(tx), cardUserKey="cus_1", cardToken="tok_saved")
        answer.pop("paymentStatus")
        answer.pop("token")
        return {
            ("POST", r"/payment/detail$"): (
                200,
                {"status": "failure", "errorCode": "5115", "errorMessage": "Payment not found"},
            ),
            ("POST", r"/payment/auth$"): (200, answer),
        }

    # -- iyzico specifics ---------------------------------------------------------------

    def test_documented_webhook_signatures(self):
        gateway = self.gateway_class(self.provider)
        for body, signature in (
            (DOC_HPP_WEBHOOK, DOC_HPP_SIGNATURE),
            (DOC_DIRECT_WEBHOOK, DOC_DIRECT_SIGNATURE),
        ):
            headers = {"X-IYZ-SIGNATURE-V3": signature}
            self.assertTrue(gateway.verify(Delivery(headers=headers, body=body)))
            changed = body.replace(b'"SUCCESS"', b'"SUCCESs"')
            self.assertFalse(gateway.verify(Delivery(headers=headers, body=changed)))

    def test_requests_are_signed_with_iyzwsv2(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        call = self.api.last("initialize")
        scheme, encoded = call["headers"]["Authorization"].split(" ")
        self.assertEqual(scheme, "IYZWSv2")
        fields = dict(part.split(":", 1) for part in base64.b64decode(encoded).decode().split("&"))
        self.assertEqual(fields["apiKey"], API_KEY)
        self.assertEqual(fields["randomKey"], call["headers"]["x-iyzi-rnd"])
        message = fields["randomKey"] + "/payment/iyzipos/checkoutform/initialize/auth/ecom"
        message += call["data"]
        expected = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
        self.assertEqual(fields["signature"], expected)

    def test_checkout_form_payload(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        body = json.loads(self.api.last("initialize")["data"])
        self.assertEqual(body["price"], "1234.50")
        self.assertEqual(body["paidPrice"], "1234.50")
        self.assertEqual(body["basketItems"][0]["price"], "1234.50")
        self.assertEqual(body["currency"], "TRY")
        self.assertEqual(body["conversationId"], tx.reference)
        self.assertEqual(body["basketId"], tx.reference)
        self.assertEqual(body["enabledInstallments"], [1])
        self.assertTrue(body["callbackUrl"].endswith(f"?reference={tx.reference}"))
        self.assertEqual(body["buyer"]["email"], tx.partner_email)

    def test_webhook_applies_the_retrieved_payment(self):
        tx = self.make_tx()
        body = self.notification(tx, event_id="evt_paid")
        self.assertEqual(self.deliver(body), (200, "processed"))
        retrieve = json.loads(self.api.last("ecom/detail")["data"])
        self.assertEqual(retrieve["token"], json.loads(body)["token"])
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.provider_reference, str(json.loads(body)["iyziPaymentId"]))

    def test_fraud_review_keeps_the_payment_pending(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "pending"))
        self.assertEqual(tx.state, "pending")

    def test_payment_under_fraud_review_is_paid_once_iyzico_approves_it(self):
        """iyzico's review ends by e-mail or its fraud notification, which it
        sends to an address of its own: the payment is asked about until then."""
        tx = self.make_tx()
        self.deliver(self.notification(tx, "pending"))
        self.api.routes[("POST", r"/payment/detail$")] = (200, self.payment(tx, "pending"))
        self.ask_pending(tx, pending_for=timedelta(hours=1))
        self.assertEqual(tx.state, "pending", "still under review")
        self.api.routes[("POST", r"/payment/detail$")] = (200, self.payment(tx))
        self.ask_pending(tx, pending_for=timedelta(hours=1), next_turn=True)
        self.assertEqual(tx.state, "done")
        asked = json.loads(self.api.last("payment/detail")["data"])
        self.assertEqual(asked["paymentConversationId"], tx.reference)

    def direct_notification(self, tx, payment_id=22484059):
        """A direct (API) format webhook, as documented, about ``tx``'s payment."""
        return json.dumps(
            {
                "paymentConversationId": tx.reference,
                "merchantId": 3382172,
                "paymentId": payment_id,
                "status": "SUCCESS",
                "iyziReferenceCode": "a9af8e6b-4401-4928-b6b8-40419aaa3d0f",
                "iyziEventType": "API_AUTH",
                "iyziEventTime": 1721825828467,
                "iyziPaymentId": payment_id,
            }
        ).encode()

    def test_payment_iyzico_will_not_show_is_recorded_and_not_asked_again(self):
        """iyzico answers a retrieve it refuses with HTTP 200 and status failure: the
        notification is kept (as ignored, with iyzico's message, under Problems) and
        acknowledged, as a 404 of other gateways, not acknowledged and lost."""
        tx = self.make_tx()
        checkout_form = self.notification(tx)
        self.details.clear()  # iyzico: "Token not found" (another account's or mode's)
        direct = self.direct_notification(tx)
        self.api.routes[("POST", r"/payment/detail$")] = (
            200,
            {"status": "failure", "errorCode": "5115", "errorMessage": "Payment not found"},
        )
        for body, error in ((checkout_form, "Token not found"), (direct, "Payment not found")):
            with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
                self.assertEqual(self.deliver(body), (200, "not applied"), error)
            self.assertEqual(tx.state, "draft")
            event = self.events().filtered(lambda e, error=error: error in (e.message or ""))
            self.assertEqual(len(event), 1, error)
            self.assertEqual(event.state, "ignored")
            self.assertIn(f"iyzico refused the request: {error}", event.message)
            self.assertIn(event, self.problems(), "the merchant must see it")
            # Sent again: nothing more happens.
            self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.events()), 2)

    def test_refused_api_key_gets_the_notification_sent_again(self):
        """iyzico's answers to a wrong API key (1001, "api bilgileri bulunamadı") or secret
        key (1000, "Geçersiz imza": the request's signature) are HTTP 200 with status
        failure: the merchant is told to fix the keys and the notification is answered
        503, so that iyzico sends it again, not recorded as seen."""
        tx = self.make_tx()
        body = self.notification(tx)
        token = json.loads(body)["token"]
        payment = self.details[token]
        for code, message in (("1001", "api bilgileri bulunamadı"), ("1000", "Geçersiz imza")):
            self.details[token] = (
                200,
                {"status": "failure", "errorCode": code, "errorMessage": message, "locale": "en"},
            )
            with self.assertLogs("odoo.addons.invoicera_gateways", level="ERROR") as logs:
                self.assertEqual(self.deliver(body), (503, "provider misconfigured"), code)
            self.assertIn("Check the API keys in the payment provider's settings", logs.output[0])
            self.assertIn(message, logs.output[0])
            self.assertEqual(tx.state, "draft")
            self.assertFalse(self.events(), "kept nowhere: iyzico sends it again")
        # The merchant fixes the keys: iyzico's next delivery is applied.
        self.details[token] = payment
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_system_error_gets_the_notification_sent_again(self):
        """iyzico's "System error occurred" (general error code 1) is iyzico's own
        trouble: the notification is answered 503 so that iyzico sends it again."""
        tx = self.make_tx()
        body = self.notification(tx)
        token = json.loads(body)["token"]
        payment = self.details[token]
        self.details[token] = (
            200,
            {"status": "failure", "errorCode": "1", "errorMessage": "Sistem hatası"},
        )
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assertEqual(self.deliver(body), (503, "gateway unavailable"))
        self.assertFalse(self.events())
        self.details[token] = payment
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_problems_lists_the_notifications_the_merchant_must_act_on(self):
        """Under Problems: a mismatch, and a notification iyzico would not show (marked in
        the list); not a notification ignored in the ordinary way (a late pending)."""
        paid = self.make_tx(reference="PROBLEMS-PAID")
        self.deliver(self.notification(paid, "done", event_id="evt_paid"))
        self.deliver(self.notification(paid, "pending", event_id="evt_late"))
        late = self.events().filtered(lambda e: e.state == "ignored")
        self.assertEqual(len(late), 1)
        short = self.make_tx(reference="PROBLEMS-SHORT")
        self.deliver(self.notification(short, "done", amount=self.minor() - 100, event_id="evt_s"))
        mismatch = self.events().filtered(lambda e: e.state == "mismatch")
        self.assertEqual(len(mismatch), 1)
        other = self.make_tx(reference="PROBLEMS-OTHER")
        body = self.notification(other, event_id="evt_other")
        self.details.pop(json.loads(body)["token"])
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.deliver(body)
        refused = self.events().filtered(lambda e: not e.transaction_id)
        self.assertEqual(len(refused), 1)
        self.assertTrue(refused.refused_by_gateway)
        self.assertFalse(late.refused_by_gateway)
        self.assertEqual(self.problems(), mismatch | refused)
        # The list shows which ignored notifications are refusals.
        arch = self.env["invoicera.gateway.event"].get_views([(False, "list")])["views"]["list"]
        self.assertIn('name="refused_by_gateway"', arch["arch"])

    def test_stored_card_is_saved_when_asked(self):
        tx = self.make_tx(tokenize=True)
        body = self.notification(tx)
        token = json.loads(body)["token"]
        self.details[token][1].update(cardUserKey="cus_9", cardToken="card_9")
        self.deliver(body)
        self.assertEqual(tx.token_id.provider_ref, "card_9")
        self.assertEqual(tx.token_id.invoicera_customer_ref, "cus_9")
        self.assertEqual(tx.token_id.payment_details, "0006")

    def test_stored_card_payment_payload(self):
        token = self._create_token(provider_ref="card_9", invoicera_customer_ref="cus_9")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-iyzico-2")
        self.api.routes.update(self.charge_routes(tx))
        tx._send_payment_request()
        self.assertEqual(tx.state, "done")
        self.assertFalse(self.api.last("payment/detail"), "a first attempt pays directly")
        body = json.loads(self.api.last("payment/auth")["data"])
        self.assertEqual(body["paymentCard"], {"cardUserKey": "cus_9", "cardToken": "card_9"})
        self.assertEqual(body["installment"], 1)
        self.assertEqual(body["paidPrice"], "1234.50")

    def test_retry_finds_the_payment_of_the_first_attempt(self):
        token = self._create_token(provider_ref="card_9", invoicera_customer_ref="cus_9")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-iyzico-3")
        tx._set_pending()
        tx.invoicera_retry = True
        self.api.routes.update({("POST", r"/payment/detail$"): (200, self.payment(tx))})
        self.cron_post_process(tx)
        self.assertEqual(tx.state, "done")
        self.assertFalse(self.api.last("payment/auth"), "the card is not charged twice")

    def test_retry_does_not_charge_again_while_iyzico_cannot_tell(self):
        """iyzico answering "System error occurred" to the lookup says nothing of the
        first attempt's payment: the card is not charged again until it can tell."""
        token = self._create_token(provider_ref="card_9", invoicera_customer_ref="cus_9")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-iyzico-4")
        tx._set_pending()
        tx.invoicera_retry = True
        self.api.routes.update(self.charge_routes(tx))
        self.api.routes[("POST", r"/payment/detail$")] = (
            200,
            {"status": "failure", "errorCode": "1", "errorMessage": "Sistem hatası"},
        )
        self.cron_post_process(tx)
        self.assertFalse(self.api.last("payment/auth"), "not charged while iyzico cannot tell")
        self.assertEqual(tx.state, "pending")
        self.api.routes[("POST", r"/payment/detail$")] = (200, self.payment(tx))
        self.cron_post_process(tx)
        self.assertEqual(tx.state, "done")
        self.assertFalse(self.api.last("payment/auth"), "the first attempt's payment found")

    def test_refund_v2_by_payment_id(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = "24478123"
        self.api.routes.update(self.refund_routes(tx))
        tx.action_refund(amount_to_refund=10)
        body = json.loads(self.api.last("v2/payment/refund")["data"])
        self.assertEqual(body["paymentId"], "24478123")
        self.assertEqual(body["price"], "10.00")
        self.assertEqual(body["currency"], "TRY")
        self.assertEqual(tx.child_transaction_ids.state, "done")

    def test_callback_url_keeps_a_reference_with_slashes(self):
        tx = self.make_tx(reference="INV/2026/00042")
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        body = json.loads(self.api.last("initialize")["data"])
        self.assertTrue(
            body["callbackUrl"].endswith(
                f"/return/{self.provider.id}?reference=INV%2F2026%2F00042"
            ),
            body["callbackUrl"],
        )

    def test_refund_made_by_an_attempt_that_timed_out_is_not_made_again(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = "24478123"
        routes = self.refund_routes(tx)
        self.api.routes.update(routes)
        self.api.routes[("POST", r"/v2/payment/refund$")] = requests.exceptions.ReadTimeout(
            "read timed out"
        )
        with self.assertRaises(GatewayUnavailable):
            tx.action_refund(amount_to_refund=10)
        sent = json.loads(self.api.last("v2/payment/refund")["data"])
        lookup = self.api.last("reporting")
        self.assertEqual(
            lookup["params"],
            {"locale": "en", "conversationId": sent["conversationId"], "paymentId": "24478123"},
        )
        # GET requests are signed with the path alone (iyzipay IyziAuthV2Generator).
        scheme, encoded = lookup["headers"]["Authorization"].split(" ")
        fields = dict(part.split(":", 1) for part in base64.b64decode(encoded).decode().split("&"))
        message = fields["randomKey"] + "/v2/reporting/payment/details"
        expected = hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()
        self.assertEqual((scheme, fields["signature"]), ("IYZWSv2", expected))
        # iyzico carried the refund out: the report lists it under our conversationId.
        made = {
            "refundTxId": 2701,
            "refundConversationId": sent["conversationId"],
            "refundPrice": 10,
            "refundStatus": 1,
            "isAfterSettlement": False,
            "currencyCode": "TRY",
            "authCode": "512821",
            "hostReference": "mock00007iyzihostrfn",
        }
        self.api.routes.update(routes)
        self.api.routes[("GET", r"/v2/reporting/payment/details$")] = (
            200,
            self.report(tx, [made]),
        )
        refunds_sent = len([c for c in self.api.calls if c["url"].endswith("/v2/payment/refund")])
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(refund.reference, sent["conversationId"])
        self.assertEqual((refund.state, refund.provider_reference), ("done", "2701"))
        self.assertEqual(
            len([c for c in self.api.calls if c["url"].endswith("/v2/payment/refund")]),
            refunds_sent,
        )

    def test_refund_is_sent_when_the_report_lists_no_refund_of_it(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = "24478123"
        failed = {
            "refundTxId": 2702,
            "refundConversationId": f"R-{tx.reference}",
            "refundPrice": 10,
            "refundStatus": 0,
            "currencyCode": "TRY",
        }
        other = dict(failed, refundTxId=2703, refundConversationId="R-ELSEWHERE", refundStatus=1)
        self.api.routes.update(self.refund_routes(tx))
        self.api.routes[("GET", r"/v2/reporting/payment/details$")] = (
            200,
            self.report(tx, [failed, other]),
        )
        tx.action_refund(amount_to_refund=10)
        self.assertTrue(self.api.last("v2/payment/refund"))
        self.assertEqual(tx.child_transaction_ids.state, "done")
        # A report iyzico refuses does not block the refund; it is logged.
        self.api.routes[("GET", r"/v2/reporting/payment/details$")] = (
            200,
            {"status": "failure", "errorCode": "1", "errorMessage": "Sistem hatası"},
        )
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            tx.action_refund(amount_to_refund=5)
        self.assertEqual(len(tx.child_transaction_ids), 2)

    def test_direct_format_webhook_retrieves_by_payment_id(self):
        tx = self.make_tx()
        body = json.dumps(
            {
                "paymentConversationId": tx.reference,
                "merchantId": 3382172,
                "paymentId": 22484059,
                "status": "SUCCESS",
                "iyziReferenceCode": "a9af8e6b-4401-4928-b6b8-40419aaa3d0f",
                "iyziEventType": "API_AUTH",
                "iyziEventTime": 1721825828467,
                "iyziPaymentId": 22484059,
            }
        ).encode()
        detail = dict(self.payment(tx, payment_id="22484059"))
        self.api.routes[("POST", r"/payment/detail$")] = (200, detail)
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(
            json.loads(self.api.last("payment/detail")["data"])["paymentId"], "22484059"
        )
        self.assertEqual(tx.state, "done")
