from datetime import timedelta

from freezegun import freeze_time

from odoo import http
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged
from odoo.tools import format_date

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPromiseBrokenAndReversed(InvoiceraPortalCommon, HttpCase):
    """Promises to pay: kept when paid by their date, broken when not, cancelled
    with their invoice; what the invoice's chatter says."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.late, cls.on_time = cls.make_invoices(cls.client_a, [(100, -40), (200, -20)])
        cls.Promise = cls.env["invoicera.payment.promise"]

    def promise(self, invoice, days):
        """Contact A1 promises from the portal to pay ``invoice`` in ``days`` days."""
        self.authenticate(self.user_a1.login, self.user_a1.login)
        response = self.url_open(
            "/my/billing/promise",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "invoice_id": invoice.id,
                "promised_date": (self.today + timedelta(days=days)).isoformat(),
            },
        )
        self.assertIn("we noted your promise", response.text)
        return self.Promise.search([("invoice_id", "=", invoice.id)])

    def pay(self, invoice, day):
        """Staff record the client's payment of ``invoice``, received on ``day``."""
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"payment_date": day})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_a_promise_paid_after_its_date_stays_broken(self):
        """The client promised to pay by the 5th and paid on the 10th: the promise
        was broken (the nightly update said so), and it stayed broken once paid,
        instead of turning "Kept" in the staff's list of promises."""
        late = self.promise(self.late, 5)
        on_time = self.promise(self.on_time, 5)
        paid_on = self.today + timedelta(days=3)
        with freeze_time(paid_on):
            self.pay(self.on_time, paid_on)
        self.assertEqual(on_time.state, "kept", "paid before its date")
        paid_on = self.today + timedelta(days=10)
        with freeze_time(paid_on):
            self.Promise._cron_update_state()
            self.assertEqual(late.state, "broken")
            self.pay(self.late, paid_on)
            self.assertEqual(late.state, "broken", "paid 5 days after the date promised")
            self.assertEqual(on_time.state, "kept")
            broken = self.Promise.search([("partner_id", "=", self.client_a.id)]).filtered(
                lambda promise: promise.state == "broken"
            )
            self.assertEqual(broken, late)

    def test_a_promise_on_a_reversed_invoice_is_cancelled_not_broken(self):
        """The client promised to pay by the 5th; staff then issued a credit note
        reversing the whole invoice: nothing is left to pay, so the promise is
        cancelled (not broken once its date passed) and pauses nothing."""
        promise = self.promise(self.late, 5)
        self.assertEqual(promise.state, "open")
        self.late._reverse_moves(cancel=True)
        self.assertEqual(self.late.payment_state, "reversed")
        self.assertEqual(promise.state, "cancelled")
        self.assertFalse(self.late.invoicera_promised_date)
        with freeze_time(self.today + timedelta(days=10)):
            self.Promise._cron_update_state()
            self.assertEqual(promise.state, "cancelled")
            self.assertFalse(
                self.Promise.search(
                    [("partner_id", "=", self.client_a.id), ("state", "in", ("open", "broken"))]
                )
            )

    def test_the_chatter_says_the_promised_date_as_a_reader_writes_it(self):
        """The note posted on the invoice says the date as Odoo shows dates
        (12/06/2026 in English), not in its ISO form (2026-12-06)."""
        self.promise(self.late, 5)
        day = self.today + timedelta(days=5)
        message = self.late.message_ids.filtered(lambda m: "promised to pay by" in m.body)
        self.assertEqual(len(message), 1)
        self.assertIn(f"Ann Alpha promised to pay by {format_date(self.env, day)}.", message.body)
        self.assertNotIn(day.isoformat(), message.body)

    def test_a_promise_on_an_instalment_is_kept_by_paying_it(self):
        """30% of an invoice was due 10 days ago, 70% falls due in 50 days. The
        client promises to pay in 7 days and pays the 300 due on day 3: the
        promise is kept (it was broken, the invoice not being paid in full, which
        the promise could not ask). When the second instalment falls due, the
        client may promise again (it was refused for good, the window counted
        from the first promise)."""
        invoice = self.make_instalment_invoice(self.client_a, 1000, (-10, 50))
        promise = self.promise(invoice, 7)
        paid_on = self.today + timedelta(days=3)
        with freeze_time(paid_on):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"payment_date": paid_on, "amount": 300})._create_payments()
        self.assertEqual(invoice.payment_state, "partial")
        with freeze_time(self.today + timedelta(days=8)):
            self.Promise._cron_update_state()
            self.assertEqual(promise.state, "kept")
        with freeze_time(self.today + timedelta(days=52)):
            self.Promise._check_promise(invoice, self.today + timedelta(days=55))
            second = self.Promise.create(
                {
                    "invoice_id": invoice.id,
                    "promised_date": self.today + timedelta(days=55),
                    "promised_by_id": self.contact_a1.id,
                }
            )
            self.Promise._cron_update_state()
            self.assertEqual(second.due_date, self.today + timedelta(days=50))
            self.assertEqual(
                (promise.state, second.state), ("kept", "open"), "kept: not replaced by it"
            )

    def test_a_promise_again_once_another_instalment_falls_due_replaces_it(self):
        """The first instalment promised and still unpaid, the second falls due:
        promising again (for both) replaces the first promise, as on an invoice
        of one instalment; it is not left to break on its own date."""
        invoice = self.make_instalment_invoice(self.client_a, 1000, (-10, 3))
        first = self.promise(invoice, 7)
        with freeze_time(self.today + timedelta(days=4)):
            second = self.Promise.create(
                {
                    "invoice_id": invoice.id,
                    "promised_date": self.today + timedelta(days=8),
                    "promised_by_id": self.contact_a1.id,
                }
            )
            self.assertEqual((first.state, second.state), ("replaced", "open"))

    def test_an_unpaid_instalment_keeps_its_promise_window(self):
        """The first instalment promised and not paid, the second falling due does
        not open a new window: the client cannot push the first one back by
        promising again (reminders paused for good)."""
        invoice = self.make_instalment_invoice(self.client_a, 1000, (-10, 5))
        self.promise(invoice, 7)
        with (
            freeze_time(self.today + timedelta(days=6)),
            self.assertRaisesRegex(ValidationError, "within 30 days from your first promise"),
        ):
            self.Promise._check_promise(invoice, self.today + timedelta(days=35))
