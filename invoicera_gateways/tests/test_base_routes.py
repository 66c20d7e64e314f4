"""The shared routes over real HTTP, with Paystack as the gateway."""

import hashlib
import hmac
import json
from unittest.mock import patch

import odoo.http
from odoo.tests import HttpCase, tagged

from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing

from ..gateways.base import Gateway
from .common import FakeGatewayAPI

SECRET = "sk_test_routes"


@tagged("post_install", "-at_install")
class TestGatewayRoutes(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env.ref("invoicera_gateways.payment_provider_paystack")
        cls.provider.write({"state": "test", "invoicera_secret_key": SECRET})
        cls.currency = cls.env.ref("base.NGN")
        cls.currency.active = True
        cls.tx = cls.env["payment.transaction"].create(
            {
                "provider_id": cls.provider.id,
                "payment_method_id": cls.env.ref("payment.payment_method_card").id,
                "amount": 150.0,
                "currency_id": cls.currency.id,
                "partner_id": cls.env["res.partner"].create({"name": "Route Client"}).id,
                "reference": "ROUTE-TEST-1",
                "operation": "online_redirect",
            }
        )

    def body(self, amount=15000):
        data = {
            "id": 99,
            "status": "success",
            "reference": self.tx.reference,
            "metadata": {"invoicera_reference": self.tx.reference},
            "amount": amount,
            "currency": "NGN",
        }
        return json.dumps({"event": "charge.success", "data": data}).encode()

    def post(self, body, signature):
        headers = {"Content-Type": "application/json"}
        if signature:
            headers["x-paystack-signature"] = signature
        return self.url_open(
            f"/payment/invoicera/paystack/webhook/{self.provider.id}", data=body, headers=headers
        )

    def test_webhook_route(self):
        body = self.body()
        self.assertEqual(self.post(body, "0" * 128).status_code, 403)
        self.assertEqual(self.post(body, None).status_code, 403)
        self.tx.invalidate_recordset()
        self.assertEqual(self.tx.state, "draft")
        signature = hmac.new(SECRET.encode(), body, hashlib.sha512).hexdigest()
        response = self.post(body, signature)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"result": "processed"})
        self.tx.invalidate_recordset()
        self.assertEqual(self.tx.state, "done")
        self.assertEqual(self.post(body, signature).json(), {"result": "duplicate"})
        # Another provider's URL (or an unknown one) is refused whatever the signature.
        response = self.url_open("/payment/invoicera/paystack/webhook/999999", data=body)
        self.assertEqual(response.status_code, 404)

    def test_return_asks_the_gateway_and_leads_to_the_status_page(self):
        verify = {
            "status": True,
            "data": {
                "id": 7,
                "status": "success",
                "reference": self.tx.reference,
                "metadata": {"invoicera_reference": self.tx.reference},
                "amount": 15000,
                "currency": "NGN",
            },
        }
        api = FakeGatewayAPI({("GET", r"/transaction/verify/ROUTE-TEST-1$"): (200, verify)})
        with patch.object(Gateway, "_send", side_effect=api):
            response = self.url_open(
                f"/payment/invoicera/paystack/return/{self.provider.id}?reference={self.tx.reference}",
                allow_redirects=False,
            )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/payment/status"))
        self.tx.invalidate_recordset()
        self.assertEqual(self.tx.state, "done")

    def return_then_webhook(self, verify_data):
        """The return URL is called while Verify answers ``verify_data``: the
        transaction stays a draft; then the signed webhook confirms the payment."""
        verify = {"status": True, "message": "Verification successful", "data": verify_data}
        api = FakeGatewayAPI({("GET", r"/transaction/verify/ROUTE-TEST-1$"): (200, verify)})
        with patch.object(Gateway, "_send", side_effect=api):
            self.url_open(
                f"/payment/invoicera/paystack/return/{self.provider.id}?reference={self.tx.reference}",
                allow_redirects=False,
            )
        self.assertTrue(api.calls)
        self.tx.invalidate_recordset()
        self.assertEqual((self.tx.state, self.tx.invoicera_amount_mismatch), ("draft", False))
        body = self.body()
        response = self.post(body, hmac.new(SECRET.encode(), body, hashlib.sha512).hexdigest())
        self.assertEqual(response.json(), {"result": "processed"})
        self.tx.invalidate_recordset()
        self.assertEqual(self.tx.state, "done")

    def test_return_during_an_unfinished_checkout_does_not_close_the_payment(self):
        # Anyone may call the return URL while the client is still on Paystack's
        # page: Verify then says "abandoned" (begun, not completed), not final.
        self.return_then_webhook(self.abandoned())

    def abandoned(self):
        """Verify's data of a checkout begun and not completed (Paystack's docs)."""
        return {
            "id": 8,
            "status": "abandoned",
            "reference": self.tx.reference,
            "metadata": {"invoicera_reference": self.tx.reference},
            "amount": 15000,
            "currency": "NGN",
            "gateway_response": "The transaction was not completed",
            "paid_at": None,
        }

    def test_return_whose_answer_lacks_the_currency_waits_for_the_webhook(self):
        # A status read that does not say the currency cannot tell whether it
        # is wrong: the transaction is not put in error for good.
        self.return_then_webhook(
            {
                "id": 9,
                "status": "success",
                "reference": self.tx.reference,
                "metadata": {"invoicera_reference": self.tx.reference},
                "amount": 15000,
            }
        )

    def as_the_payer(self):
        """The session is the paying client's: the one monitoring the payment."""
        session = self.authenticate(None, None)
        session[PaymentPostProcessing.MONITORED_TX_ID_KEY] = self.tx.id
        odoo.http.root.session_store.save(session)

    def test_return_without_answer_waits_for_the_webhook(self):
        api = FakeGatewayAPI({("GET", r"/transaction/verify/"): (502, "Bad Gateway")})
        url = f"/payment/invoicera/paystack/return/{self.provider.id}?reference={self.tx.reference}"
        with patch.object(Gateway, "_send", side_effect=api):
            # Anyone may call a return URL: it changes nothing the gateway did not say.
            self.url_open(url)
            self.tx.invalidate_recordset()
            self.assertEqual(self.tx.state, "draft")
            # The client whose payment it is comes back: shown as being processed.
            self.as_the_payer()
            self.url_open(url)
        self.tx.invalidate_recordset()
        self.assertEqual(self.tx.state, "pending")

    def test_client_back_from_a_cancelled_checkout_can_pay_again(self):
        """The client cancels on Paystack's page, which sends them back: Verify
        says "abandoned", nothing paid. The payment stays a draft, as Odoo leaves
        one whose client did not pay, so that the invoice offers to pay it again;
        pending, it was offered no more, and no webhook would ever end it."""
        verify = {"status": True, "message": "Verification successful", "data": self.abandoned()}
        api = FakeGatewayAPI({("GET", r"/transaction/verify/ROUTE-TEST-1$"): (200, verify)})
        self.as_the_payer()
        with patch.object(Gateway, "_send", side_effect=api):
            response = self.url_open(
                f"/payment/invoicera/paystack/return/{self.provider.id}?reference={self.tx.reference}"
            )
        self.assertIn("Your payment has not been processed yet.", response.text)
        self.tx.invalidate_recordset()
        self.assertEqual(self.tx.state, "draft")
