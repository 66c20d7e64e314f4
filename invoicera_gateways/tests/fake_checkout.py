"""Checkout.com seen from Odoo: hosted-payments, its hosted page, payment_captured, payments."""

import hashlib
import hmac
import json
from urllib.parse import unquote, urlsplit

from .fake_gateway import FakeGateway


class FakeCheckoutCom(FakeGateway):
    name = "Checkout.com"

    def payment(self, reference):
        hosted = self.payments[reference]
        return {
            "id": "pay_mbabizu24mvu3mela5njyhpit4",
            "action_id": "act_mbabizu24mvu3mela5njyhpit4",
            "status": "Captured",
            "approved": True,
            "reference": reference,
            "amount": hosted["minor"],
            "currency": hosted["currency"],
            "response_summary": "Approved",
            "source": {"id": "src_nwd3m4in3hkuddfpjsaevunhdy", "type": "card", "last4": "4242"},
        }

    def api(self, method, path, payload):
        if method == "POST" and path.endswith("/hosted-payments"):
            reference = payload["reference"]
            self.payments[reference] = {
                "reference": reference,
                "minor": payload["amount"],
                "amount": f"{payload['amount'] / 100:.2f}",
                "currency": payload["currency"],
                "success_url": payload["success_url"],
            }
            return 201, {
                "id": "hpp_xGQBg0AXl3cM",
                "reference": reference,
                "_links": {"redirect": {"href": self.hosted_page(reference)}},
            }
        if method == "GET" and path.endswith("/payments"):
            reference = unquote(self.last_query.get("reference", [""])[0])
            return 200, {"limit": 1, "skip": 0, "total_count": 1, "data": [self.payment(reference)]}
        return 404, {"error_type": "not_found"}

    def paid(self, reference):
        payment = self.payment(reference)
        event = {
            "id": "evt_az5sblvku4ge3dwpztvyizgcau",
            "type": "payment_captured",
            "version": "1.0.33",
            "created_on": "2026-11-25T10:00:00Z",
            "data": {**payment, "response_code": "10000"},
        }
        body = json.dumps(event).encode()
        signature = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        success = urlsplit(self.payments[reference]["success_url"])
        webhook = (
            f"{success.scheme}://{success.netloc}{success.path.replace('/return/', '/webhook/')}"
        )
        return webhook, body, {"Content-Type": "application/json", "Cko-Signature": signature}

    def return_url(self, reference):
        return self.payments[reference]["success_url"]
