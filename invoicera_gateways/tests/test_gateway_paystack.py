import hashlib
import hmac
import json
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import fields
from odoo.tests import tagged

from ..gateways.base import GatewayUnavailable
from ..models import payment_transaction
from . import common

# https://paystack.com/docs/payments/webhooks/ - "charge.success" sample event
CHARGE_SUCCESS = {
    "event": "charge.success",
    "data": {
        "id": 302961,
        "domain": "live",
        "status": "success",
        "reference": "qTPrJoy9Bx",
        "amount": 10000,
        "message": None,
        "gateway_response": "Approved by Financial Institution",
        "paid_at": "2016-09-30T21:10:19.000Z",
        "created_at": "2016-09-30T21:09:56.000Z",
        "channel": "card",
        "currency": "NGN",
        "ip_address": "41.242.49.37",
        "metadata": 0,
        "fees": None,
        "customer": {
            "id": 68324,
            "first_name": "BoJack",
            "last_name": "Horseman",
            "email": "bojack@horseman.com",
            "customer_code": "CUS_qo38as2hpsgk2r0",
            "phone": None,
            "metadata": None,
            "risk_action": "default",
        },
        "authorization": {
            "authorization_code": "AUTH_f5rnfq9p",
            "bin": "539999",
            "last4": "8877",
            "exp_month": "08",
            "exp_year": "2020",
            "card_type": "mastercard DEBIT",
            "bank": "Guaranty Trust Bank",
            "country_code": "NG",
            "brand": "mastercard",
            "reusable": True,
            "account_name": "BoJack Horseman",
        },
        "plan": {},
    },
}
# "abandoned" is not final (the client has not finished paying): "reversed" is.
STATUS = {
    "done": "success",
    "pending": "ongoing",
    "error": "failed",
    "cancel": "reversed",
    "abandoned": "abandoned",
}
# https://paystack.com/docs/payments/refunds/#listen-to-notifications - refund events
# (PaystackOSS/doc-code-snippets, src/doc/payments/refunds/events/*.json)
REFUND_PROCESSED = {
    "event": "refund.processed",
    "data": {
        "status": "processed",
        "transaction_reference": "T2154954_412829_3be32076_6lcg3",
        "refund_reference": "132013318360",
        "amount": "5000",
        "currency": "NGN",
        "processor": "mpgs_zen",
        "customer": {
            "first_name": "Damilola",
            "last_name": "Kwabena",
            "email": "damilola@email.com",
        },
        "integration": 412829,
        "domain": "live",
    },
}
REFUND_FAILED = {
    "event": "refund.failed",
    "data": {
        "status": "failed",
        "transaction_reference": "T9171231_412325_3be2736c_n6tml",
        "refund_reference": "TRF_9vgfawjnoz58uxy",
        "amount": 20000,
        "currency": "NGN",
        "processor": "instant-transfer",
        "customer": {"first_name": "Tobi", "last_name": "Digz", "email": "tobi@mail.com"},
        "integration": 412325,
        "domain": "live",
    },
}
REFUND_PENDING = {
    "event": "refund.pending",
    "data": {
        "status": "pending",
        "transaction_reference": "tvunjbbd_412829_4b18075d_c7had",
        "refund_reference": None,
        "amount": "10000",
        "currency": "NGN",
        "processor": "instant-transfer",
        "customer": {"first_name": "Drew", "last_name": "Berry", "email": "demo@email.com"},
        "integration": 412829,
        "domain": "live",
    },
}
# https://paystack.com/docs/api/refund/#create - "Refund has been queued for processing"
REFUND_CREATED = {
    "status": True,
    "message": "Refund has been queued for processing",
    "data": {
        "transaction": {
            "id": 1004723697,
            "domain": "live",
            "reference": "T685312322670591",
            "amount": 10000,
            "paid_at": "2021-08-20T18:34:11.000Z",
            "channel": "apple_pay",
            "currency": "NGN",
        },
        "integration": 412829,
        "deducted_amount": 0,
        "channel": None,
        "merchant_note": "Refund for transaction T685312322670591 by test@me.com",
        "customer_note": "Refund for transaction T685312322670591",
        "status": "pending",
        "refunded_by": "test@me.com",
        "expected_at": "2021-12-16T09:21:17.016Z",
        "currency": "NGN",
        "domain": "live",
        "amount": 10000,
        "fully_deducted": False,
        "id": 3018284,
        "createdAt": "2021-12-07T09:21:17.122Z",
        "updatedAt": "2021-12-07T09:21:17.122Z",
    },
}
# https://paystack.com/docs/api/refund/#list - "Refunds retrieved"
REFUND_LISTED = {
    "integration": 428626,
    "transaction": 627178582,
    "dispute": None,
    "settlement": None,
    "id": 747680,
    "domain": "test",
    "currency": "NGN",
    "amount": 10000,
    "status": "processed",
    "refunded_at": None,
    "refunded_by": "jen@smith.com",
    "customer_note": "Refund for transaction qufywna9w9a5d8v",
    "merchant_note": "Refund for transaction qufywna9w9a5d8v by jen@smith.com",
    "deducted_amount": 10000,
    "fully_deducted": True,
    "createdAt": "2020-05-19T11:12:17.000Z",
}


@tagged("post_install", "-at_install")
class TestPaystack(common.GatewayCase):
    gateway_code = "paystack"
    currency_code = "NGN"
    credentials = {"invoicera_public_key": "pk_test_xxx", "invoicera_secret_key": "sk_test_secret"}
    hosted_page = "https://checkout.paystack.com/0peioxfhpn"

    def charge(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        data = json.loads(json.dumps(CHARGE_SUCCESS["data"]))
        data.update(
            id=abs(hash(event_id)) % 10**9,
            status=STATUS[status],
            reference=tx.reference.replace("/", "-"),
            metadata={"invoicera_reference": tx.reference},
            amount=self.minor() if amount is None else amount,
            currency=currency or tx.currency_id.name,
        )
        return data

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        event = "charge.failed" if status == "error" else "charge.success"
        return json.dumps(
            {"event": event, "data": self.charge(tx, status, amount, currency, event_id)}
        ).encode()

    def sign(self, body, secret, timestamp=None):
        # Paystack: HMAC SHA512 of the raw body with the secret key, hex, in x-paystack-signature.
        return {"x-paystack-signature": hmac.new(secret.encode(), body, hashlib.sha512).hexdigest()}

    def checkout_routes(self, tx):
        return {
            ("POST", r"/transaction/initialize$"): (
                200,
                {
                    "status": True,
                    "message": "Authorization URL created",
                    "data": {
                        "authorization_url": self.hosted_page,
                        "access_code": "0peioxfhpn",
                        "reference": tx.reference,
                    },
                },
            )
        }

    def refund_created(self, tx, amount=1000, refund_id=3018284):
        answer = json.loads(json.dumps(REFUND_CREATED))
        answer["data"].update(amount=amount, id=refund_id)
        answer["data"]["transaction"].update(reference=tx.provider_reference, amount=self.minor())
        return answer

    def refund_routes(self, tx):
        return {
            # An unrelated refund of the integration: never taken for ours.
            ("GET", r"/refund$"): (
                200,
                {"status": True, "message": "Refunds retrieved", "data": [REFUND_LISTED]},
            ),
            ("POST", r"/refund$"): (200, self.refund_created(tx)),
        }

    def charge_routes(self, tx):
        return {
            # The retry first asks whether Paystack has the reference: not yet.
            ("GET", r"/transaction/verify/"): (
                404,
                {"status": False, "message": "Transaction reference not found."},
            ),
            ("POST", r"/transaction/charge_authorization$"): (
                200,
                {"status": True, "message": "Charge attempted", "data": self.charge(tx)},
            ),
        }

    def refund_webhook(self, sample, tx, amount, **values):
        payload = json.loads(json.dumps(sample))
        payload["data"].update(transaction_reference=tx.provider_reference, **values)
        payload["data"]["amount"] = (
            str(amount) if isinstance(sample["data"]["amount"], str) else amount
        )
        return json.dumps(payload).encode()

    def paid_tx(self, reference="INV-TEST-paystack"):
        tx = self.make_tx(reference=reference)
        tx.provider_reference = reference
        tx._set_done()
        return tx

    def test_a_charge_without_odoo_s_reference_is_acknowledged(self):
        """A charge of another shop or a payment page on the same Paystack account
        (the webhook URL is the account's) carries no Odoo reference: answered
        200 and listed as ignored, not 409 (Paystack sent it again for days)."""
        tx = self.make_tx()
        body = json.loads(self.notification(tx))
        body["data"]["metadata"] = {}
        body["data"]["reference"] = "T-shop-1"
        self.assertEqual(self.deliver(json.dumps(body).encode()), (200, "ignored"))
        self.assertIn("no Odoo reference", self.events().message)
        self.assertEqual(tx.state, "draft")

    def test_checkout_amount_is_in_kobo(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        sent = self.api.last("initialize")
        self.assertEqual(sent["json"]["amount"], round(self.invoice.amount_residual * 100))
        self.assertEqual(sent["headers"]["Authorization"], "Bearer sk_test_secret")

    def test_successful_card_is_saved_when_asked(self):
        tx = self.make_tx(tokenize=True)
        self.deliver(self.notification(tx))
        self.assertEqual(tx.token_id.provider_ref, "AUTH_f5rnfq9p")
        self.assertEqual(tx.token_id.payment_details, "8877")

    def test_odoo_references_are_made_acceptable_to_paystack(self):
        # Paystack: "Only -, ., = and alphanumeric characters allowed."
        tx = self.make_tx(reference="INV/2026/00042")
        self.api.routes.update(self.checkout_routes(tx))
        tx._get_processing_values()
        sent = self.api.last("initialize")["json"]
        self.assertEqual(sent["reference"], "INV-2026-00042")
        self.assertEqual(sent["metadata"]["invoicera_reference"], "INV/2026/00042")
        self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")

    def test_retried_charge_returns_what_paystack_has_instead_of_charging_again(self):
        token = self._create_token(provider_ref="AUTH_f5rnfq9p")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO/2026/0007")
        self.api.routes = {
            ("POST", r"/transaction/charge_authorization$"): requests.exceptions.ReadTimeout(
                "read timed out"
            )
        }
        tx._send_payment_request()
        self.assertEqual((tx.state, tx.invoicera_retry), ("pending", True))
        # Paystack did charge it: verify knows the reference, and a second
        # charge with that reference is refused as a duplicate.
        self.api.routes = {
            ("GET", r"/transaction/verify/AUTO-2026-0007$"): (
                200,
                {"status": True, "message": "Verification successful", "data": self.charge(tx)},
            ),
            ("POST", r"/transaction/charge_authorization$"): (
                400,
                {"status": False, "message": "Duplicate Transaction Reference"},
            ),
        }
        self.cron_post_process(tx)
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.invoicera_retry)
        self.assertEqual(tx.provider_reference, "AUTO-2026-0007")
        charges = [call for call in self.api.calls if "charge_authorization" in call["url"]]
        self.assertEqual(len(charges), 1, "the card is charged once")
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)

    def test_retried_charge_that_paystack_declined_is_not_charged_again(self):
        token = self._create_token(provider_ref="AUTH_f5rnfq9p")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-declined")
        self.api.routes = {
            ("POST", r"/transaction/charge_authorization$"): requests.exceptions.ReadTimeout(
                "read timed out"
            )
        }
        tx._send_payment_request()
        declined = dict(self.charge(tx, "error"), gateway_response="Declined")
        self.api.routes = {
            ("GET", r"/transaction/verify/AUTO-declined$"): (
                200,
                {"status": True, "message": "Verification successful", "data": declined},
            )
        }
        self.cron_post_process(tx)
        self.assertEqual(tx.state, "error")
        self.assertIn("Declined", tx.state_message)
        self.assertEqual(len(self.api.calls), 2)

    def test_refund_webhooks_complete_the_refund_transaction(self):
        tx = self.paid_tx()
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(refund.state, "pending")
        self.assertEqual(refund.provider_reference, "3018284", "the Paystack refund id is kept")
        sent = self.api.last("/refund$")["json"]
        self.assertEqual(sent["merchant_note"], refund.reference)
        self.assertEqual((sent["transaction"], sent["amount"]), (tx.provider_reference, 1000))

        pending = self.refund_webhook(REFUND_PENDING, tx, 1000)
        self.assertEqual(self.deliver(pending), (200, "processed"))
        self.assertEqual(refund.state, "pending")
        processed = self.refund_webhook(REFUND_PROCESSED, tx, 1000)
        self.assertEqual(self.deliver(processed), (200, "processed"))
        self.assertEqual(refund.state, "done")
        self.assertEqual(tx.state, "done", "the payment itself is left alone")
        # A redelivery finds no unfinished refund of that amount any more.
        self.assertEqual(self.deliver(processed), (200, "ignored"))
        self.assertEqual(refund.state, "done")

        # A second refund of the same payment fails at Paystack.
        self.api.routes = self.refund_routes(tx)
        self.api.routes[("POST", r"/refund$")] = (200, self.refund_created(tx, 2000, 3018285))
        tx.action_refund(amount_to_refund=20)
        second = tx.child_transaction_ids - refund
        self.assertEqual(second.state, "pending")
        failed = self.refund_webhook(REFUND_FAILED, tx, 2000)
        self.assertEqual(self.deliver(failed), (200, "processed"))
        self.assertEqual(second.state, "error")
        self.assertIn("failed", second.state_message)
        self.assertEqual(refund.state, "done")

    def test_refund_webhook_of_another_refund_is_ignored(self):
        tx = self.paid_tx()
        self.api.routes = self.refund_routes(tx)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        # Another amount, of no refund List Refunds shows for the payment; another payment.
        other_amount = self.refund_webhook(REFUND_PROCESSED, tx, 5000)
        self.assertEqual(self.deliver(other_amount), (200, "ignored"))
        self.assertEqual(self.deliver(json.dumps(REFUND_PROCESSED).encode()), (200, "ignored"))
        self.assertEqual(refund.state, "pending")
        self.assertEqual(tx.state, "done")

    def test_refund_retried_after_a_timeout_reuses_the_refund_paystack_made(self):
        tx = self.paid_tx()
        self.api.routes = {
            ("GET", r"/refund$"): (
                200,
                {"status": True, "message": "Refunds retrieved", "data": []},
            ),
            ("POST", r"/refund$"): requests.exceptions.ReadTimeout("read timed out"),
        }
        with self.assertRaises(GatewayUnavailable):
            tx.action_refund(amount_to_refund=10)
        note = self.api.last("/refund$")["json"]["merchant_note"]
        self.assertFalse(tx.child_transaction_ids)
        # Paystack created it before the answer was lost: listed with our note.
        made = dict(
            REFUND_LISTED,
            id=3018290,
            amount=1000,
            status="processing",
            merchant_note=note,
            transaction_reference=tx.provider_reference,
        )
        self.api.routes = {
            ("GET", r"/refund$"): (
                200,
                {"status": True, "message": "Refunds retrieved", "data": [REFUND_LISTED, made]},
            ),
            ("POST", r"/refund$"): (400, {"status": False, "message": "must not be called"}),
        }
        calls = len(self.api.calls)
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(refund.reference, note)
        self.assertEqual((refund.state, refund.provider_reference), ("pending", "3018290"))
        retried = self.api.calls[calls:]
        self.assertEqual([call["method"] for call in retried], ["GET"], "no second refund")
        self.assertEqual(retried[0]["params"]["transaction"], tx.provider_reference)

    def test_refund_retried_whose_lookup_fails_is_not_sent_again(self):
        tx = self.paid_tx()
        self.api.routes = {
            ("GET", r"/refund$"): (200, {"status": True, "message": "ok", "data": []}),
            ("POST", r"/refund$"): requests.exceptions.ReadTimeout("read timed out"),
        }
        with self.assertRaises(GatewayUnavailable):
            tx.action_refund(amount_to_refund=10)
        # Paystack may have made the refund; List Refunds, which would tell, is down.
        for failure in (requests.exceptions.ReadTimeout("read timed out"), (503, {})):
            self.api.routes = {
                ("GET", r"/refund$"): failure,
                ("POST", r"/refund$"): (200, self.refund_created(tx)),
            }
            calls = len(self.api.calls)
            with self.assertRaises(GatewayUnavailable):
                tx.action_refund(amount_to_refund=10)
            retried = self.api.calls[calls:]
            self.assertEqual([call["method"] for call in retried], ["GET"], "no second refund")
            self.assertFalse(tx.child_transaction_ids)

    def verified(self, tx, status):
        """Paystack's Verify Transaction answer about ``tx`` (https://paystack.com/docs/api/transaction/#verify)."""
        data = self.charge(tx, status)
        if status == "abandoned":
            data.update(gateway_response="The transaction was not completed", paid_at=None)
        return {"status": True, "message": "Verification successful", "data": data}

    def test_abandoned_checkout_read_on_return_leaves_the_payment_open(self):
        # Paystack: "An abandoned payment happens when a user begins to make a
        # payment, but doesn't complete it" - the client may still pay.
        tx = self.make_tx()
        tx.provider_reference = tx.reference
        self.api.routes = {("GET", r"/transaction/verify/"): (200, self.verified(tx, "abandoned"))}
        gateway = self.gateway_class(self.provider)
        tx._invoicera_apply_event(gateway.fetch_status(tx))
        self.assertEqual(tx.state, "draft")
        # The client pays after all: the signed webhook confirms it.
        self.assertEqual(self.deliver(self.notification(tx)), (200, "processed"))
        self.assertEqual(tx.state, "done")
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)

    def test_payments_pending_a_while_are_asked_about_least_recently_asked_first(self):
        txs = {
            name: self.make_tx(reference=f"INV-PENDING-{name}")
            for name in ("hour", "fresh", "old", "retried")
        }
        for tx in txs.values():
            tx._set_pending()
        now = fields.Datetime.now()
        txs["hour"].last_state_change = now - timedelta(hours=1)
        txs["fresh"].last_state_change = now - timedelta(minutes=10)
        txs["old"].last_state_change = now - timedelta(days=31)
        txs["retried"].write(
            {"last_state_change": now - timedelta(hours=1), "invoicera_retry": True}
        )
        # Odoo's post-processing retries the charge; the others are too new or too old
        self.assertEqual(self.env["payment.transaction"]._invoicera_pending_to_ask(), txs["hour"])
        tx = txs["hour"]
        self.api.routes = {("GET", r"/transaction/verify/"): (200, self.verified(tx, "pending"))}
        self.ask_pending(tx)
        self.assertEqual(tx.state, "pending")
        self.assertTrue(tx.invoicera_status_asked_at)
        self.assertEqual(self.api.last("transaction/verify")["url"].rsplit("/", 1)[1], tx.reference)
        other = self.make_tx(reference="INV-PENDING-other")
        other._set_pending()
        other.last_state_change = now - timedelta(hours=2)
        Tx = self.env["payment.transaction"]
        self.assertEqual(Tx._invoicera_pending_to_ask(), other, "asked once per half hour")
        # the next run, half an hour after the one that asked it (started late,
        # it stamped it a little after its time): asked again
        tx.invoicera_status_asked_at -= timedelta(minutes=28)
        self.assertEqual(Tx._invoicera_pending_to_ask(), other | tx, "never asked first")

    def test_pending_payments_are_asked_about_a_batch_at_a_time(self):
        txs = self.env["payment.transaction"]
        for number in range(3):
            txs |= self.make_tx(reference=f"INV-BATCH-{number}")
        txs._set_pending()
        txs.last_state_change = fields.Datetime.now() - timedelta(hours=1)
        self.api.routes = {
            ("GET", r"/transaction/verify/"): lambda method, url, kwargs: (
                200,
                self.verified(txs.filtered(lambda tx: url.endswith(tx.reference)), "pending"),
            )
        }
        progress = []
        cron = type(self.env["ir.cron"])
        with (
            patch.object(cron, "_notify_progress", lambda self, **kwargs: progress.append(kwargs)),
            patch.object(payment_transaction, "PENDING_ASKED_PER_RUN", 2),
        ):
            self.ask_pending(txs[0])
            self.ask_pending(txs[0])
        # the scheduler runs it again at once for the one left, then it is done:
        # each is asked once per half hour, not again and again
        self.assertEqual(progress, [{"done": 2, "remaining": 1}, {"done": 1, "remaining": 0}])
        self.assertEqual(len(self.api.calls), 3)
        self.assertTrue(all(txs.mapped("invoicera_status_asked_at")), "each asked in turn")
        self.assertFalse(self.env["payment.transaction"]._invoicera_pending_to_ask())

    def test_payment_odoo_refuses_to_confirm_is_not_recorded_as_processed(self):
        tx = self.make_tx()
        tx._set_canceled()
        with self.assertLogs("odoo.addons.invoicera_gateways", level="ERROR") as logs:
            self.assertEqual(self.deliver(self.notification(tx)), (200, "conflict"))
        self.assertIn(tx.reference, logs.output[0])
        self.assertEqual(tx.state, "cancel")
        event = self.events()
        # not processed, and listed under Problems
        self.assertEqual(event.state, "conflict")
        self.assertEqual(self.problems(), event)
        self.assertIn("Cancel", event.message)
        # Money was taken for an invoice Odoo still shows as unpaid: staff are told on it.
        self.assertIn(tx.reference, self.invoice.message_ids[:1].body)
        # A late notification that changes nothing is not an error.
        tx = self.make_tx(reference="INV-TEST-paystack-late")
        self.deliver(self.notification(tx, event_id="evt_done"))
        answer = self.deliver(self.notification(tx, "pending", event_id="evt_late"))
        self.assertEqual((answer, tx.state), ((200, "ignored"), "done"))

    def test_retried_charge_whose_lookup_times_out_is_not_charged_again(self):
        token = self._create_token(provider_ref="AUTH_f5rnfq9p")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-lookup")
        self.api.routes = {
            ("POST", r"/transaction/charge_authorization$"): requests.exceptions.ReadTimeout(
                "read timed out"
            )
        }
        tx._send_payment_request()
        # Verify does not answer either: whether the card was charged is unknown.
        self.api.routes = {
            ("GET", r"/transaction/verify/AUTO-lookup$"): requests.exceptions.ReadTimeout(
                "read timed out"
            ),
            ("POST", r"/transaction/charge_authorization$"): (
                200,
                {"status": True, "message": "Charge attempted", "data": self.charge(tx)},
            ),
        }
        self.cron_post_process(tx)
        charges = [call for call in self.api.calls if "charge_authorization" in call["url"]]
        self.assertEqual(len(charges), 1, "no second charge while the first one is unknown")
        self.assertEqual((tx.state, tx.invoicera_retry), ("pending", True))
