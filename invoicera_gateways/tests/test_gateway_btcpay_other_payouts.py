"""BTCPay Server: the payout of a pull payment Odoo did not create (a refund issued
from BTCPay's own UI, a payout of another application of the store) is
acknowledged, not refused for days of retries: BTCPay's pull payment
(``PullPaymentData``: id, name, description, currency, amount, ..., see
https://docs.btcpayserver.org/API/Greenfield/v1/#tag/Pull-payments-(Public)) names
no invoice, so it cannot be tied to a payment of ours either."""

from odoo.tests import tagged

from . import test_gateway_btcpay


@tagged("post_install", "-at_install")
class TestBTCPayOtherPayouts(test_gateway_btcpay.TestBTCPay):
    # Only the tests below: the inherited ones run in test_gateway_btcpay.py.
    locals().update(
        dict.fromkeys(
            (n for n in dir(test_gateway_btcpay.TestBTCPay) if n.startswith("test_")), None
        )
    )

    def test_payout_of_a_pull_payment_odoo_did_not_create_is_acknowledged(self):
        tx = self.make_tx()
        tx._set_done()
        tx.provider_reference = test_gateway_btcpay.INVOICE
        pull_payment = dict(
            self.pull_payment(tx), id="8fQzUiUoBgS6cMmgVWHw1d", name="Refund from the UI"
        )
        body = self.payout_event(
            pull_payment, event_id="evt_ui_payout", payout_id="Cq3xV1hWLQZZtA8Wr3Z9qK"
        )
        self.assertEqual(self.deliver(body), (200, "ignored"), "retrying it would never help")
        self.assertEqual(tx.state, "done")
        self.assertFalse(tx.child_transaction_ids)
        self.assertFalse(self.problems())
