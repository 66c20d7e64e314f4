"""GoCardless mandates cancelled, failed, expired, blocked or replaced outside Odoo.

The mandate is the saved payment method (``payment.token``). GoCardless reports
what happens to it with ``mandates`` events (API reference, Events, mandate
actions; https://developer.gocardless.com/mandates/responding-to-mandate-events):
``cancelled`` (by the customer through their bank, in the dashboard, or when the
bank account is closed), ``failed`` (could not be set up), ``expired`` (no
collection for over 13 months), ``blocked`` (matched the merchant's blocklist,
never leaves that state): no payment can be created against it any more.
``replaced`` (a new Bacs service user number): the event's ``links[new_mandate]``
is the mandate to store instead of the old one
(https://support.gocardless.com/hc/en-us/articles/115001573669).
"""

import json

from odoo.tests import tagged

from . import test_gateway_gocardless
from .test_gateway_gocardless import copy

# https://developer.gocardless.com/api-reference/#events-reconciling-events-with-your-
# integration - a mandate event, as the webhook sends it
MANDATE_CANCELLED = {
    "id": "EV00MANDCANC01",
    "created_at": "2024-05-14T10:23:11.000Z",
    "resource_type": "mandates",
    "action": "cancelled",
    "links": {"mandate": "MD123"},
    "details": {
        "origin": "bank",
        "cause": "bank_account_closed",
        "description": "The customer's bank account was closed.",
        "scheme": "bacs",
        "reason_code": "ADDACS-B",
    },
    "metadata": {},
    "resource_metadata": {},
}
MANDATE_REPLACED = {
    "id": "EV00MANDREPL01",
    "created_at": "2024-05-14T10:23:11.000Z",
    "resource_type": "mandates",
    "action": "replaced",
    "links": {"mandate": "MD123", "new_mandate": "MD456"},
    "details": {
        "origin": "gocardless",
        "cause": "mandate_replaced",
        "description": "The mandate has been replaced by a new mandate, because the creditor"
        " has moved to a new Bacs service user number.",
    },
    "metadata": {},
    "resource_metadata": {},
}


@tagged("post_install", "-at_install")
class TestGoCardlessMandates(test_gateway_gocardless.TestGoCardless):
    # Only the tests below: the inherited ones run in test_gateway_gocardless.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_gocardless.TestGoCardless) if n.startswith("test_")),
            None,
        )
    )

    def mandate_event(self, action, mandate="MD123", event_id=None, **details):
        event = copy(MANDATE_REPLACED if action == "replaced" else MANDATE_CANCELLED)
        event.update(action=action, id=event_id or f"EV-mandate-{action}")
        event["links"]["mandate"] = mandate
        event["details"].update(details)
        return json.dumps({"events": [event]}).encode()

    def test_mandate_cancelled_at_the_bank_archives_the_saved_mandate(self):
        token = self._create_token(provider_ref="MD123", invoicera_customer_ref="CU123")
        body = self.mandate_event("cancelled")
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertFalse(token.active, "autopay and the client no longer charge it")
        event = self.events()
        self.assertEqual((event.reference, event.state), ("MD123", "processed"))
        self.assertIn(token.display_name, event.message)
        self.assertIn("The customer's bank account was closed.", event.message)
        self.assertIn(token.display_name, self.partner.message_ids[0].body)
        # sent again: nothing more
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(len(self.events()), 1)
        # a later event about the archived mandate changes nothing more
        expired = self.mandate_event("expired")
        self.assertEqual(self.deliver(expired), (200, "ignored"))
        self.assertFalse(token.active)
        self.assertEqual(len(self.partner.message_ids.filtered(lambda m: "archived" in m.body)), 1)

    def test_mandate_failed_expired_or_blocked_archives_the_saved_mandate(self):
        for action in ("failed", "expired", "blocked"):
            with self.subTest(action=action):
                token = self._create_token(provider_ref=f"MD-{action}")
                body = self.mandate_event(action, mandate=f"MD-{action}")
                self.assertEqual(self.deliver(body), (200, "processed"))
                self.assertFalse(token.active)

    def test_replaced_mandate_is_charged_under_its_new_id(self):
        token = self._create_token(provider_ref="MD123", invoicera_customer_ref="CU123")
        self.assertEqual(self.deliver(self.mandate_event("replaced")), (200, "processed"))
        self.assertTrue(token.active)
        self.assertEqual(token.provider_ref, "MD456")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-gc-replaced")
        self.api.routes.update(self.charge_routes(tx))
        tx._send_payment_request()
        sent = self.api.last(r"/payments$")["json"]["payments"]
        self.assertEqual(sent["links"], {"mandate": "MD456"})
        self.assertEqual(tx.state, "pending")

    def test_mandate_reinstated_after_its_cancellation_is_charged_again(self):
        """The customer's bank undoes a cancellation ("reinstated": active again): the
        mandate Odoo archived on its cancellation is back, and autopay charges it."""
        token = self._create_token(provider_ref="MD123", invoicera_customer_ref="CU123")
        self.assertEqual(self.deliver(self.mandate_event("cancelled")), (200, "processed"))
        self.assertFalse(token.active)
        reinstated = self.mandate_event(
            "reinstated",
            origin="bank",
            cause="mandate_reinstated",
            description="A cancelled mandate has been re-instated by the customer's bank.",
        )
        self.assertEqual(self.deliver(reinstated), (200, "processed"))
        self.assertTrue(token.active)
        self.assertIn(token.display_name, self.partner.message_ids[0].body)
        self.assertIn("re-instated", self.events()[0].message)
        # its owner removes it from the portal since: a later notice does not restore it
        token.active = False
        again = self.mandate_event("reinstated", event_id="EV-reinstated-again")
        self.assertEqual(self.deliver(again), (200, "ignored"))
        self.assertFalse(token.active)

    def test_mandate_its_owner_removed_stays_removed_when_reinstated(self):
        token = self._create_token(provider_ref="MD123")
        token.active = False  # deleted from the portal by the client
        self.assertEqual(self.deliver(self.mandate_event("cancelled")), (200, "ignored"))
        self.assertEqual(self.deliver(self.mandate_event("reinstated")), (200, "ignored"))
        self.assertFalse(token.active)

    def test_other_mandate_events_and_mandates_leave_saved_mandates_alone(self):
        token = self._create_token(provider_ref="MD123")
        # another provider record on the same GoCardless account (another company's)
        other = self.provider.copy({"name": "GoCardless (other company)"})
        other_token = self._create_token(provider_id=other.id, provider_ref="MD-OTHER")
        for body in (
            self.mandate_event("active", event_id="EV-active"),
            self.mandate_event("reinstated", event_id="EV-reinstated"),  # never archived
            self.mandate_event("cancelled", mandate="MD-UNKNOWN", event_id="EV-unknown"),
            self.mandate_event("cancelled", mandate="MD-OTHER", event_id="EV-other"),
        ):
            self.assertEqual(self.deliver(body), (200, "ignored"))
        self.assertTrue(token.active)
        self.assertTrue(other_token.active)
        self.assertFalse(self.events())

    def test_mandate_cancelled_in_a_batch_with_payments(self):
        """A delivery holds events of several resources: the mandate's is applied as well."""
        token = self._create_token(provider_ref="MD123")
        tx = self.make_tx()
        cancelled = json.loads(self.mandate_event("cancelled"))["events"][0]
        events = [self.event(tx, "done", event_id="EV-paid"), cancelled]
        self.assertEqual(self.deliver(json.dumps({"events": events}).encode())[0], 200)
        self.assertEqual(tx.state, "done")
        self.assertFalse(token.active)
        self.assertEqual(
            sorted(self.events().mapped("event_key")), ["EV-mandate-cancelled", "EV-paid"]
        )

    def test_charge_of_a_replaced_mandate_goes_to_its_successor(self):
        """A replaced mandate whose event Odoo missed (e.g. sent before the webhook was
        set up): Create a payment answers ``mandate_replaced`` naming the new mandate
        (links[new_mandate]), which is charged instead and kept for the next charges."""
        token = self._create_token(provider_ref="MD123", invoicera_customer_ref="CU123")
        tx = self.make_tx(token_id=token.id, operation="offline", reference="AUTO-gc-moved")
        created = dict(self.payment(tx, "pending_submission"), links={"mandate": "MD456"})
        replaced = {
            "error": {
                "message": "Mandate replaced",
                "documentation_url": "https://developer.gocardless.com/api-reference#mandate_replaced",
                "type": "invalid_state",
                "request_id": "0429GQ1WV5F6Q5DAEYFNRDNRG6WGCNHB",
                "errors": [
                    {
                        "reason": "mandate_replaced",
                        "message": "Mandate replaced",
                        "links": {"new_mandate": "MD456"},
                    }
                ],
                "code": 422,
            }
        }

        def create_payment(method, url, kwargs):
            mandate = kwargs["json"]["payments"]["links"]["mandate"]
            return (201, {"payments": created}) if mandate == "MD456" else (422, replaced)

        self.api.routes = {("POST", r"/payments$"): create_payment}
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            tx._send_payment_request()
        self.assertEqual(tx.state, "pending")
        self.assertEqual(tx.provider_reference, created["id"])
        self.assertEqual((token.provider_ref, token.active), ("MD456", True))
        sent = [call["json"]["payments"]["links"]["mandate"] for call in self.api.calls]
        self.assertEqual(sent, ["MD123", "MD456"])

    def test_mandate_reinstated_once_its_provider_is_disabled_stays_archived(self):
        """Odoo restores no saved method of a disabled provider: the notice is
        acknowledged and listed as ignored (before: Odoo's refusal, a 400 the
        gateway answered by sending it again for days)."""
        token = self._create_token(provider_ref="MD123", invoicera_customer_ref="CU123")
        self.assertEqual(self.deliver(self.mandate_event("cancelled")), (200, "processed"))
        # its payment method still offered by another provider (Odoo archives it
        # with the last provider offering it)
        self.provider.copy({"name": "GoCardless (other company)", "state": "test"})
        self.provider.state = "disabled"
        self.assertTrue(token.payment_method_id.active)
        self.assertEqual(self.deliver(self.mandate_event("reinstated")), (200, "ignored"))
        self.assertFalse(token.active)
        self.assertIn("provider is disabled", self.events()[0].message)
