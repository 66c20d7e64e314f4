from datetime import timedelta

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPromiseResubmit(InvoiceraPortalCommon, HttpCase):
    """The promise form sent twice (a double click, the page sent again) notes one
    promise: staff do not see it replaced by itself, nor told twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.late = cls.make_invoices(cls.client_a, [(120, -10)])

    def promise(self, day):
        response = self.url_open(
            "/my/billing/promise",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "invoice_id": self.late.id,
                "promised_date": day.isoformat(),
                "note": "Payroll on Friday",
            },
        )
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_the_same_promise_sent_twice_is_noted_once(self):
        self.authenticate(self.user_a1.login, self.user_a1.login)
        day = self.today + timedelta(days=7)
        self.assertIn("we noted your promise", self.promise(day))
        self.assertIn("we noted your promise", self.promise(day))
        promises = self.late.invoicera_promise_ids
        self.assertEqual(
            promises.mapped("state"), ["open"], "one promise, not one replaced by the same"
        )
        notes = self.late.message_ids.filtered(lambda m: "promised to pay by" in (m.body or ""))
        self.assertEqual(len(notes), 1, "the invoice says it once")
        # promising another date still moves it
        self.promise(day + timedelta(days=2))
        self.assertEqual(
            sorted(self.late.invoicera_promise_ids.mapped("state")), ["open", "replaced"]
        )
        self.assertEqual(self.late.invoicera_promised_date, day + timedelta(days=2))
