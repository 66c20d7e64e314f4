"""Cashfree: a client back from the checkout without having tried to pay can pay again."""

from urllib.parse import urlencode

import odoo.http
from odoo.tests import HttpCase, tagged

from odoo.addons.payment.controllers.post_processing import PaymentPostProcessing

from . import test_gateway_cashfree


@tagged("post_install", "-at_install")
class TestGatewayCashfreeUnpaidReturn(test_gateway_cashfree.TestCashfree, HttpCase):
    # Only the tests below: the inherited ones run in test_gateway_cashfree.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_cashfree.TestCashfree) if n.startswith("test_")), None
        )
    )

    def return_as_the_payer(self, tx):
        """The paying client (the session monitoring ``tx``) comes back from the checkout."""
        session = self.authenticate(None, None)
        session[PaymentPostProcessing.MONITORED_TX_ID_KEY] = tx.id
        odoo.http.root.session_store.save(session)
        query = urlencode({"reference": tx.reference})
        return self.url_open(f"/payment/invoicera/cashfree/return/{self.provider.id}?{query}")

    def test_client_back_without_any_attempt_can_pay_again(self):
        """The client closes Cashfree's checkout before trying any payment method:
        the order has no payment. The transaction stays a draft, so that the invoice
        offers to pay it again; pending, it was offered no more, and no webhook would
        ever end it (Cashfree sends one per payment attempt)."""
        tx = self.make_tx()
        # v2023-08-01 "Get Payments for an Order" of an order nobody tried to pay
        self.api.routes[("GET", r"/pg/orders/[^/]+/payments$")] = (200, [])
        response = self.return_as_the_payer(tx)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.api.last("/payments$"), "Cashfree was asked")
        tx.invalidate_recordset()
        self.assertEqual(tx.state, "draft")
