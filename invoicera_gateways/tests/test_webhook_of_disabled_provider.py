"""A provider disabled while payments through it are under way still hears of them.

Disabling a provider stops new payments, not the ones the gateway is still
carrying out: a GoCardless debit is collected days after the client signed the
mandate. As Odoo's own providers do (payment_stripe finds the transaction of a
notification whatever its provider's state), the signed notification is
applied, so that the invoice is paid once the money is collected.
"""

from odoo.tests import tagged

from . import test_gateway_gocardless


@tagged("post_install", "-at_install")
class TestWebhookOfDisabledProvider(test_gateway_gocardless.TestGoCardless):
    # Only the tests below: the inherited ones run in test_gateway_gocardless.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_gocardless.TestGoCardless) if n.startswith("test_")),
            None,
        )
    )

    def test_debit_collected_after_the_provider_is_disabled_pays_the_invoice(self):
        tx = self.make_tx(reference="GC-DISABLED-AFTER")
        self.assertEqual(
            self.deliver(self.notification(tx, "pending", event_id="EV-submitted")),
            (200, "processed"),
        )
        self.assertEqual(tx.state, "pending")
        self.provider.state = "disabled"
        answer = self.deliver(self.notification(tx, "done", event_id="EV-confirmed"))
        self.assertEqual(answer, (200, "processed"), "the collected debit must reach Odoo")
        self.assertEqual(tx.state, "done")
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))

    def test_disabled_provider_still_refuses_what_it_cannot_prove(self):
        tx = self.make_tx(reference="GC-DISABLED-FORGED")
        self.provider.state = "disabled"
        body = self.notification(tx, "done", event_id="EV-forged")
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assert_untouched(tx, self.deliver(body, self.sign(body, "not-the-secret")))

    def test_provider_disabled_in_test_mode_asks_the_sandbox(self):
        """Its credentials are the sandbox's: the payment is looked up there, not
        at GoCardless' live address (which refuses them: never applied)."""
        self.assertEqual(self.provider.state, "test")
        tx = self.make_tx(reference="GC-DISABLED-SANDBOX")
        self.provider.state = "disabled"
        calls = len(self.api.calls)
        answer = self.deliver(self.notification(tx, "done", event_id="EV-sandbox"))
        self.assertEqual(answer, (200, "processed"))
        lookups = [call["url"] for call in self.api.calls[calls:]]
        self.assertTrue(lookups)
        for url in lookups:
            self.assertTrue(url.startswith("https://api-sandbox.gocardless.com/"), url)
        # enabled (live) then disabled: the live address
        self.provider.state = "enabled"
        self.provider.state = "disabled"
        self.assertEqual(
            self.provider._invoicera_gateway().base_url(), "https://api.gocardless.com/"
        )
