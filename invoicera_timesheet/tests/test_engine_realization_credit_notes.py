from datetime import date

from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestEngineRealizationCreditNotes(InvoiceraTimesheetCase):
    """Realization: a credit note takes its amount off what its invoice billed,
    also when the invoice was paid already (Odoo cannot match the credit note
    with it: it is refunded, or settles another invoice)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.log_time(cls.alice, 10, name="Build")
        cls.app = cls.client_project("Mobile App", cls.company)
        cls.log_time(cls.alice, 5, project=cls.app, name="Screens")
        cls.client.invoicera_invoice_per_project = True

    def invoices(self):
        """The client's posted invoices of March: the website's, the app's."""
        invoices = self.invoice(self.client, post=True)
        website = invoices.filtered(lambda m: m.invoice_origin == "Website")
        app = invoices - website
        self.assertEqual((website.amount_total, app.amount_total), (900, 450))
        return website, app

    def credit_three_hours(self, invoice):
        refund = invoice._reverse_moves([{"invoice_date": date(2026, 4, 12)}])
        refund.invoice_line_ids.quantity = 3  # 3 h of 90 credited: 270
        refund.action_post()
        self.assertEqual(refund.amount_total, 270)
        return refund

    def by_project(self):
        Report = self.env["invoicera.realization.report"]
        Report.invalidate_model()
        return {
            project.name: (round(billed, 2), round(collected, 2))
            for project, billed, collected in Report._read_group(
                [("partner_id", "=", self.client.id)],
                ["project_id"],
                ["billed_value:sum", "collected_value:sum"],
            )
        }

    def test_a_credit_note_of_a_paid_invoice_is_written_down(self):
        invoice, _app = self.invoices()
        self.pay(invoice)
        self.assertFalse(invoice.amount_residual)
        refund = self.credit_three_hours(invoice)
        self.assertEqual(refund.amount_residual, 270, "the client's credit: not matched")
        items = self.Item.search([("invoice_id", "=", invoice.id)])
        self.assertEqual(set(items.mapped("state")), {"invoiced"}, "partly credited: billed")
        self.assertEqual(
            self.by_project()["Website"],
            (630, 630),
            "a credit note of a paid invoice takes its 270 off what the work billed "
            "and collected (billed, collected)",
        )

    def test_a_credit_note_settling_the_next_invoice_is_written_down_on_its_own(self):
        website, app = self.invoices()
        self.pay(website)
        refund = self.credit_three_hours(website)
        # the client's credit settles the app's invoice, which it pays the rest of
        lines = (refund | app).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        lines.reconcile()
        self.assertEqual(app.amount_residual, 180)
        self.pay(app)
        self.assertEqual(
            self.by_project(),
            {"Website": (630, 630), "Mobile App": (450, 450)},
            "the credit note is written down on the work it credits (billed, collected)",
        )

    def test_a_credit_note_withdrawn_by_its_reversal_settles_nothing(self):
        """A paid invoice credited 270, the credit note then withdrawn (Reverse
        of the credit note, posted, which Odoo matches with it): the client
        paid all 900 and owes nothing, all of it billed and collected. The
        report said 630 collected for ever."""
        invoice, _app = self.invoices()
        self.pay(invoice)
        refund = self.credit_three_hours(invoice)
        undo = refund._reverse_moves([{"invoice_date": date(2026, 4, 13)}])
        undo.action_post()
        self.assertEqual(undo.move_type, "out_invoice")
        self.assertEqual((refund.amount_residual, undo.amount_residual), (0, 0))
        self.assertEqual(self.by_project()["Website"], (900, 900))

    def test_a_credit_note_withdrawn_after_it_settled_its_invoice(self):
        """An unpaid invoice credited 270 (matched with it), the credit note then
        withdrawn: the reversal bills the 270 again, collected once the client
        pays it."""
        invoice, _app = self.invoices()
        refund = self.credit_three_hours(invoice)
        self.assertEqual(invoice.amount_residual, 630, "the credit note settled 270")
        self.pay(invoice)
        undo = refund._reverse_moves([{"invoice_date": date(2026, 4, 13)}])
        undo.action_post()
        self.assertEqual(undo.amount_residual, 270, "a new 270 to pay")
        self.assertEqual(self.by_project()["Website"], (900, 630))
        self.pay(undo)
        self.assertEqual(self.by_project()["Website"], (900, 900))

    def test_the_reason_of_a_write_down_after_invoicing_is_what_did_it(self):
        """The report grouped by reason: work written down by a credit note, or
        by a discount on its invoice line, shows that as its reason when it was
        given none (before: no reason, as work billed in full); a reason given
        to the item stays its reason."""
        website, app = self.invoices()
        self.credit_three_hours(website)
        app.button_draft()
        app.invoice_line_ids.discount = 10
        app.action_post()
        Report = self.env["invoicera.realization.report"]
        Report.invalidate_model()
        reasons = {
            (project.name, reason): round(written_down, 2)
            for project, reason, written_down in Report._read_group(
                [("partner_id", "=", self.client.id)],
                ["project_id", "reason"],
                ["written_down_value:sum"],
            )
        }
        self.assertEqual(
            reasons,
            {("Website", "Credit note"): 270, ("Mobile App", "Discount on the invoice"): 45},
        )
        # a reason of its own is kept (the item's write-down is told by it)
        self.log_time(self.alice, 2, project=self.app, day="2026-03-20", name="Fixes")
        fixes = self.Item.search([("name", "=", "Fixes")])
        fixes.write({"quantity": 1, "adjustment_reason": "Our bug"})
        self.invoice(self.client, invoice_date=date(2026, 3, 31), post=True)
        Report.invalidate_model()
        row = Report.search([("invoice_id", "=", fixes.invoice_id.id)])
        self.assertEqual((row.reason, row.written_down_value), ("Our bug", 90))
