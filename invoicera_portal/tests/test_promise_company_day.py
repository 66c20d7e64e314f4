from datetime import datetime, time, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPromiseCompanyDay(InvoiceraPortalCommon, TransactionCase):
    """Promises on a cancelled invoice; promise dates judged in the company's time
    zone, whoever computes them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.late = cls.make_invoices(cls.client_a, [(100, -40)])
        cls.Promise = cls.env["invoicera.payment.promise"]

    def promise(self, invoice, day):
        return self.Promise.create(
            {"invoice_id": invoice.id, "promised_date": day, "promised_by_id": self.contact_a1.id}
        )

    def test_a_promise_on_an_invoice_reset_and_cancelled_is_cancelled(self):
        """Staff reset the promised invoice to draft and cancel it (no credit note):
        nothing is left to pay, the promise is cancelled (as for a reversed
        invoice), not left open, then broken once its date passes."""
        promise = self.promise(self.late, self.today + timedelta(days=5))
        self.assertEqual(promise.state, "open")
        self.late.button_draft()
        self.late.button_cancel()
        self.assertEqual(self.late.state, "cancel")
        self.assertEqual(promise.state, "cancelled")
        self.assertFalse(self.late.invoicera_promised_date)
        with freeze_time(self.today + timedelta(days=10)):
            self.Promise._cron_update_state()
            self.assertEqual(promise.state, "cancelled")

    def test_a_promise_is_judged_in_the_companys_time_zone(self):
        """The company works in Auckland (UTC+13 in December, +12 else). The client
        promised to pay by day D. At 00:30 on D+1 in Auckland (still D in UTC), the
        nightly job (run as OdooBot, in UTC) marks the promise broken, as does a
        user in Auckland: both judge by the company's day, not their own."""
        self.company.partner_id.tz = "Pacific/Auckland"
        day = self.today + timedelta(days=5)
        promise = self.promise(self.late, day)
        # 00:30 on D+1 in Auckland is 11:30 or 12:30 on D in UTC
        moment = datetime.combine(day, time(11, 45))
        with freeze_time(moment):
            # before the nightly job: the reminders wait no longer either
            self.assertFalse(self.late.with_context(tz="UTC")._invoicera_reminders_paused())
            self.Promise.with_context(tz="UTC")._cron_update_state()
            self.assertEqual(promise.state, "broken", "past its date in the company's day")
            promise.with_context(tz="America/Los_Angeles")._compute_state()
            self.assertEqual(promise.state, "broken", "whoever computes it")

    def test_a_new_promise_replaces_by_the_companys_day(self):
        """The company works in Honolulu (UTC-10). The client promised to pay by
        D, then promised again at 05:00 UTC on D+1: 19:00 on D in Honolulu, while
        the first promise was still open. It replaced the first, for every user
        who computes it (not "broken" for a user in UTC or Auckland, for whom the
        second promise dates from D+1)."""
        self.company.partner_id.tz = "Pacific/Honolulu"
        day = self.today + timedelta(days=5)
        first = self.promise(self.late, day)
        second = self.promise(self.late, day + timedelta(days=8))
        # made at 05:00 UTC on D+1 (the ORM stamps the transaction's time)
        self.env.cr.execute(
            "UPDATE invoicera_payment_promise SET create_date = %s WHERE id = %s",
            [datetime.combine(day + timedelta(days=1), time(5, 0)), second.id],
        )
        self.Promise.invalidate_model(["create_date"])
        for tz in ("UTC", "Pacific/Auckland", "Pacific/Honolulu"):
            first.invalidate_recordset(["state"])
            first.with_context(tz=tz)._compute_state()
            self.assertEqual(
                first.state, "replaced", f"promised again on D in Honolulu, computed in {tz}"
            )
        self.assertEqual(second.state, "open")

    def test_promising_a_date_already_past_in_the_companys_day_is_refused(self):
        """At 00:30 on D+1 in the company's Auckland, a client in UTC (still D)
        cannot promise to pay by D: that day is over for the company, the
        promise would be broken as soon as made."""
        self.company.partner_id.tz = "Pacific/Auckland"
        day = self.today + timedelta(days=5)
        with freeze_time(datetime.combine(day, time(11, 45))):
            with self.assertRaisesRegex(ValidationError, "cannot be in the past"):
                self.Promise.with_context(tz="UTC")._check_promise(self.late, day)
            self.Promise.with_context(tz="UTC")._check_promise(self.late, day + timedelta(days=1))
