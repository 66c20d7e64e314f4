from lxml import etree

from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestGatewayEventSearch(TransactionCase):
    def test_a_billing_manager_searches_notifications_by_gateway(self):
        """Billing managers read Gateway Notifications but not payment providers:
        they search by gateway (before: searching a provider's name raised an
        access error)."""
        manager = new_test_user(
            self.env,
            "gateway_events_manager",
            groups="base.group_user,invoicera_billing.group_billing_manager",
        )
        Event = self.env["invoicera.gateway.event"].with_user(manager)
        arch = etree.fromstring(Event.get_views([(False, "search")])["views"]["search"]["arch"])
        searchable = arch.xpath("//search/field/@name")
        self.assertIn("provider_code", searchable)
        self.assertNotIn("provider_id", searchable)
        provider = self.env.ref("invoicera_gateways.payment_provider_paystack")
        event = self.env["invoicera.gateway.event"].create(
            {"provider_id": provider.id, "event_key": "evt_search", "state": "processed"}
        )
        self.assertEqual(Event.search([("provider_code", "=", "paystack")]), event)
