"""The realization report of billed work paid by a saved payment method whose
charge is collected after the early payment discount period.

Cross-addon: the invoices bill timesheets (invoicera_timesheet) and are paid
through one of our gateways (invoicera_gateways), which do not depend on each
other.
"""

from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.invoicera_gateways.tests import test_gateway_square


@tagged("post_install", "-at_install")
class TestRealizationLateDiscount(test_gateway_square.TestSquare):
    """Square (a gateway that charges saved cards, in dollars, the company's
    currency) paying invoices of billed time on "2/10 net 30"."""

    # Only the tests below: the inherited ones run in test_gateway_square.py. Its
    # methods only: outside an addon, Odoo does not set the class's test_tags and
    # test_module again.
    locals().update(
        dict.fromkeys(
            (
                n
                for n in dir(test_gateway_square.TestSquare)
                if n.startswith("test_") and callable(getattr(test_gateway_square.TestSquare, n))
            ),
            None,
        )
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # the accountant bills the work too (rates, the realization report)
        cls.env.user.groups_id += cls.env.ref("invoicera_billing.group_billing_user")
        cls.project = cls.env["project.project"].create(
            {
                "name": "Website",
                "partner_id": cls.partner.id,
                "allow_billable": True,
                "allow_timesheets": True,
            }
        )
        cls.alice = cls.env["hr.employee"].create(
            {"name": "Alice Dev", "invoicera_billing_rate": 90}
        )

    def billed_invoice(self, hours, day):
        """An invoice of ``hours`` worked by Alice on ``day`` (at 90 an hour), dated
        31 March, on "2/10 net 30" (2% off until 10 April), without taxes."""
        self.env["account.analytic.line"].create(
            {
                "project_id": self.project.id,
                "employee_id": self.alice.id,
                "unit_amount": hours,
                "date": day,
                "name": "Build",
            }
        )
        Item = self.env["invoicera.billable.item"]
        items = Item.search(
            Item._billable_domain(self.env.company, date(2026, 3, 31), self.partner)
        )
        invoice = items._invoice(self.env.company, date(2026, 3, 31))
        invoice.invoice_payment_term_id = self._early_discount_term()
        invoice.invoice_line_ids.tax_ids = False
        invoice.action_post()
        self.assertEqual(invoice.currency_id, self.env.company.currency_id)
        self.assertEqual(invoice.amount_total, hours * 90)
        return invoice

    def realization(self):
        """The client's totals in the realization report, read anew as a new page."""
        Report = self.env["invoicera.realization.report"]
        Report.invalidate_model()
        rows = Report.search([("partner_id", "=", self.partner.id)])
        return {
            field: round(sum(rows.mapped(field)), 2)
            for field in ("billed_value", "collected_value")
        }

    def test_discount_of_a_group_payment_collected_after_the_period_is_not_collected(self):
        """Two invoices of 900 and 450 on "2/10 net 30" paid in one Register
        Payment with the client's saved card on 9 April, within the period: 2%
        off, 1323 charged. The gateway times out; the charge is collected on 12
        April, past the period, by a payment of that day carrying the discounts.
        Paid in full, 1323 of the 1350 billed is collected; the report showed
        1350, the discounts counted as collected since the payment is dated after
        the period."""
        invoices = self.billed_invoice(10, "2026-03-10") + self.billed_invoice(5, "2026-03-20")
        with freeze_time("2026-04-09 10:00:00"):
            tx = self._register_payment_timed_out(
                invoices, payment_date=date(2026, 4, 9), group_payment=True
            )
        self.assertEqual(tx.amount, 1323.0, "1350 less 2%")
        with freeze_time("2026-04-12 10:00:00"):
            collected = self._collect(tx)
        self.assertEqual(collected.date, date(2026, 4, 12), "dated the day it is collected")
        self.assertEqual(invoices.mapped("amount_residual"), [0.0, 0.0])
        self.assertEqual(
            self.realization(),
            {"billed_value": 1350, "collected_value": tx.amount},
            "what was charged is collected, not the discounts",
        )
