"""Saved payment methods charged without the client: a decline is an error."""

import requests

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from . import test_gateway_checkout, test_gateway_gocardless, test_gateway_square

# Square's answer to CreatePayment for a card the issuer declined (HTTP 400, the
# errors of the Payments API; https://developer.squareup.com/docs/payments-api/error-codes
# and https://developer.squareup.com/forums/t/authorization-error-generic-decline/19912).
SQUARE_DECLINED = {
    "errors": [
        {
            "category": "PAYMENT_METHOD_ERROR",
            "code": "INSUFFICIENT_FUNDS",
            "detail": "Authorization error: 'INSUFFICIENT_FUNDS'",
        }
    ]
}

# GoCardless' answer to Create a payment against a mandate that was cancelled, failed or
# expired (https://developer.gocardless.com/api-reference/#payments-create-a-payment:
# "This fails with a mandate_is_inactive error if the linked mandate is cancelled or
# has failed"; the error shape: https://developer.gocardless.com/api-reference/#api-usage-errors).
GOCARDLESS_MANDATE_INACTIVE = {
    "error": {
        "message": "Mandate is failed, cancelled or expired",
        "documentation_url": "https://developer.gocardless.com/api-reference#mandate_is_inactive",
        "type": "invalid_state",
        "request_id": "0429GQ1WV5F6Q5DAEYFNRDNRG6WGCNHA",
        "errors": [
            {"reason": "mandate_is_inactive", "message": "Mandate is failed, cancelled or expired"}
        ],
        "code": 422,
    }
}


@tagged("post_install", "-at_install")
class TestSquareSavedCardDecline(test_gateway_square.TestSquare):
    # Only the tests below: the inherited ones run in test_gateway_square.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_square.TestSquare) if n.startswith("test_")), None
        )
    )

    def test_declined_saved_card_charge_puts_the_transaction_in_error(self):
        token = self._create_token(provider_ref="ccof:declined", invoicera_customer_ref="CUS1")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-square-nsf")
        self.api.routes = {("POST", r"/v2/payments$"): (400, SQUARE_DECLINED)}
        tx._send_payment_request()
        self.assertEqual(tx.state, "error", "a declined charge is an error, not a draft")
        self.assertIn("INSUFFICIENT_FUNDS", tx.state_message)
        tx._post_process()
        self.assertFalse(self.payments(tx))
        self.assertEqual(self.invoice.payment_state, "not_paid")
        # A second attempt later is another charge, under another idempotency key.
        first_key = self.api.calls[-1]["json"]["idempotency_key"]
        retry = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-square-nsf-1")
        self.api.routes.update(self.charge_routes(retry))
        retry._send_payment_request()
        self.assertEqual(retry.state, "done")
        self.assertNotEqual(self.api.calls[-1]["json"]["idempotency_key"], first_key)

    def test_charge_retried_after_a_timeout_and_declined_is_in_error(self):
        token = self._create_token(provider_ref="ccof:declined", invoicera_customer_ref="CUS1")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-square-late")
        self.api.routes = {("POST", r"/v2/payments$"): requests.exceptions.ReadTimeout("timeout")}
        tx._send_payment_request()
        self.assertEqual((tx.state, tx.invoicera_retry), ("pending", True))
        self.api.routes = {("POST", r"/v2/payments$"): (400, SQUARE_DECLINED)}
        self.cron_post_process(tx)
        self.assertEqual(tx.state, "error", "not left pending, retried at every run")
        self.assertFalse(tx.invoicera_retry)
        self.assertIn("INSUFFICIENT_FUNDS", tx.state_message)


@tagged("post_install", "-at_install")
class TestGoCardlessInactiveMandate(test_gateway_gocardless.TestGoCardless):
    # Only the tests below: the inherited ones run in test_gateway_gocardless.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_gocardless.TestGoCardless) if n.startswith("test_")),
            None,
        )
    )

    def test_inactive_mandate_is_archived_and_the_charge_in_error(self):
        token = self._create_token(provider_ref="MD-CANCELLED", invoicera_customer_ref="CU1")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-gc-gone")
        self.api.routes = {("POST", r"/payments$"): (422, GOCARDLESS_MANDATE_INACTIVE)}
        tx._send_payment_request()
        self.assertEqual(tx.state, "error")
        self.assertIn("Mandate is failed, cancelled or expired", tx.state_message)
        self.assertFalse(token.active, "a mandate GoCardless no longer collects on is archived")
        self.assertIn(token.display_name, self.invoice.message_ids[0].body)
        self.assertEqual(self.invoice.payment_state, "not_paid")

    def test_other_refusal_keeps_the_mandate(self):
        token = self._create_token(provider_ref="MD-OK", invoicera_customer_ref="CU1")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-gc-refused")
        refused = {
            "error": {
                "message": "Validation failed",
                "type": "validation_failed",
                "errors": [
                    {"field": "amount", "message": "is greater than the permitted scheme maximum"}
                ],
                "code": 422,
            }
        }
        self.api.routes = {("POST", r"/payments$"): (422, refused)}
        tx._send_payment_request()
        self.assertEqual(tx.state, "error")
        self.assertTrue(token.active)


@tagged("post_install", "-at_install")
class TestSquareTokenOfAnotherProvider(test_gateway_square.TestSquare):
    # Only the tests below: the inherited ones run in test_gateway_square.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_square.TestSquare) if n.startswith("test_")), None
        )
    )

    def test_token_of_another_provider_record_is_not_charged(self):
        other = self.provider.copy({"name": "Square (other account)"})
        other.invoicera_account_id = "L-OTHER"
        token = self._create_token(
            provider_id=other.id, provider_ref="ccof:other", invoicera_customer_ref="CUS2"
        )
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-square-other")
        self.api.routes.update(self.charge_routes(tx))
        with self.assertRaises(ValidationError) as caught:
            tx._send_payment_request()
        self.assertIn(other.name, str(caught.exception))
        self.assertFalse(self.api.calls, "nothing sent to Square")
        self.assertEqual(tx.state, "draft")


@tagged("post_install", "-at_install")
class TestCheckoutSavedCardNeedsTheClient(test_gateway_checkout.TestCheckoutCom):
    # Only the tests below: the inherited ones run in test_gateway_checkout.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_checkout.TestCheckoutCom) if n.startswith("test_")),
            None,
        )
    )

    def test_saved_card_charge_asking_for_3ds_is_not_a_payment(self):
        token = self._create_token(provider_ref="src_nwd3m4in3hkuddfpjsaevunhdy")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-CKO-3DS")
        # Request a payment, 202 "Payment asynchronous or further action required": the
        # cardholder must be redirected to authenticate (3-D Secure); the answer's shape
        # is https://api-reference.checkout.com/#operation/requestAPaymentOrPayout.
        action_required = {
            "id": "pay_y3oqhf46pyzuxjbcn2giaqnb44",
            "status": "Pending",
            "reference": tx.reference,
            "customer": {"id": "cus_y3oqhf46pyzuxjbcn2giaqnb44"},
            "3ds": {"downgraded": False, "enrolled": "Y"},
            "_links": {
                "self": {
                    "href": "https://api.sandbox.checkout.com/payments/pay_y3oqhf46pyzuxjbcn2giaqnb44"
                },
                "redirect": {
                    "href": "https://api.sandbox.checkout.com/3ds/pay_y3oqhf46pyzuxjbcn2giaqnb44"
                },
            },
        }
        self.api.routes = {("POST", r"/payments$"): (202, action_required)}
        tx._send_payment_request()
        self.assertEqual(tx.state, "error", "nobody is there to authenticate an automatic charge")
        self.assertIn("3-D Secure", tx.state_message or "")
        self.assertEqual(self.invoice.payment_state, "not_paid")
