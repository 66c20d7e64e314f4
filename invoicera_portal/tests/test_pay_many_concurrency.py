"""Two requests paying the same invoices at once (a double submit, a second tab).

Needs committed data seen by two transactions: created in a cursor of its
own, committed, deleted at the end.
"""

import time

import psycopg2

from odoo import api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.invoicera_billing.tests.common import committed_env


@tagged("post_install", "-at_install")
class TestPayManyConcurrency(BaseCase):
    def setUp(self):
        super().setUp()
        with committed_env() as env:
            client = env["res.partner"].create({"name": f"Racing client {time.time_ns()}"})
            invoice = env["account.move"].create(
                {"move_type": "out_invoice", "partner_id": client.id}
            )
            self.client_id, self.invoice_id = client.id, invoice.id
            self.user_id = env.uid
        self.addCleanup(self.cleanup)

    def cleanup(self):
        with committed_env() as env:
            invoice = env["account.move"].browse(self.invoice_id)
            invoice.transaction_ids.unlink()
            invoice.unlink()
            env["res.partner"].browse(self.client_id).unlink()

    def pay_in_first(self, first_cr, first):
        """The first request: holds the invoice, a payment under way, committed."""
        invoice = first["account.move"].browse(self.invoice_id)
        invoice._invoicera_lock_for_payment()
        provider = first.ref("payment.payment_provider_demo")
        first["payment.transaction"].create(
            {
                "provider_id": provider.id,
                "payment_method_id": provider.payment_method_ids[:1].id,
                "amount": 100,
                "currency_id": invoice.currency_id.id,
                "partner_id": self.client_id,
                "reference": f"RACE-{time.time_ns()}",
                "invoice_ids": [(6, 0, invoice.ids)],
                "state": "pending",
            }
        )
        first_cr.commit()

    def test_autopay_sees_a_payment_made_in_the_portal_meanwhile(self):
        """The autopay job began before the client's payment in the portal was
        committed: before, it charged the card too; now it fails to serialize
        (queue_job runs it again) before charging anything."""
        registry = Registry(get_db_name())
        with registry.cursor() as first_cr, registry.cursor() as job_cr:
            first = api.Environment(first_cr, self.user_id, {})
            job = api.Environment(job_cr, self.user_id, {})
            invoice = job["account.move"].browse(self.invoice_id)
            self.assertFalse(invoice.transaction_ids)  # the job's snapshot is taken
            self.pay_in_first(first_cr, first)
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                invoice._invoicera_autopay()
            job_cr.rollback()

    def test_a_second_request_sees_the_first_payment(self):
        """The second request began before the first one committed its
        payment (a saved card charged: pending). Before, it did not see that
        payment and charged the card again; now holding the invoice fails to
        serialize (Odoo retries the request), and the retry sees the payment
        under way."""
        registry = Registry(get_db_name())
        with registry.cursor() as first_cr, registry.cursor() as second_cr:
            first = api.Environment(first_cr, self.user_id, {})
            second = api.Environment(second_cr, self.user_id, {})
            # the second request has read the invoice: its snapshot is taken
            invoice_b = second["account.move"].browse(self.invoice_id)
            self.assertFalse(invoice_b._invoicera_being_paid())
            self.pay_in_first(first_cr, first)
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                invoice_b._invoicera_lock_for_payment()
            # Odoo's retry: a new transaction
            second_cr.rollback()
            second.invalidate_all()
            invoice_b._invoicera_lock_for_payment()
            self.assertEqual(invoice_b._invoicera_being_paid(), invoice_b)
