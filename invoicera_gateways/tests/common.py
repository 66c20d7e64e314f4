"""The reliability checks every gateway passes, written once.

A gateway's test class derives from :class:`GatewayCase` and supplies what
its documentation says: the notification bodies, how they are signed (with
real HMAC, written from the documentation rather than from our adapter) and
the API answers. The outside world is faked at ``Gateway._send`` only.
"""

import ast
import datetime
import json
import re
from unittest.mock import patch
from urllib.parse import urlencode

import requests
from lxml import etree
from werkzeug.datastructures import Headers

import odoo
from odoo import Command
from odoo.exceptions import ValidationError

from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing

from ..gateways import GATEWAYS
from ..gateways.base import Gateway, GatewayUnavailable


class FakeResponse:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self.body = body
        self.text = body if isinstance(body, str) else json.dumps(body)
        self.reason = "Error" if status_code >= 400 else "OK"

    def json(self):
        if isinstance(self.body, str):
            return json.loads(self.body)
        return self.body


class FakeGatewayAPI:
    """Answers calls by (method, URL regex); records every call it receives."""

    def __init__(self, routes):
        self.routes = routes
        self.calls = []

    def __call__(self, method, url, **kwargs):
        self.calls.append({"method": method, "url": url, **kwargs})
        for (route_method, pattern), answer in self.routes.items():
            if route_method == method and re.search(pattern, url):
                if isinstance(answer, Exception):
                    raise answer
                if callable(answer):
                    answer = answer(method, url, kwargs)
                return FakeResponse(*answer)
        raise AssertionError(f"unexpected call {method} {url}")

    def last(self, pattern=""):
        matching = [call for call in self.calls if re.search(pattern, call["url"])]
        return matching[-1] if matching else None


class GatewayCase(AccountPaymentCommon):
    """Base of every gateway's tests; subclasses set the class attributes and hooks."""

    gateway_code = ""
    credentials = {}
    #: a currency the gateway supports, for the test transactions
    currency_code = "USD"
    #: whether the signature scheme signs a timestamp that can go stale
    signs_timestamp = False
    #: what the client pays when a test pays less than the invoice's residual: the
    #: amount of the gateway's answers (see :meth:`minor`)
    paid_amount = None

    # -- hooks a gateway's test class implements -------------------------------

    def notification(self, tx, status="done", amount=None, currency=None, event_id="evt_1"):
        """Body (bytes) of the gateway's notification about ``tx`` (from the docs)."""
        raise NotImplementedError

    def sign(self, body, secret, timestamp=None):
        """Headers the gateway sends with ``body`` signed by ``secret`` (real HMAC).

        Keys starting with ``?`` are query-string parameters (Paymob's ``?hmac``).
        ``timestamp``: POSIX seconds to sign, for schemes with a timestamp.
        """
        raise NotImplementedError

    def checkout_routes(self, tx):
        """Fake API answers to start ``tx``'s hosted checkout: {(method, regex): (status, body)}."""
        raise NotImplementedError

    #: the hosted page URL the checkout answer points to
    hosted_page = ""

    def refund_routes(self, tx):
        return {}

    def charge_routes(self, tx):
        return {}

    # -- set-up ------------------------------------------------------------------

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway_class = GATEWAYS[cls.gateway_code]
        cls.currency = cls._prepare_currency(cls.currency_code)
        cls.provider = cls._prepare_provider(cls.gateway_code, update_values=dict(cls.credentials))
        cls.provider.journal_id = cls.company_data["default_journal_bank"]
        cls.payment_method_id = cls.provider.payment_method_ids[:1].id
        cls.partner.email = cls.partner.email or "client@example.com"
        cls.amount = 1234.5 if cls.gateway_class.exponents.get(cls.currency_code) != 0 else 1234
        cls.invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": cls.partner.id,
                "currency_id": cls.currency.id,
                "invoice_line_ids": [
                    Command.create({"name": "Consulting", "quantity": 1, "price_unit": cls.amount})
                ],
            }
        )
        cls.invoice.invoice_line_ids.tax_ids = False
        cls.invoice.action_post()

    def setUp(self):
        super().setUp()
        self.api = FakeGatewayAPI({})
        self.startPatcher(patch.object(Gateway, "_send", side_effect=self.api))

    # -- helpers -------------------------------------------------------------------

    def return_as_the_payer(self, tx):
        """The paying client (the session monitoring ``tx``) comes back from the
        gateway's page to our return route (in an HttpCase)."""
        session = self.authenticate(None, None)
        session[PaymentPostProcessing.MONITORED_TX_ID_KEY] = tx.id
        odoo.http.root.session_store.save(session)
        query = urlencode({"reference": tx.reference})
        code = self.provider.code
        return self.url_open(f"/payment/invoicera/{code}/return/{self.provider.id}?{query}")

    def make_tx(self, **values):
        values.setdefault("reference", f"INV-TEST-{self.gateway_code}")
        values.setdefault("invoice_ids", [Command.set(self.invoice.ids)])
        values.setdefault("amount", self.invoice.amount_residual)
        return self._create_transaction("redirect", **values)

    def minor(self, amount=None):
        """``amount`` in the gateway's minor units; by default what the client
        pays: the invoice's residual, or :attr:`paid_amount`."""
        if amount is None:
            amount = self.invoice.amount_residual if self.paid_amount is None else self.paid_amount
        return self.gateway_class(self.provider).minor(amount, self.currency)

    def secret(self):
        return self.gateway_class(self.provider).signing_secret()

    def deliver(self, body, signed=None, now=None):
        """Deliver a notification; ``signed``: what :meth:`sign` returned (keys
        starting with ``?`` are query-string parameters, the others headers)."""
        signed = self.sign(body, self.secret()) if signed is None else signed
        headers = {k: v for k, v in signed.items() if not k.startswith("?")}
        query = {k[1:]: v for k, v in signed.items() if k.startswith("?")}
        return self.env["invoicera.gateway.event"]._invoicera_receive(
            self.gateway_code, self.provider.id, Headers(headers), body, query=query, now=now
        )

    def cron_post_process(self, tx):
        """Odoo's post-processing as its cron runs it (without the commits)."""
        tx.with_context(invoicera_retry_charge=True)._post_process()

    def ask_pending(self, tx, pending_for=None, next_turn=False):
        """The cron asking the gateways about pending payments runs (without its
        commits), ``tx`` pending since ``pending_for`` (a timedelta) ago; with
        ``next_turn``, at its next turn (what it asked, it asked over half an
        hour ago)."""
        if pending_for is not None:
            tx.last_state_change = odoo.fields.Datetime.now() - pending_for
        if next_turn and tx.invoicera_status_asked_at:
            tx.invoicera_status_asked_at -= datetime.timedelta(hours=1)
        with patch.object(self.env.cr, "commit"):
            self.env["payment.transaction"]._cron_invoicera_ask_pending()

    def events(self):
        return self.env["invoicera.gateway.event"].search([("provider_id", "=", self.provider.id)])

    def problems(self):
        """This provider's notifications under the Problems filter of Gateway Notifications
        (the filter's domain as the search view defines it)."""
        Event = self.env["invoicera.gateway.event"]
        arch = etree.fromstring(Event.get_views([(False, "search")])["views"]["search"]["arch"])
        domain = ast.literal_eval(arch.xpath("//filter[@name='problems']")[0].get("domain"))
        return Event.search(domain + [("provider_id", "=", self.provider.id)])

    def payments(self, tx):
        return self.env["account.payment"].search([("payment_transaction_id", "=", tx.id)])

    def assert_untouched(self, tx, answer, status=403):
        self.assertEqual(answer[0], status, answer)
        self.assertEqual(tx.state, "draft")
        self.assertFalse(self.events(), "a refused notification must not be recorded")

    # -- checkout --------------------------------------------------------------------

    def test_checkout_sends_the_client_to_the_hosted_page(self):
        tx = self.make_tx()
        self.api.routes.update(self.checkout_routes(tx))
        html = tx._get_processing_values()["redirect_form_html"]
        self.assertIn(self.hosted_page.split("?")[0], html)
        self.assertTrue(self.api.calls, "the checkout must be created at the gateway")
        sent = json.dumps(
            [call.get("json") or call.get("data") or call.get("params") for call in self.api.calls]
        )
        self.assertIn(tx.reference, sent, "the gateway must know our reference")

    def test_checkout_gateway_down_gives_a_clear_error_and_no_change(self):
        for failure in (requests.exceptions.ReadTimeout("read timed out"), None):
            tx = self.make_tx(reference=f"DOWN-{self.gateway_code}-{bool(failure)}")
            routes = self.checkout_routes(tx)
            answer = failure if failure else (503, {"message": "Service Unavailable"})
            self.api.routes = dict.fromkeys(routes, answer)
            with self.assertRaises(GatewayUnavailable) as caught:
                tx._get_processing_values()
            self.assertIn(self.gateway_class.name, str(caught.exception))
            self.assertEqual(tx.state, "draft")

    # -- webhooks ---------------------------------------------------------------------

    def test_duplicate_deliveries_confirm_and_pay_once(self):
        tx = self.make_tx()
        body = self.notification(tx, "done")
        self.assertEqual(self.deliver(body), (200, "processed"))
        self.assertEqual(tx.state, "done")
        state_change = tx.last_state_change
        self.assertEqual(self.deliver(body), (200, "duplicate"))
        self.assertEqual(tx.last_state_change, state_change)
        self.assertEqual(len(self.events()), 1)
        tx._post_process()
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))

    def test_late_pending_notification_does_not_undo_a_payment(self):
        tx = self.make_tx()
        self.deliver(self.notification(tx, "done", event_id="evt_done"))
        self.deliver(self.notification(tx, "pending", event_id="evt_pending"))
        self.assertEqual(tx.state, "done")

    def test_notifications_that_cannot_be_proven_are_refused(self):
        tx = self.make_tx()
        body = self.notification(tx, "done")
        good = self.sign(body, self.secret())
        tampered = body.replace(tx.reference.encode(), tx.reference.encode() + b"X", 1)
        if tampered == body:
            tampered = body + b" "
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING") as logs:
            self.assert_untouched(tx, self.deliver(tampered, good))
            self.assert_untouched(tx, self.deliver(body, self.sign(body, "not-the-secret")))
            carrier = (
                self.gateway_class.signature_header or "?" + self.gateway_class.signature_param
            ).lower()
            unsigned = {k: v for k, v in good.items() if k.lower() != carrier}
            self.assert_untouched(tx, self.deliver(body, unsigned))
        self.assertTrue(any("refused" in line for line in logs.output))
        field = (
            "invoicera_secret_key"
            if self.gateway_class.signing_secret is not Gateway.signing_secret
            else "invoicera_webhook_secret"
        )
        self.provider[field] = False
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assert_untouched(tx, self.deliver(body, good))

    def test_stale_timestamp_is_refused(self):
        if not self.signs_timestamp:
            self.skipTest(f"{self.gateway_class.name} signs no timestamp")  # pylint: disable=W8120
        tx = self.make_tx()
        body = self.notification(tx, "done")
        import time

        stale = int(time.time()) - 3600
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assert_untouched(
                tx, self.deliver(body, self.sign(body, self.secret(), timestamp=stale))
            )

    def test_amount_or_currency_mismatch_puts_the_transaction_in_error(self):
        for field, kwargs in (
            ("amount", {"amount": self.minor() - 100}),
            ("currency", {"currency": "XXX"}),
        ):
            tx = self.make_tx(reference=f"MISMATCH-{field}")
            answer = self.deliver(self.notification(tx, "done", event_id=f"evt_{field}", **kwargs))
            self.assertEqual(answer, (200, "mismatch"), field)
            self.assertEqual(tx.state, "error", field)
            tx._post_process()
            self.assertFalse(self.payments(tx), field)
            # A later notification with the right amount cannot confirm it any more.
            self.deliver(self.notification(tx, "done", event_id=f"evt_{field}_retry"))
            self.assertEqual(tx.state, "error", field)
        self.assertEqual(self.invoice.payment_state, "not_paid")

    def test_a_delivery_costs_at_most_30_queries(self):
        # A worker that already served a delivery (warm caches), as in production.
        warm = self.make_tx(reference=f"WARM-{self.gateway_code}")
        self.deliver(self.notification(warm, "done", event_id="evt_warm"))
        tx = self.make_tx()
        body = self.notification(tx, "done")
        headers = self.sign(body, self.secret())
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(30):
            self.assertEqual(self.deliver(body, headers)[0], 200)

    # -- refunds and saved payment methods ------------------------------------------------

    def test_refund(self):
        if self.gateway_class.refunds == "none":
            self.skipTest(f"{self.gateway_class.name} offers no refund API")  # pylint: disable=W8120
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = tx.provider_reference or "gw-payment-1"
        routes = self.refund_routes(tx)
        self.api.routes = dict.fromkeys(
            routes, requests.exceptions.ConnectTimeout("connect timed out")
        )
        with self.assertRaises(GatewayUnavailable):
            tx.action_refund(amount_to_refund=10)
        self.assertFalse(tx.child_transaction_ids, "a failed refund leaves no refund transaction")
        self.api.routes = routes
        tx.action_refund(amount_to_refund=10)
        refund = tx.child_transaction_ids
        self.assertEqual(len(refund), 1)
        self.assertIn(refund.state, ("pending", "done"))
        self.assertEqual(refund.amount, -10)

    def test_saved_payment_method_charge_retries_after_a_timeout(self):
        if not self.gateway_class.tokenization:
            self.skipTest(f"{self.gateway_class.name} offers no tokenization")  # pylint: disable=W8120
        token = self._create_token(provider_ref="tok_saved", invoicera_customer_ref="cus_1")
        tx = self.make_tx(
            token_id=token.id, operation="offline", reference=f"AUTO-{self.gateway_code}"
        )
        routes = self.charge_routes(tx)
        self.api.routes = dict.fromkeys(routes, requests.exceptions.ReadTimeout("read timed out"))
        tx._send_payment_request()
        self.assertEqual(tx.state, "pending")
        self.assertTrue(tx.invoicera_retry)
        first_call = self.api.calls[-1]
        self.api.routes = routes
        calls = len(self.api.calls)
        tx._post_process()  # the client's /payment/status/poll: never charges
        self.assertEqual((tx.state, len(self.api.calls)), ("pending", calls))
        self.assertFalse(tx.is_post_processed, "left to the cron")
        self.cron_post_process(tx)
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.invoicera_retry)
        header = self.gateway_class.idempotency_header
        if header:
            retried = self.api.calls[-1]
            self.assertEqual(first_call["headers"][header], retried["headers"][header])
        # The retry reached the payment: one payment, reconciled with the invoice.
        tx._post_process()
        self.assertEqual(len(self.payments(tx)), 1)

    def test_register_payment_with_a_saved_method_collected_later_pays_the_invoice(self):
        """Register Payment with the client's saved method, the gateway too slow
        to answer: Odoo cancels the payment of a transaction not done (as for any
        provider). Once the retried charge is collected, the invoice is paid."""
        if not self.gateway_class.tokenization:
            self.skipTest(f"{self.gateway_class.name} offers no tokenization")  # pylint: disable=W8120
        tx = self._register_payment_timed_out(self.invoice)
        payment = tx.payment_id
        self.assertEqual((payment.state, self.invoice.payment_state), ("canceled", "not_paid"))
        self._collect(tx)
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(payment.state, "canceled", "the cancelled payment stays as it was")

    def test_register_payment_of_less_marked_fully_paid_collected_later_pays_the_invoice(self):
        """Register Payment with the client's saved method for less than the invoice,
        marked as fully paid with a write-off: the charge is not done at once, so
        Odoo cancels the payment (its entry with the write-off goes). Once the
        charge is collected, its payment carries the write-off: the invoice is paid."""
        if not self.gateway_class.tokenization:
            self.skipTest(f"{self.gateway_class.name} offers no tokenization")  # pylint: disable=W8120
        write_off_account = self.company_data["default_account_expense"]
        residual = self.invoice.amount_residual
        tx = self._register_payment_timed_out(
            self.invoice,
            amount=residual - 5.0,
            payment_difference_handling="reconcile",
            writeoff_account_id=write_off_account.id,
            writeoff_label="Bank fees",
        )
        self.assertEqual(tx.amount, residual - 5.0)
        collected = self._collect(tx)
        self.assertEqual(
            self.invoice.amount_residual, 0.0, "marked as fully paid: nothing left to pay"
        )
        self.assertIn(self.invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(collected.amount, tx.amount, "the amount charged")
        # its entry: the amount charged and the write-off pay the invoice, no more
        lines = collected.move_id.line_ids
        write_off = lines.filtered(lambda line: line.account_id == write_off_account)
        self.assertEqual(
            [(line.name, line.amount_currency) for line in write_off], [("Bank fees", 5.0)]
        )
        self.assertEqual(sorted(lines.mapped("amount_currency")), [-residual, 5.0, residual - 5.0])

    def _register_payment_timed_out(self, invoices, **values):
        """Register Payment of ``invoices`` with the client's saved method (wizard
        ``values`` on top), the gateway too slow to answer: the payment Odoo
        cancelled, its transaction pending."""
        token = self._create_token(provider_ref="tok_saved", invoicera_customer_ref="cus_1")
        journal = self.provider.journal_id
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(
                {
                    "journal_id": journal.id,
                    "payment_method_line_id": journal.inbound_payment_method_line_ids.filtered(
                        lambda line: line.payment_provider_id == self.provider
                    ).id,
                    "payment_token_id": token.id,
                    **values,
                }
            )
        )
        slow = GatewayUnavailable("read timed out")
        with patch.object(self.gateway_class, "charge_token", side_effect=slow):
            payment = wizard._create_payments()
        tx = payment.payment_transaction_id
        self.assertEqual((payment.state, tx.state), ("canceled", "pending"))
        return tx

    def _collect(self, tx):
        """The retried charge of ``tx`` is collected: its payment is made."""
        self.paid_amount = tx.amount  # what the gateway's answers carry
        self.api.routes.update(self.charge_routes(tx))
        self.cron_post_process(tx)
        if tx.state == "pending":  # a debit the gateway confirms later
            self.deliver(self.notification(tx, "done", event_id="evt_collected"))
            tx._post_process()
        self.assertEqual(tx.state, "done")
        self.assertNotIn(tx.payment_id.state, ("draft", "canceled"), "a payment of its own")
        return tx.payment_id

    def _early_discount_term(self):
        """The payment term "2/10 net 30": 2% off within 10 days, taxes included
        in the discount."""
        return self.env["account.payment.term"].create(
            {
                "name": "2/10 net 30",
                "early_discount": True,
                "discount_percentage": 2,
                "discount_days": 10,
                "early_pay_discount_computation": "included",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 100, "nb_days": 30})
                ],
            }
        )

    def _discount_lines(self, payment):
        """The early payment discount lines of ``payment``'s entry, sorted:
        (amount, the taxes of a base line, the tax of a tax line)."""
        discount = payment.move_id.line_ids.filtered(lambda line: line.display_type == "epd")
        return sorted(
            (line.amount_currency, line.tax_ids.name or "", line.tax_line_id.name or "")
            for line in discount
        )

    def _invoices_with_early_discount(self, prices, **values):
        """Posted invoices of the client on "2/10 net 30" (2% within 10 days,
        taxes included in the discount), one line of each price with a tax of
        10% (``values`` on top of each invoice's)."""
        term = self._early_discount_term()
        tax = self.env["account.tax"].create(
            {"name": "Sales 10%", "amount": 10, "type_tax_use": "sale"}
        )
        invoices = self.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner.id,
                    "currency_id": self.currency.id,
                    "invoice_payment_term_id": term.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Consulting",
                                "quantity": 1,
                                "price_unit": price,
                                "tax_ids": [Command.set(tax.ids)],
                            }
                        )
                    ],
                    **values,
                }
                for price in prices
            ]
        )
        invoices.action_post()
        return invoices

    def test_register_payment_of_an_invoice_with_early_discount_collected_within_it(self):
        """The same, collected within the discount period: Odoo's payment takes
        the discount itself (the portal too, where installed); the one kept is
        not added: written off once, the invoice paid, no credit left."""
        if not self.gateway_class.tokenization:
            self.skipTest(f"{self.gateway_class.name} offers no tokenization")  # pylint: disable=W8120
        invoice = self._invoices_with_early_discount((1000,))
        tx = self._register_payment_timed_out(invoice)
        self.assertEqual(tx.amount, 1078.0, "1100 less the discount of 2%")
        collected = self._collect(tx)
        self.assertEqual(invoice.amount_residual, 0.0, "paid with its discount")
        discount = collected.move_id.line_ids.filtered(lambda line: line.display_type == "epd")
        self.assertEqual(sorted(discount.mapped("amount_currency")), [2.0, 20.0], "once")
        receivable = collected.move_id.line_ids.filtered(
            lambda line: line.account_id
            == invoice.line_ids.filtered(
                lambda term: term.display_type == "payment_term"
            ).account_id
        )
        self.assertEqual(sum(receivable.mapped("amount_currency")), -1100.0, "no credit left")

    def test_register_payment_of_an_invoice_with_early_discount_collected_after_it(self):
        """Register Payment of one invoice with the client's saved method, dated
        within its early payment discount: the amount is the discounted one. The
        charge not done at once, it is collected after the discount date, when
        Odoo grants the discount no more: its payment carries the discount the
        wizard granted, and the invoice is paid."""
        if not self.gateway_class.tokenization:
            self.skipTest(f"{self.gateway_class.name} offers no tokenization")  # pylint: disable=W8120
        today = datetime.date.today()
        invoice = self._invoices_with_early_discount(
            (1000,), invoice_date=today - datetime.timedelta(days=20)
        )
        tx = self._register_payment_timed_out(
            invoice, payment_date=today - datetime.timedelta(days=15)
        )
        self.assertEqual(tx.amount, 1078.0, "1100 less the discount of 2%")
        collected = self._collect(tx)
        self.assertEqual(invoice.amount_residual, 0.0, "paid with its discount")
        self.assertEqual(
            self._discount_lines(collected), [(2.0, "", "Sales 10%"), (20.0, "Sales 10%", "")]
        )

    def test_register_payment_of_invoices_with_early_discount_collected_later_pays_them(self):
        """Register Payment of two invoices in one payment with the client's saved
        method, within their early payment discount: the amount proposed is the
        discounted one. The charge is not done at once, Odoo cancels the payment
        (its entry with the discounts goes); neither Odoo nor the portal grants
        the discount of a payment of several invoices: collected later, its
        payment carries the discounts, once, and both invoices are paid."""
        if not self.gateway_class.tokenization:
            self.skipTest(f"{self.gateway_class.name} offers no tokenization")  # pylint: disable=W8120
        invoices = self._invoices_with_early_discount((1000, 500))
        self.assertEqual(invoices.mapped("amount_residual"), [1100.0, 550.0])
        tx = self._register_payment_timed_out(invoices, group_payment=True)
        self.assertEqual(tx.amount, 1617.0, "1650 less the discounts of 2%: 22 and 11")
        collected = self._collect(tx)
        self.assertEqual(
            invoices.mapped("amount_residual"), [0.0, 0.0], "both paid with their discounts"
        )
        self.assertEqual(collected.amount, tx.amount, "the amount charged")
        # the discounts, once: their base (with its tax) and the tax they take off
        self.assertEqual(
            self._discount_lines(collected), [(3.0, "", "Sales 10%"), (30.0, "Sales 10%", "")]
        )

    def test_register_payment_write_off_left_out_when_the_invoice_changed_meanwhile(self):
        """Register Payment with the client's saved method for 5 less than the
        invoice, marked as fully paid, the charge not done at once; meanwhile a
        credit note of 200 is reconciled with the invoice. Collected, the payment
        pays the invoice and the rest is the client's credit: the 5 written off
        then would have been a gift on top of that credit, so it is not applied
        (said on the invoice)."""
        if not self.gateway_class.tokenization:
            self.skipTest(f"{self.gateway_class.name} offers no tokenization")  # pylint: disable=W8120
        write_off_account = self.company_data["default_account_expense"]
        tx = self._register_payment_timed_out(
            self.invoice,
            amount=self.invoice.amount_residual - 5.0,
            payment_difference_handling="reconcile",
            writeoff_account_id=write_off_account.id,
            writeoff_label="Bank fees",
        )
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.partner.id,
                "currency_id": self.currency.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Consulting", "quantity": 1, "price_unit": 200, "tax_ids": False}
                    )
                ],
            }
        )
        credit_note.action_post()
        (credit_note + self.invoice).line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        ).reconcile()
        residual = self.invoice.amount_residual
        self.assertEqual(residual, self.amount - 200)
        collected = self._collect(tx)
        self.assertEqual(self.invoice.amount_residual, 0.0)
        receivable = collected.move_id.line_ids.filtered(
            lambda line: line.account_id == collected.destination_account_id
        )
        self.assertEqual(
            -sum(receivable.mapped("amount_residual_currency")),
            tx.amount - residual,
            "what was charged over what the invoice owed is the client's credit, no more",
        )
        self.assertFalse(
            collected.move_id.line_ids.filtered(lambda line: line.account_id == write_off_account),
            "no write-off",
        )
        self.assertTrue(
            self.invoice.message_ids.filtered(
                lambda message: collected.name in message.body and "was not applied" in message.body
            ),
            "the invoice says the write-off was not applied",
        )

    def test_bad_token_request_is_refused_clearly(self):
        tx = self.make_tx(operation="offline")
        if not self.gateway_class.tokenization:
            return
        with self.assertRaises(ValidationError):
            tx._send_payment_request()
