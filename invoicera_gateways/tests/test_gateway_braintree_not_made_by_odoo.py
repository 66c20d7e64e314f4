"""Braintree: notifications about a transaction or refund Odoo did not make.

Braintree's refund_failed webhook (braintree_python, webhook_testing_gateway.py)
carries the refund transaction: its id, amount, card, status and the refunded
transaction, but no order id unless the refund was given one. Odoo gives every
refund it asks for its refund transaction's reference as ``orderId``, and keeps
the refund's id: a failed refund named by neither (e.g. one made in the Braintree
Control Panel) is nothing of Odoo's, now or later. It is acknowledged and listed
as ignored with the reason, not answered 409, which Braintree would retry for days;
so is a settlement of a transaction without an order id (e.g. a sale made in the
Control Panel's virtual terminal).
"""

import base64
from urllib.parse import urlencode

from odoo.tests import tagged

from . import test_gateway_braintree
from .test_gateway_braintree import NOTIFICATION, TRANSACTION_SETTLED

# webhook_testing_gateway's refund_failed subject, for a refund with the given id
REFUND_FAILED = (
    "<transaction><id>{id}</id><amount>100</amount>"
    "<credit-card><number>1234560000001234</number><cvv>123</cvv></credit-card>"
    "<status>processor_declined</status>"
    "<refunded-transaction-fk>1</refunded-transaction-fk></transaction>"
)


@tagged("post_install", "-at_install")
class TestBraintreeNotMadeByOdoo(test_gateway_braintree.TestBraintree):
    # Only the tests below: the inherited ones run in test_gateway_braintree.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_braintree.TestBraintree) if n.startswith("test_")),
            None,
        )
    )

    def refund_failed(self, refund_id):
        xml = NOTIFICATION.format(
            timestamp="2024-05-07T00:00:00Z",
            kind="refund_failed",
            subject=REFUND_FAILED.format(id=refund_id),
        )
        return urlencode({"bt_payload": base64.encodebytes(xml.encode()).decode()}).encode()

    def test_failed_refund_odoo_did_not_ask_for_is_acknowledged_and_listed(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = test_gateway_braintree.CHARGED["id"]
        body = self.refund_failed("dashbrdrf")
        self.assertEqual(
            self.deliver(body), (200, "ignored"), "Braintree would send it again for days"
        )
        event = self.events()
        self.assertEqual(len(event), 1, "listed in Gateway Notifications")
        self.assertEqual(event.state, "ignored")
        self.assertIn("dashbrdrf", event.message, "which refund, for staff looking it up")
        self.assertFalse(self.problems())
        self.assertEqual(tx.state, "done", "the payment is untouched")
        self.assertFalse(tx.child_transaction_ids)
        self.assertEqual(self.deliver(body), (200, "duplicate"))

    def test_settlement_of_a_sale_odoo_did_not_make_is_acknowledged_and_listed(self):
        subject = TRANSACTION_SETTLED.format(
            id="vtermsale", status="settled", currency="USD", amount="50.00", order_id=""
        )
        xml = NOTIFICATION.format(
            timestamp="2024-05-07T00:00:00Z", kind="transaction_settled", subject=subject
        )
        body = urlencode({"bt_payload": base64.encodebytes(xml.encode()).decode()}).encode()
        self.assertEqual(self.deliver(body), (200, "ignored"))
        event = self.events()
        self.assertEqual(event.state, "ignored")
        self.assertIn("vtermsale", event.message)
        self.assertFalse(self.problems())

    def test_failed_refund_of_odoo_with_its_order_id_is_still_awaited(self):
        # Odoo's refunds carry their reference as order id: one not committed yet is
        # sent again, as before.
        xml = NOTIFICATION.format(
            timestamp="2024-05-07T00:00:00Z",
            kind="refund_failed",
            subject=REFUND_FAILED.format(id="notyetrf").replace(
                "<status>", "<order-id>R-INV-NOT-COMMITTED</order-id><status>"
            ),
        )
        body = urlencode({"bt_payload": base64.encodebytes(xml.encode()).decode()}).encode()
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            self.assertEqual(self.deliver(body), (409, "unknown transaction"))
        self.assertFalse(self.events())
