import hashlib
import hmac
import json
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..gateways import Delivery
from ..gateways.paymob.gateway import TRANSACTION_FIELDS, hmac_message
from . import common

# https://developers.paymob.com/paymob-docs/developers/webhook-callbacks-and-hmac/hmac/hmac-transaction-callback
# The sample transaction processed callback (trimmed of fields outside the HMAC) and
# the concatenated string the page documents for it.
DOC_TRANSACTION = {
    "id": 192036465,
    "pending": False,
    "amount_cents": 100000,
    "success": True,
    "is_auth": False,
    "is_capture": False,
    "is_standalone_payment": True,
    "is_voided": False,
    "is_refunded": False,
    "is_3d_secure": True,
    "integration_id": 4097558,
    "profile_id": 302852,
    "has_parent_transaction": False,
    "order": {
        "id": 217503754,
        "created_at": "2024-06-13T11:32:09.628623",
        "merchant_order_id": "Special reference test 4",
        "currency": "EGP",
    },
    "created_at": "2024-06-13T11:33:44.592345",
    "currency": "EGP",
    "source_data": {"pan": "2346", "type": "card", "sub_type": "MasterCard"},
    "error_occured": False,
    "owner": 302852,
    "data": {"message": "Approved"},
}
DOC_HMAC_STRING = (
    "1000002024-06-13T11:33:44.592345EGPfalsefalse1920364654097558truefalsefalse"
    "falsetruefalse217503754302852false2346MasterCardcardtrue"
)
# https://developers.paymob.com/paymob-docs/developers/pay-with-saved-cards/create-card-token
DOC_TOKEN = {
    "id": 8555026,
    "token": "e98aceb96f5a370ddf46460db9d555f88bf12448f80e1839b39f78ab",
    "masked_pan": "xxxx-xxxx-xxxx-2346",
    "merchant_id": 246628,
    "card_subtype": "MasterCard",
    "created_at": "2024-11-13T12:32:23.859982",
    "email": "test@test.com",
    "order_id": "264064419",
    "user_added": False,
    "next_payment_intention": "pi_test_2a9c29ead1734ce8ad09ae4936019992",
}
# The HMAC field orders, written here from the documentation (not imported).
DOC_TRANSACTION_KEYS = (
    "amount_cents created_at currency error_occured has_parent_transaction id"
    " integration_id is_3d_secure is_auth is_capture is_refunded is_standalone_payment"
    " is_voided order.id owner pending source_data.pan source_data.sub_type"
    " source_data.type success"
).split()
DOC_TOKEN_KEYS = "card_subtype created_at email id masked_pan merchant_id order_id token".split()


def doc_concat(obj, keys):
    values = []
    for key in keys:
        value = obj
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is True or value is False:
            value = str(value).lower()
        values.append("" if value is None else str(value))
    return "".join(values)


@tagged("post_install", "-at_install")
class TestPaymob(common.GatewayCase):
    gateway_code = "paymob"
    currency_code = "EGP"
    credentials = {
        "invoicera_account_id": "4097558, moto:4097600",
        "invoicera_public_key": "egy_pk_test_xxx",
        "invoicera_secret_key": "egy_sk_test_secret",
        "invoicera_webhook_secret": "HMAC_SECRET_TEST",
    }
    hosted_page = (
        "https://accept.paymob.com/unifiedcheckout/?publicKey=egy_pk_test_xxx"
        "&clientSecret=egy_csk_test_1a2b3c"
    )

    def order_id(self, tx):
        """The Paymob order of ``tx``, as the intention created at checkout gave it."""
        if not (tx.provider_reference or "").isdigit():
            tx.provider_reference = str(217500000 + tx.id)
        return int(tx.provider_reference)

    def transaction(
        self, tx, status="done", amount=None, currency=None, event_id="evt_1", order_id=None
    ):
        obj = json.loads(json.dumps(DOC_TRANSACTION))
        obj.update(
            id=int(hashlib.sha1(event_id.encode()).hexdigest()[:8], 16),
            amount_cents=self.minor() if amount is None else amount,
            currency=currency or tx.currency_id.name,
            success=status in ("done", "cancel"),
            pending=status == "pending",
            is_voided=status == "cancel",
        )
        obj["order"].update(id=order_id or self.order_id(tx), merchant_order_id=tx.reference)
        if status == "error":
            obj["data"]["message"] = "Do not Honor"
        return obj

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        obj = self.transaction(tx, status, amount, currency, event_id)
        return json.dumps({"type": "TRANSACTION", "obj": obj}).encode()

    def sign(self, body, secret, timestamp=None):
        # Paymob: HMAC-SHA512 (hex) of the documented fields, in the ?hmac= parameter.
        payload = json.loads(body)
        keys = DOC_TOKEN_KEYS if payload["type"] == "TOKEN" else DOC_TRANSACTION_KEYS
        message = doc_concat(payload["obj"], keys).encode()
        return {"?hmac": hmac.new(secret.encode(), message, hashlib.sha512).hexdigest()}

    def intention_answer(self, tx, integration_id=4097558):
        return {
            "payment_keys": [
                {
                    "integration": integration_id,
                    "key": "ZXlKaGJHY2lPaUpJVXpVeE1pSXNJ",
                    "gateway_type": "MOTO" if integration_id == 4097600 else "VPC",
                    "iframe_id": None,
                }
            ],
            "id": "pi_test_f3f6d1ea87c64ad2a7d1c7c3f0f0b5e5",
            "intention_detail": {"amount": self.minor(), "currency": "EGP"},
            "client_secret": "egy_csk_test_1a2b3c",
            "special_reference": tx.reference,
            "intention_order_id": 217503754,
            "status": "intended",
            "object": "paymentintention",
        }

    def checkout_routes(self, tx):
        return {("POST", r"/v1/intention/$"): (201, self.intention_answer(tx))}

    def refund_routes(self, tx):
        # Paymob refunds a paid transaction: its signed callback names it.
        self.order_id(tx)
        self.deliver(self.notification(tx, "done", event_id="evt_paid"))
        return self.refund_answers(tx, self.transaction(tx, event_id="evt_paid"))

    def refund_answers(self, tx, paid):
        """Paymob's answers to a refund of the transaction ``paid`` (its callback)."""
        return {
            # Retrieve A Transaction (https://docs.paymob.com/docs/retrieve-a-transaction):
            # the paid transaction, nothing refunded on it yet.
            ("GET", rf"/api/acceptance/transactions/{paid['id']}$"): (
                200,
                dict(paid, is_refunded=False, refunded_amount_cents=0),
            ),
            ("POST", r"/api/acceptance/void_refund/refund$"): (
                200,
                {
                    "id": 655001,
                    "pending": False,
                    "amount_cents": 1000,
                    "success": True,
                    "is_refund": True,
                    "is_void": False,
                    "has_parent_transaction": True,
                    "currency": "EGP",
                    "order": {"id": self.order_id(tx)},
                },
            ),
        }

    def charge_routes(self, tx):
        # https://docs.paymob.com/docs/pay-with-saved-token: the pay answer is a transaction.
        obj = self.transaction(tx, "done", event_id="evt_moto", order_id=217503754)
        obj.update(is_3d_secure=False, integration_id=4097600)
        return {
            ("POST", r"/v1/intention/$"): (201, self.intention_answer(tx, 4097600)),
            ("POST", r"/api/acceptance/payments/pay$"): (
                200,
                {"type": "TRANSACTION", "obj": obj},
            ),
        }

    def token_body(self, tx, **values):
        obj = dict(DOC_TOKEN, order_id=str(self.order_id(tx)), **values)
        return json.dumps({"type": "TOKEN", "obj": obj}).encode()

    # -- Paymob specifics ----------------------------------------------------------------

    def test_hmac_string_is_the_documented_one(self):
        self.assertEqual(hmac_message(DOC_TRANSACTION, TRANSACTION_FIELDS), DOC_HMAC_STRING)
        body = json.dumps({"type": "TRANSACTION", "obj": DOC_TRANSACTION}).encode()
        signature = hmac.new(b"HMAC_SECRET_TEST", DOC_HMAC_STRING.encode(), hashlib.sha512)
        gateway = self.gateway_class(self.provider)
        good = Delivery(headers={}, body=body, query={"hmac": signature.hexdigest()})
        self.assertTrue(gateway.verify(good))
        changed = body.replace(b'"amount_cents": 100000', b'"amount_cents": 100001')
        self.assertNotEqual(changed, body)
        self.assertFalse(gateway.verify(Delivery(headers={}, body=changed, query=good.query)))
        flipped = signature.hexdigest()[:-1] + ("0" if signature.hexdigest()[-1] != "0" else "1")
        self.assertFalse(gateway.verify(Delivery(headers={}, body=body, query={"hmac": flipped})))

    def test_checkout_creates_an_intention_in_cents(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        sent = self.api.last("intention")
        self.assertEqual(sent["headers"]["Authorization"], "Token egy_sk_test_secret")
        body = sent["json"]
        self.assertEqual(body["amount"], round(self.invoice.amount_residual * 100))
        self.assertEqual(body["items"][0]["amount"], body["amount"])
        self.assertEqual(body["currency"], "EGP")
        self.assertEqual(body["payment_methods"], [4097558], "the MOTO integration is not offered")
        self.assertEqual(body["special_reference"], tx.reference)
        self.assertTrue(body["notification_url"].endswith(f"/webhook/{self.provider.id}"))
        self.assertTrue(body["redirection_url"].endswith(f"/return/{self.provider.id}"))
        self.assertEqual(tx.provider_reference, "217503754", "the signed order id is kept")

    def test_country_host_and_omani_baisa(self):
        gateway = self.gateway_class(self.provider)
        self.assertEqual(gateway.minor(12.345, "OMR"), 12345)
        self.assertEqual(gateway.minor(12.34, "EGP"), 1234)
        self.provider.invoicera_secret_key = "omn_sk_test_secret"
        self.assertEqual(gateway.base_url(), "https://oman.paymob.com/")
        self.provider.invoicera_secret_key = "are_sk_test_secret"
        self.assertEqual(gateway.base_url(), "https://uae.paymob.com/")

    def test_an_account_is_offered_for_its_country_s_currency_only(self):
        """A Paymob account takes its country's currency (its keys' prefix): an
        Egyptian account is not offered for an invoice in dirhams (Paymob would
        refuse it once the client chose it)."""
        aed = self._prepare_currency("AED")
        Provider = self.env["payment.provider"]

        def offered(currency):
            return self.provider in Provider._get_compatible_providers(
                self.provider.company_id.id, self.partner.id, 100.0, currency_id=currency.id
            )

        self.assertEqual(self.provider.available_currency_ids.mapped("name"), ["EGP"])
        self.assertTrue(offered(self.currency))
        self.assertFalse(offered(aed))
        self.provider.invoicera_secret_key = "are_sk_test_secret"
        self.assertEqual(self.provider.available_currency_ids.mapped("name"), ["AED"])
        self.assertTrue(offered(aed))
        self.assertFalse(offered(self.currency))

    def test_declined_and_pending_callbacks(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "pending", event_id="evt_kiosk"))
        self.assertEqual(tx.state, "pending")
        self.deliver(self.notification(tx, "error", event_id="evt_declined"))
        self.assertEqual(tx.state, "error")
        self.assertIn("Do not Honor", tx.state_message)

    def test_refund_and_void_callbacks_are_not_payments(self):
        tx = self.make_tx()
        obj = self.transaction(tx, "done", event_id="evt_refund")
        obj.update(is_refund=True, has_parent_transaction=True)
        body = json.dumps({"type": "TRANSACTION", "obj": obj}).encode()
        self.assertEqual(self.deliver(body), (200, "ignored"))
        self.assertEqual(tx.state, "draft")

    def test_card_token_after_the_payment_is_saved(self):
        tx = self.make_tx(tokenize=True)
        self.deliver(self.notification(tx))
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.deliver(self.token_body(tx)), (200, "processed"))
        self.assertEqual(tx.token_id.provider_ref, DOC_TOKEN["token"])
        self.assertEqual(tx.token_id.payment_details, "2346")
        self.assertEqual(tx.token_id.invoicera_customer_ref, "test@test.com")

    def test_card_token_before_the_payment_is_kept_once(self):
        tx = self.make_tx(tokenize=True)
        self.deliver(self.token_body(tx))
        self.deliver(self.token_body(tx))
        self.assertEqual(tx.state, "draft", "a card token is no proof of payment")
        self.deliver(self.notification(tx))
        self.assertEqual(tx.state, "done")
        tokens = self.env["payment.token"].search([("provider_id", "=", self.provider.id)])
        self.assertEqual(tokens.provider_ref, DOC_TOKEN["token"])

    def test_forged_card_token_is_refused(self):
        tx = self.make_tx(tokenize=True)
        body = self.token_body(tx)
        signed = self.sign(body, self.secret())
        forged = body.replace(DOC_TOKEN["token"].encode(), b"f" * 56)
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assertEqual(self.deliver(forged, signed)[0], 403)
        self.assertFalse(tx.token_id)

    def test_malformed_unsigned_callback_is_refused_not_a_server_error(self):
        # Anyone can post to the webhook URL: a body that is JSON but not an
        # object is refused like any unproven callback, not answered 500.
        tx = self.make_tx()
        for body in (b"[]", b"null", b'"x"', b"[1, 2]", b"not json"):
            with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
                self.assert_untouched(tx, self.deliver(body, {"?hmac": "0" * 128}))

    def test_refund_names_the_paid_transaction(self):
        tx = self.make_tx()
        tx.provider_reference = "217503754"
        self.deliver(self.notification(tx, "done", event_id="evt_paid"))
        paid_id = self.transaction(tx, event_id="evt_paid")["id"]
        self.api.routes.update(self.refund_routes(tx))
        tx.action_refund(amount_to_refund=10)
        sent = self.api.last("void_refund")["json"]
        self.assertEqual(sent, {"transaction_id": paid_id, "amount_cents": 1000})
        self.assertEqual(tx.child_transaction_ids.state, "done")

    def test_refund_retried_after_a_lost_answer_is_not_sent_twice(self):
        tx = self.make_tx()
        routes = self.refund_routes(tx)
        refund_route = ("POST", r"/api/acceptance/void_refund/refund$")
        lookup = next(key for key in routes if key[0] == "GET")
        # Paymob refunds 10.00 EGP but its answer is lost.
        self.api.routes.update(routes)
        self.api.routes[refund_route] = requests.exceptions.ReadTimeout("read timed out")
        with self.assertRaises(common.GatewayUnavailable):
            tx.action_refund(amount_to_refund=10)
        self.assertFalse(tx.child_transaction_ids)
        # The paid transaction now shows the refund (refunded_amount_cents).
        self.api.routes[refund_route] = routes[refund_route]
        status, paid = routes[lookup]
        self.api.routes[lookup] = (status, dict(paid, is_refunded=True, refunded_amount_cents=1000))
        with self.assertRaises(ValidationError) as caught:
            tx.action_refund(amount_to_refund=10)
        self.assertNotIsInstance(caught.exception, common.GatewayUnavailable)
        self.assertIn("nothing was sent", str(caught.exception))
        refunds_sent = [call for call in self.api.calls if "void_refund" in call["url"]]
        self.assertEqual(len(refunds_sent), 1, "the refund must not be sent twice")
        self.assertFalse(tx.child_transaction_ids)

    def test_refund_before_confirmation_is_refused(self):
        tx = self.make_tx()
        tx._set_done()
        with self.assertRaises(ValidationError):
            tx.action_refund(amount_to_refund=10)
        self.assertFalse(self.api.calls)

    def test_saved_card_is_charged_through_the_moto_integration(self):
        token = self._create_token(provider_ref=DOC_TOKEN["token"])
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-paymob-moto")
        self.api.routes.update(self.charge_routes(tx))
        tx._send_payment_request()
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.api.last("intention")["json"]["payment_methods"], [4097600])
        pay = self.api.last("payments/pay")["json"]
        self.assertEqual(pay["source"], {"identifier": DOC_TOKEN["token"], "subtype": "TOKEN"})
        self.assertEqual(pay["payment_token"], "ZXlKaGJHY2lPaUpJVXpVeE1pSXNJ")
        self.assertEqual(tx.provider_reference, "217503754")

    # -- saved cards: the order is known before paying ------------------------------------

    def moto_answer(self, tx, status="done", event_id="evt_moto", order_id=217503754):
        obj = self.transaction(tx, status, event_id=event_id, order_id=order_id)
        obj.update(is_3d_secure=False, integration_id=4097600)
        return obj

    def test_saved_card_payment_whose_answer_was_lost_is_found_by_its_callback(self):
        token = self._create_token(provider_ref=DOC_TOKEN["token"])
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-paymob-lost")
        self.api.routes = {
            ("POST", r"/v1/intention/$"): (201, self.intention_answer(tx, 4097600)),
            ("POST", r"/api/acceptance/payments/pay$"): requests.exceptions.ReadTimeout(
                "read timed out"
            ),
        }
        tx._send_payment_request()
        self.assertEqual((tx.state, tx.invoicera_retry), ("pending", True))
        self.assertEqual(tx.provider_reference, "217503754", "kept before paying")
        # Paymob charged the card: its callback names only the (signed) order id.
        obj = self.moto_answer(tx)
        body = json.dumps({"type": "TRANSACTION", "obj": obj}).encode()
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_retried_saved_card_charge_asks_the_order_before_paying_again(self):
        token = self._create_token(provider_ref=DOC_TOKEN["token"])
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-paymob-retry")
        self.api.routes = {
            ("POST", r"/v1/intention/$"): (201, self.intention_answer(tx, 4097600)),
            ("POST", r"/api/acceptance/payments/pay$"): requests.exceptions.ReadTimeout(
                "read timed out"
            ),
        }
        tx._send_payment_request()
        self.assertTrue(tx.invoicera_retry)
        # https://docs.paymob.com/docs/retrieve-a-transaction: the order's transaction.
        refused = (400, {"detail": "must not be called"})
        self.api.routes = {
            ("POST", r"/api/ecommerce/orders/transaction_inquiry$"): (200, self.moto_answer(tx)),
            ("POST", r"/v1/intention/$"): refused,
            ("POST", r"/api/acceptance/payments/pay$"): refused,
        }
        self.cron_post_process(tx)
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.invoicera_retry)
        inquiry = self.api.last("transaction_inquiry")
        self.assertEqual(inquiry["json"], {"order_id": 217503754})
        self.assertEqual(inquiry["headers"]["Authorization"], "Token egy_sk_test_secret")
        pays = [call for call in self.api.calls if "payments/pay" in call["url"]]
        self.assertEqual(len(pays), 1, "the card is charged once")
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)

    def timed_out_charge(self, reference):
        """A saved-card charge whose payment request timed out (pending, to retry)."""
        token = self._create_token(provider_ref=DOC_TOKEN["token"])
        tx = self.make_tx(token_id=token.id, operation="offline", reference=reference)
        self.api.routes = {
            ("POST", r"/v1/intention/$"): (201, self.intention_answer(tx, 4097600)),
            ("POST", r"/api/acceptance/payments/pay$"): requests.exceptions.ReadTimeout(
                "read timed out"
            ),
        }
        tx._send_payment_request()
        return tx

    def retry(self, tx, inquiry_answer):
        """Odoo's post-processing retries ``tx``; the inquiry of the first order
        answers ``inquiry_answer``, a second order would be paid."""
        second = dict(self.intention_answer(tx, 4097600), intention_order_id=217503799)
        self.api.routes = {
            ("POST", r"/api/ecommerce/orders/transaction_inquiry$"): inquiry_answer,
            ("POST", r"/v1/intention/$"): (201, second),
            ("POST", r"/api/acceptance/payments/pay$"): (
                200,
                {"type": "TRANSACTION", "obj": self.moto_answer(tx, order_id=217503799)},
            ),
        }
        self.cron_post_process(tx)

    def test_retried_saved_card_charge_pays_when_the_order_holds_nothing(self):
        tx = self.timed_out_charge("AUTO-paymob-unpaid")
        self.retry(tx, (404, {"detail": "Not found."}))
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.provider_reference, "217503799")

    def test_retried_saved_card_charge_whose_inquiry_times_out_is_not_paid_again(self):
        tx = self.timed_out_charge("AUTO-paymob-unknown")
        # The inquiry gets no answer either: whether the card was charged is unknown.
        self.retry(tx, requests.exceptions.ReadTimeout("read timed out"))
        pays = [call for call in self.api.calls if "payments/pay" in call["url"]]
        self.assertEqual(len(pays), 1, "no second charge while the first one is unknown")
        self.assertEqual((tx.state, tx.invoicera_retry), ("pending", True))
        self.assertEqual(tx.provider_reference, "217503754")

    def test_retried_saved_card_charge_whose_inquiry_is_refused_is_not_paid_again(self):
        tx = self.timed_out_charge("AUTO-paymob-refused")
        # The inquiry refuses our key (its documented example authenticates with
        # another token): whether the card was charged is unknown.
        self.retry(tx, (401, {"detail": "Authentication credentials were not provided."}))
        pays = [call for call in self.api.calls if "payments/pay" in call["url"]]
        self.assertEqual(len(pays), 1, "no second charge while the first one is unknown")
        self.assertEqual((tx.state, tx.invoicera_retry), ("pending", True))
        self.assertEqual(tx.provider_reference, "217503754")
        self.assertIn("Paymob refused our credentials", tx.state_message)
        self.assertFalse(tx.is_post_processed, "retried by the next post-processing")

    def test_charge_still_to_retry_after_four_days_is_retried(self):
        """Odoo's post-processing gives up 4 days after a payment last changed
        state, which a charge to retry never does (Paymob refusing our key for
        a week): it is still retried, and found paid once the key is fixed."""
        tx = self.timed_out_charge("AUTO-paymob-week")
        tx.last_state_change = fields.Datetime.now() - timedelta(days=6)
        self.api.routes = {
            ("POST", r"/api/ecommerce/orders/transaction_inquiry$"): (200, self.moto_answer(tx)),
        }
        with patch.object(self.env.cr, "commit"):
            self.env["payment.transaction"]._cron_post_process()
        self.assertEqual((tx.state, tx.invoicera_retry), ("done", False))
        pays = [call for call in self.api.calls if "payments/pay" in call["url"]]
        self.assertEqual(len(pays), 1, "found paid: not charged again")

    def test_inquiry_answer_with_booleans_as_strings(self):
        # https://docs.paymob.com/docs/retrieve-a-transaction answers
        # "pending": "false", "success": "true"
        tx = self.timed_out_charge("AUTO-paymob-strings")
        answer = {
            key: ("true" if value else "false") if isinstance(value, bool) else value
            for key, value in self.moto_answer(tx).items()
        }
        self.assertEqual(answer["pending"], "false")
        self.retry(tx, (200, answer))
        pays = [call for call in self.api.calls if "payments/pay" in call["url"]]
        self.assertEqual(len(pays), 1, "found paid: not charged again")
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.provider_reference, "217503754")
        declined = dict(answer, success="false")
        gateway = self.gateway_class(self.provider)
        self.assertEqual(gateway.event_from_transaction(declined).status, "error")

    def test_callback_before_its_transaction_commits_is_refused_until_it_does(self):
        # A saved-card charge keeps the order id on the transaction before
        # paying, but that is committed only once the charging request ends:
        # Paymob's callback can arrive first and match nothing yet.
        token = self._create_token(provider_ref=DOC_TOKEN["token"])
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-paymob-early")
        body = json.dumps({"type": "TRANSACTION", "obj": self.moto_answer(tx)}).encode()
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            status, _text = self.deliver(body)
        self.assertEqual(status, 409, "a non-2xx answer makes Paymob send it again")
        self.assertFalse(self.events(), "an unmatched callback must not be kept as seen")
        # Committed: Paymob's next attempt (or a manual redelivery) is applied.
        tx.provider_reference = "217503754"
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.deliver(body), (200, "duplicate"))

    # -- refund callbacks ---------------------------------------------------------------------

    def refund_callback(self, tx, refund_id, status="done", amount=1000):
        obj = self.transaction(tx, status, amount=amount, event_id=f"refund-{refund_id}")
        obj.update(
            id=refund_id,
            is_refund=True,
            is_standalone_payment=False,
            has_parent_transaction=True,
            parent_transaction=self.transaction(tx, event_id="evt_paid")["id"],
        )
        if status == "error":
            obj["data"]["message"] = "Refund rejected by the issuer"
        return json.dumps({"type": "TRANSACTION", "obj": obj}).encode()

    def test_refund_callback_completes_a_pending_refund(self):
        tx = self.make_tx()
        routes = self.refund_routes(tx)
        answer = routes[("POST", r"/api/acceptance/void_refund/refund$")][1]
        routes[("POST", r"/api/acceptance/void_refund/refund$")] = (
            200,
            dict(answer, pending=True, success=False),
        )
        self.api.routes.update(routes)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual((refund.state, refund.provider_reference), ("pending", "655001"))
        body = self.refund_callback(tx, 655001)
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(refund.state, "done")
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.deliver(body), (200, "duplicate"))

        # A second partial refund that Paymob finally rejects.
        routes[("POST", r"/api/acceptance/void_refund/refund$")] = (
            200,
            dict(answer, id=655002, pending=True, success=False),
        )
        self.api.routes.update(routes)
        tx.action_refund(amount_to_refund=10)
        second = tx.child_transaction_ids - refund
        self.assertEqual(
            self.deliver(self.refund_callback(tx, 655002, "error")), (200, "processed")
        )
        self.assertEqual(second.state, "error")
        self.assertIn("Refund rejected", second.state_message)
        self.assertEqual(refund.state, "done")
