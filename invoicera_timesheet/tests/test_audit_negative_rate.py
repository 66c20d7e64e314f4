from freezegun import freeze_time

from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAuditNegativeRate(InvoiceraTimesheetCase):
    def test_a_negative_rate_is_named_as_such(self):
        """A rate of -50 an hour was flagged "Zero rate.", then refused by the
        run as "a zero or negative rate": the audit names what is wrong."""
        item = self.item_of(self.log_time(self.alice, 1, name="Build the checkout page"))
        item.write({"price_unit": -50, "adjustment_reason": "Refund of an overcharge"})
        self.Item._audit(item)
        self.assertEqual(item.audit_warning, "Negative rate.")
