from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestAuditSelection(InvoiceraTimesheetCase):
    """The audit run from the lines selected on the Unbilled Work screen."""

    def test_audit_of_selected_lines_keeps_to_their_company_and_currency(self):
        """The client has work without a description in three places: in dollars
        here, in euros here (Chloé, of the European sister company, at her euro
        rate), and in the European company. With both companies checked, the
        billing clerk selects the client's dollar line here and audits it: only
        that line's items are flagged, not the client's euro line nor its line of
        the other company (the user did not select them)."""
        europe = self.euro_company()
        chloe = self.env["hr.employee"].create(
            {"name": "Chloé Dev", "company_id": europe.id, "invoicera_billing_rate": 80}
        )
        self.project.company_id = self.company
        paris = self.client_project("Paris office", europe)
        here_usd = self.item_of(self.log_time(self.alice, 1, name="/"))
        here_eur = self.item_of(self.log_time(chloe, 1, name="/"))
        there = self.item_of(self.log_time(chloe, 1, project=paris, name="/"))
        self.assertRecordValues(
            here_usd | here_eur | there,
            [
                {"company_id": self.company.id, "currency_id": self.usd.id},
                {"company_id": self.company.id, "currency_id": self.eur.id},
                {"company_id": europe.id, "currency_id": self.eur.id},
            ],
        )
        Screen = self.env["invoicera.unbilled.client"].with_context(
            allowed_company_ids=[self.company.id, europe.id]
        )
        lines = Screen.search([("partner_id", "=", self.client.id)])
        self.assertEqual(len(lines), 3)
        selected = lines.filtered(
            lambda line: line.company_id == self.company and line.currency_id == self.usd
        )
        selected.action_audit()
        self.assertTrue(here_usd.audit_flagged)
        self.assertFalse(here_eur.audit_flagged, "another line of the client: not selected")
        self.assertFalse(there.audit_flagged, "the client's work in another company")
        # the other two selected: flagged, and the first stays flagged
        (lines - selected).action_audit()
        self.assertTrue(all((here_usd | here_eur | there).mapped("audit_flagged")))
