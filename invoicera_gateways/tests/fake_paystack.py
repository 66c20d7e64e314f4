"""Paystack as seen from Odoo: transaction/initialize, the checkout page, charge.success, verify."""

import hashlib
import hmac
import json
from urllib.parse import unquote, urlencode

from .fake_gateway import FakeGateway


class FakePaystack(FakeGateway):
    name = "Paystack"

    def charge(self, reference):
        payment = self.payments[reference]
        return {
            "id": 302961,
            "status": "success",
            "reference": reference,
            "metadata": payment["metadata"],
            "amount": payment["minor"],
            "currency": payment["currency"],
            "channel": "card",
            "gateway_response": "Approved by Financial Institution",
        }

    def api(self, method, path, payload):
        if method == "POST" and path.endswith("/transaction/initialize"):
            reference = payload["reference"]
            self.payments[reference] = {
                "reference": reference,
                "metadata": payload.get("metadata") or {},
                "minor": payload["amount"],
                "amount": f"{payload['amount'] / 100:.2f}",
                "currency": payload["currency"],
                "callback_url": payload["callback_url"],
            }
            data = {
                "authorization_url": self.hosted_page(reference),
                "access_code": "x",
                "reference": reference,
            }
            return 200, {"status": True, "data": data}
        if method == "GET" and "/transaction/verify/" in path:
            return 200, {"status": True, "data": self.charge(unquote(path.rsplit("/", 1)[1]))}
        return 404, {"status": False, "message": "Not found"}

    def paid(self, reference):
        body = json.dumps({"event": "charge.success", "data": self.charge(reference)}).encode()
        signature = hmac.new(self.secret.encode(), body, hashlib.sha512).hexdigest()
        webhook = self.payments[reference]["callback_url"].replace("/return/", "/webhook/")
        return (
            webhook,
            body,
            {"Content-Type": "application/json", "x-paystack-signature": signature},
        )

    def return_url(self, reference):
        query = urlencode({"trxref": reference, "reference": reference})
        return f"{self.payments[reference]['callback_url']}?{query}"
