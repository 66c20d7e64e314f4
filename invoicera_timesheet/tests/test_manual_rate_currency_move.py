from .common import InvoiceraTimesheetCase


class TestManualRateCurrencyMove(InvoiceraTimesheetCase):
    """A rate edited by hand follows its item to a client billed in another currency."""

    def test_manual_rate_converted_when_moved_to_another_currency(self):
        carl = self.env["hr.employee"].create({"name": "Carl Consultant"})
        line = self.log_time(carl, 2)
        item = self.item_of(line)
        self.assertEqual(item.currency_id, self.usd)
        item.with_user(self.billing_user).write(
            {"price_unit": 80, "adjustment_reason": "Senior work"}
        )
        line.project_id = self.project_eur
        self.assertEqual(item.currency_id, self.eur)
        # 80 USD on 10 March 2026, when 1 USD is 0.5 EUR: 40 EUR, not 80 EUR
        self.assertEqual(
            item.price_unit,
            40.0,
            "The hand-set rate of 80 USD must be billed as 40 EUR, not as 80 EUR",
        )
        self.assertEqual(item.amount, 80.0)
        self.assertTrue(item.price_manual, "The rate stays the one set by hand")

    def test_manual_rate_kept_when_moved_to_a_client_in_the_same_currency(self):
        carl = self.env["hr.employee"].create({"name": "Carl Consultant"})
        other = self.project.copy({"name": "Intranet"})
        line = self.log_time(carl, 2)
        item = self.item_of(line)
        item.with_user(self.billing_user).write(
            {"price_unit": 80, "adjustment_reason": "Senior work"}
        )
        line.project_id = other
        self.assertEqual((item.currency_id, item.price_unit), (self.usd, 80.0))
