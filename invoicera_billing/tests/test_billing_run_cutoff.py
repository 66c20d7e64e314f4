from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBillingRunCutoff(TransactionCase):
    """A run's invoices bill no work dated after their own date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_user = new_test_user(
            cls.env,
            login="cutoff_billing_clerk",
            groups="base.group_user,invoicera_billing.group_billing_user",
        )
        cls.Run = cls.env["invoicera.billing.run"].with_user(cls.billing_user)

    def test_a_cut_off_after_the_invoice_date_is_refused(self):
        """Invoices dated March 31st would bill April 2nd's work: refused, naming
        both dates."""
        with self.assertRaisesRegex(
            ValidationError, r"cut-off date \(04/02/2026\).*\(03/31/2026\)"
        ):
            self.Run.create({"invoice_date": date(2026, 3, 31), "cutoff_date": date(2026, 4, 2)})
        run = self.Run.create({"invoice_date": date(2026, 3, 31), "cutoff_date": date(2026, 3, 31)})
        with self.assertRaisesRegex(ValidationError, "04/01/2026"):
            run.write({"cutoff_date": date(2026, 4, 1)})
        run.write({"cutoff_date": date(2026, 3, 15)})
        self.assertEqual(run.cutoff_date, date(2026, 3, 15), "an earlier cut-off is kept")

    def test_nothing_to_invoice_names_the_clients_and_the_cut_off_date(self):
        client = self.env["res.partner"].create({"name": "Nobody Works Ltd"})
        run = self.Run.create(
            {"invoice_date": date(2026, 3, 31), "partner_ids": [(6, 0, client.ids)]}
        )
        with self.assertRaisesRegex(
            UserError, r"nothing to invoice for Nobody Works Ltd up to .*\(03/31/2026\)"
        ):
            run.action_start()
