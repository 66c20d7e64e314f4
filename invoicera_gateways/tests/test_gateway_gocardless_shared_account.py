"""GoCardless: one GoCardless account shared by two companies' providers.

GoCardless sends every event to every webhook endpoint of the account
(https://developer.gocardless.com/getting-started/staying-up-to-date-with-webhooks):
with two provider records on one account (same access token, same endpoint
secret), each receives the other's events. Each event must reach its own
company's records and no other's; the other provider acknowledges it, as
Odoo's payment_stripe does.
"""

import json

from werkzeug.datastructures import Headers

from odoo.tests import tagged

from . import test_gateway_gocardless
from .test_gateway_gocardless import FULFILLED, META, copy
from .test_gateway_gocardless_mandates import MANDATE_CANCELLED


@tagged("post_install", "-at_install")
class TestGoCardlessSharedAccount(test_gateway_gocardless.TestGoCardless):
    # Only the tests below: the inherited ones run in test_gateway_gocardless.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_gocardless.TestGoCardless) if n.startswith("test_")),
            None,
        )
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Second Company")["company"]
        cls.provider_2 = cls.provider.copy(
            {"name": "GoCardless (Second Company)", "company_id": cls.company_2.id}
        )
        cls.provider_2.write(dict(cls.credentials, state="test"))

    def deliver_to(self, provider, body):
        headers = Headers(self.sign(body, self.secret()))
        return self.env["invoicera.gateway.event"]._invoicera_receive(
            self.gateway_code, provider.id, headers, body
        )

    def events_of(self, provider):
        return self.env["invoicera.gateway.event"].search([("provider_id", "=", provider.id)])

    def test_payment_event_reaches_its_own_company_only(self):
        tx = self.make_tx(provider_id=self.provider_2.id, reference="GC-COMPANY-2", invoice_ids=[])
        body = self.notification(tx, "done", event_id="EV-shared-payment")
        self.assertEqual(self.deliver_to(self.provider, body), (200, "other provider"))
        self.assertEqual(tx.state, "draft")
        self.assertFalse(self.events_of(self.provider))
        self.assertEqual(self.deliver_to(self.provider_2, body), (200, "processed"))
        self.assertEqual(tx.state, "done")
        self.assertEqual(self.events_of(self.provider_2).company_id, self.company_2)

    def test_fulfilled_billing_request_collects_once_through_its_own_provider(self):
        tx = self.make_tx(
            provider_id=self.provider_2.id, reference="GC-COMPANY-2-BRQ", invoice_ids=[]
        )
        created = dict(self.payment(tx, "pending_submission"), links={"mandate": "MD0017B8JJ6ZK4"})
        self.api.routes[("POST", r"/payments$")] = (201, {"payments": created})
        fulfilled = dict(copy(FULFILLED), resource_metadata={META: tx.reference})
        body = json.dumps({"events": [fulfilled]}).encode()
        self.assertEqual(self.deliver_to(self.provider, body), (200, "other provider"))
        self.assertFalse(self.api.last(r"/payments$"), "no payment collected by company 1")
        self.assertEqual(self.deliver_to(self.provider_2, body)[0], 200)
        self.assertEqual(len([c for c in self.api.calls if c["url"].endswith("/payments")]), 1)
        self.assertEqual(tx.state, "pending")

    def test_mandate_event_reaches_its_own_company_only(self):
        own = self._create_token(provider_ref="MD-SHARED", invoicera_customer_ref="CU1")
        other = self._create_token(
            provider_id=self.provider_2.id, provider_ref="MD-OTHER", invoicera_customer_ref="CU2"
        )
        event = dict(copy(MANDATE_CANCELLED), id="EV-mandate-other")
        event["links"]["mandate"] = "MD-OTHER"
        body = json.dumps({"events": [event]}).encode()
        self.assertEqual(self.deliver_to(self.provider, body), (200, "ignored"))
        self.assertTrue(other.active)
        self.assertEqual(self.deliver_to(self.provider_2, body), (200, "processed"))
        self.assertFalse(other.active)
        self.assertTrue(own.active)
