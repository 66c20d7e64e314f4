import hashlib
import hmac
import json

from odoo.tests import tagged

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
STATUS = {"done": "success", "pending": "ongoing", "error": "failed", "cancel": "abandoned"}


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

    def refund_routes(self, tx):
        return {
            ("POST", r"/refund$"): (
                200,
                {
                    "status": True,
                    "message": "Refund has been queued for processing",
                    "data": {"id": 3018284, "amount": 1000, "currency": "NGN", "status": "pending"},
                },
            )
        }

    def charge_routes(self, tx):
        return {
            ("POST", r"/transaction/charge_authorization$"): (
                200,
                {"status": True, "message": "Charge attempted", "data": self.charge(tx)},
            )
        }

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
