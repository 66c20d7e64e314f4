from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestBillingAccess(TransactionCase):
    """Who sees the Billing app, and what the two groups grant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root_menu = cls.env.ref("invoicera_billing.menu_billing_root")
        cls.billing_user = new_test_user(
            cls.env,
            login="bill_user",
            groups="base.group_user,invoicera_billing.group_billing_user",
        )
        cls.billing_manager = new_test_user(
            cls.env,
            login="bill_manager",
            groups="base.group_user,invoicera_billing.group_billing_manager",
        )
        cls.employee = new_test_user(cls.env, login="plain_employee", groups="base.group_user")

    def visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_billing_app_visible_to_billing_groups_only(self):
        self.assertIn(self.root_menu.id, self.visible_menus(self.billing_user))
        self.assertIn(self.root_menu.id, self.visible_menus(self.billing_manager))
        self.assertNotIn(self.root_menu.id, self.visible_menus(self.employee))

    def test_configuration_for_managers_only(self):
        configuration = self.env.ref("invoicera_billing.menu_billing_configuration")
        self.assertNotIn(configuration.id, self.visible_menus(self.billing_user))
        self.assertIn(configuration.id, self.visible_menus(self.billing_manager))

    def test_billing_user_can_invoice(self):
        """A Billing User creates and posts a customer invoice."""
        partner = self.env["res.partner"].create({"name": "Client of the test"})
        invoice = (
            self.env["account.move"]
            .with_user(self.billing_user)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-01-15",
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Consulting",
                                "quantity": 2,
                                "price_unit": 150.0,
                                "tax_ids": False,
                            }
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.amount_total, 300.0)

    def test_manager_group_implies_user_group(self):
        self.assertTrue(self.billing_manager.has_group("invoicera_billing.group_billing_user"))
        self.assertTrue(self.billing_manager.has_group("account.group_account_manager"))
        self.assertFalse(self.billing_user.has_group("account.group_account_manager"))
