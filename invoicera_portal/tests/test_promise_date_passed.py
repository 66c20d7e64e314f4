from datetime import timedelta

from freezegun import freeze_time
from lxml import html

from odoo import http
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestPromiseDatePassed(InvoiceraPortalCommon, HttpCase):
    """The day after the date a client promised, before the nightly job marks the
    promise broken, the dashboard no longer says the invoice is promised by a
    date gone, and the client may promise again."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.late = cls.make_invoices(cls.client_a, [(120, -10)])

    def row(self):
        page = html.fromstring(self.url_open("/my/billing").text)
        (row,) = page.xpath(
            f"//table[hasclass('o_invoicera_open_invoices')]//tr[@data-invoice='{self.late.name}']"
        )
        return row

    def test_a_promise_whose_date_passed_is_not_shown(self):
        yesterday = self.today - timedelta(days=1)
        with freeze_time(yesterday):
            # promised yesterday to pay by yesterday; the nightly job has not run since
            promise = self.env["invoicera.payment.promise"].create(
                {
                    "invoice_id": self.late.id,
                    "promised_date": yesterday,
                    "promised_by_id": self.contact_a1.id,
                }
            )
            self.assertEqual(promise.state, "open")
            self.assertEqual(self.late.invoicera_promised_date, yesterday)
        self.authenticate(self.user_a1.login, self.user_a1.login)
        row = self.row()
        self.assertNotIn("Promised by", row.text_content(), "a promise gone still shown")
        self.assertTrue(
            row.xpath(".//form[hasclass('o_invoicera_promise')]"), "no new promise offered"
        )
        response = self.url_open(
            "/my/billing/promise",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "invoice_id": self.late.id,
                "promised_date": (self.today + timedelta(days=5)).isoformat(),
            },
        )
        self.assertIn("we noted your promise", response.text)
        self.assertEqual(promise.state, "broken")
        self.assertEqual(self.late.invoicera_promised_date, self.today + timedelta(days=5))
        self.assertIn("Promised by", self.row().text_content())
