from odoo.tests import tagged

from .common import InvoiceraPortalCase


@tagged("post_install", "-at_install")
class TestDashboardSubsidiaryPayments(InvoiceraPortalCase):
    """A client's dashboard counts its own money, not a subsidiary's."""

    def test_a_subsidiarys_payment_is_not_the_clients_credit(self):
        """A company filed under the client (a subsidiary: its own client, its own
        invoices and statement) pays 500 in advance: that credit and payment are
        on the subsidiary's dashboard, not on the client's (Odoo would never use
        it on the client's invoices)."""
        subsidiary = self.env["res.partner"].create(
            {"name": "Alpha Labs", "is_company": True, "parent_id": self.client_a.id}
        )
        self.make_invoices(self.client_a, [(100, 10)])
        payment = self.env["account.payment"].create(
            {
                "partner_id": subsidiary.id,
                "partner_type": "customer",
                "payment_type": "inbound",
                "amount": 500,
            }
        )
        payment.action_post()

        def shown(client, user=None):
            dashboard = (client.with_user(user) if user else client)._invoicera_dashboard()
            return (
                [
                    (d["currency"].name, d["outstanding"], d["credit"])
                    for d in dashboard["currencies"]
                ],
                [p["name"] for p in dashboard["payments"]],
            )

        self.assertEqual(
            shown(self.client_a, self.user_a1),
            ([("USD", 100.0, 0.0)], []),
            "the subsidiary's payment shows as the client's credit",
        )
        self.assertEqual(shown(subsidiary), ([("USD", 0.0, 500.0)], [payment.name]))
