from unittest.mock import patch

from lxml import html

from odoo import Command, http
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import InvoiceraPortalCommon


@tagged("post_install", "-at_install")
class TestAutopay(InvoiceraPortalCommon, HttpCase):
    """A client opts in to be charged with a saved payment method when invoiced."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.demo_provider()
        cls.token_a = cls.make_demo_token(cls.contact_a1)
        cls.token_b = cls.make_demo_token(cls.contact_b)

    def set_autopay(self, token_id):
        return self.url_open(
            "/my/billing/autopay",
            data={"csrf_token": http.Request.csrf_token(self), "token_id": token_id},
        )

    def test_opt_in_then_invoices_are_charged(self):
        self.authenticate(self.user_a1.login, self.user_a1.login)
        response = self.set_autopay(self.token_a.id)
        self.assertIn("paid automatically", response.text)
        self.assertEqual(self.client_a.invoicera_autopay_token_id, self.token_a)
        invoice = self.post_autopay_invoice()
        self.assertEqual(invoice.amount_residual, 0)
        tx = invoice.transaction_ids
        self.assertEqual((tx.state, tx.token_id, tx.amount), ("done", self.token_a, 250))

    def test_a_refused_charge_is_noted(self):
        self.token_a.demo_simulated_state = "error"
        self.client_a.invoicera_autopay_token_id = self.token_a
        invoice = self.post_autopay_invoice()
        self.assertEqual(invoice.amount_residual, 250)
        self.assertIn("Automatic payment refused", invoice.message_ids[0].body)

    def test_a_charge_whose_outcome_is_unknown_is_not_called_refused(self):
        """A provider whose gateway answered something unreadable may have charged
        the card: the invoice says the payment is not confirmed, not refused."""
        error = ValidationError("Check the payment in the gateway's dashboard.")
        error.invoicera_outcome_unknown = True
        self.client_a.invoicera_autopay_token_id = self.token_a
        Transaction = type(self.env["payment.transaction"])
        with patch.object(Transaction, "_send_payment_request", side_effect=error):
            invoice = self.post_autopay_invoice()
        self.assertEqual(invoice.amount_residual, 250)
        body = invoice.message_ids[0].body
        self.assertIn("Automatic payment not confirmed", body)
        self.assertIn("gateway's dashboard", body)
        # before: left a draft, and the invoice reset and posted again was charged
        # a second time
        tx = invoice.transaction_ids
        self.assertEqual(tx.state, "pending", "waits for the gateway's notification")
        invoice.button_draft()
        with trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        self.assertEqual(invoice.transaction_ids, tx, "not charged again")

    def test_an_invoice_of_another_company_is_not_charged(self):
        """The saved method's provider belongs to one company: an invoice of another
        company is not charged through it (the card was charged, the payment went to
        the provider's company and the invoice stayed unpaid)."""
        self.client_a.invoicera_autopay_token_id = self.token_a
        invoice = self.make_other_company_move(self.client_a, 70)
        with trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        self.assertFalse(invoice.sudo().transaction_ids, "nothing charged")
        self.assertEqual(invoice.amount_residual, 70)
        self.assertIn("Automatic payment skipped", invoice.message_ids[0].body)

    def test_an_invoice_whose_payment_is_blocked_is_not_charged(self):
        """Staff block an invoice's payment (a dispute) before it is posted: the card
        is not charged for it, and the invoice says so."""
        self.client_a.invoicera_autopay_token_id = self.token_a
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_a.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    Command.create({"name": "Disputed work", "price_unit": 90, "tax_ids": False})
                ],
            }
        )
        invoice.action_toggle_block_payment()
        with trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        self.assertEqual(invoice.payment_state, "blocked")
        self.assertFalse(invoice.sudo().transaction_ids, "nothing charged")
        self.assertEqual(invoice.amount_residual, 90)
        self.assertIn("payment of this invoice is blocked", invoice.message_ids[0].body)

    def test_a_colleagues_autopay_is_kept_when_the_form_is_saved(self):
        """Another contact of the client sees the method in use (a colleague's) and
        saving the form as shown keeps it: it did show "Off", and turned it off."""
        self.client_a.invoicera_autopay_token_id = self.token_a
        self.authenticate(self.user_a2.login, self.user_a2.login)
        page = html.fromstring(self.url_open("/my/billing").text)
        (select,) = page.xpath("//select[@name='token_id']")
        chosen = select.xpath("option[@selected]/@value")
        self.assertEqual(chosen, [str(self.token_a.id)])
        self.assertIn(self.contact_a1.name, select.text_content())
        response = self.set_autopay(chosen[0])
        self.assertIn("Automatic payment is unchanged.", response.text)
        self.assertEqual(self.client_a.invoicera_autopay_token_id, self.token_a)
        self.set_autopay("")
        self.assertFalse(self.client_a.invoicera_autopay_token_id, "turned off on purpose")

    def test_a_method_whose_owner_left_the_client_is_not_charged(self):
        """The contact who saved the card moved to another client: the client's
        invoices are no longer charged to that card (as Odoo's payment flow)."""
        self.client_a.invoicera_autopay_token_id = self.token_a
        self.contact_a1.parent_id = self.client_b
        invoice = self.post_autopay_invoice()
        self.assertFalse(invoice.sudo().transaction_ids, "nothing charged")
        self.assertEqual(invoice.amount_residual, 250)
        self.assertIn("no longer a contact of", invoice.message_ids[0].body)

    def test_a_method_whose_owner_lost_portal_access_is_not_charged(self):
        """The contact who saved the card left: staff revoked their portal access
        (their user archived), or archived the contact. Nobody can see or stop that
        card's automatic payments any more: the client's invoices are not charged
        to it, and staff are told why."""
        self.client_a.invoicera_autopay_token_id = self.token_a
        self.user_a1.active = False
        invoice = self.post_autopay_invoice()
        self.assertFalse(invoice.sudo().transaction_ids, "nothing charged")
        self.assertIn("no longer has access to the portal", invoice.message_ids[0].body)
        self.contact_a1.active = False  # (Odoo archives a contact's user first)
        invoice = self.post_autopay_invoice()
        self.assertFalse(invoice.sudo().transaction_ids, "nothing charged")
        self.assertIn("no longer has access to the portal", invoice.message_ids[0].body)
        # Access given back: charged again.
        self.contact_a1.active = True
        self.user_a1.active = True
        invoice = self.post_autopay_invoice()
        self.assertEqual(invoice.sudo().transaction_ids.state, "done")

    def test_only_own_saved_methods(self):
        self.authenticate(self.user_a1.login, self.user_a1.login)
        response = self.set_autopay(self.token_b.id)
        self.assertIn("Choose one of your saved payment methods.", response.text)
        self.assertFalse(self.client_a.invoicera_autopay_token_id)
        self.set_autopay(self.token_a.id)
        response = self.set_autopay("")
        self.assertIn("Automatic payment is off.", response.text)
        self.assertFalse(self.client_a.invoicera_autopay_token_id)

    def test_no_autopay_no_job(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.client_b.id,
                "invoice_date": self.today,
                "invoice_line_ids": [
                    Command.create({"name": "X", "quantity": 1, "price_unit": 10})
                ],
            }
        )
        with trap_jobs() as trap:
            invoice.action_post()
            trap.assert_jobs_count(0)

    def test_an_invoice_paid_in_part_by_its_orders_deposit_is_charged_the_rest(self):
        """The client paid a deposit online when accepting the quotation: its
        invoice carries that payment (Odoo links the order's transactions to it)
        and the card is charged what is left, not nothing."""
        self.client_a.invoicera_autopay_token_id = self.token_a
        product = self.env["product.product"].create(
            {"name": "Website", "type": "service", "list_price": 250, "invoice_policy": "order"}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client_a.id,
                "require_payment": True,
                "prepayment_percent": 0.4,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": 1, "tax_id": False}
                    )
                ],
            }
        )
        deposit = self.env["payment.transaction"].create(
            {
                "provider_id": self.token_a.provider_id.id,
                "payment_method_id": self.token_a.payment_method_id.id,
                "amount": 100,
                "currency_id": order.currency_id.id,
                "partner_id": self.contact_a1.id,
                "sale_order_ids": [Command.set(order.ids)],
            }
        )
        deposit._set_done()
        deposit._post_process()
        self.assertEqual(order.state, "sale")
        invoice = order._create_invoices()
        self.assertEqual(invoice.transaction_ids, deposit)
        with trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        self.assertEqual(invoice.amount_residual, 0, "the deposit and the rest paid")
        charged = invoice.transaction_ids - deposit
        self.assertEqual(
            (charged.state, charged.token_id, charged.amount), ("done", self.token_a, 150)
        )

    def test_nothing_is_charged_while_invoices_are_not_paid_online(self):
        """Staff turned Invoice Online Payment off: no invoice is paid online, none
        is charged automatically, and the dashboard no longer offers it."""
        self.client_a.invoicera_autopay_token_id = self.token_a
        self.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", False)
        invoice = self.post_autopay_invoice()
        self.assertFalse(invoice.sudo().transaction_ids, "nothing charged")
        self.assertEqual(invoice.amount_residual, 250)
        self.assertIn("Invoice Online Payment", invoice.message_ids[0].body)
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = html.fromstring(self.url_open("/my/billing").text)
        self.assertFalse(page.xpath("//form[hasclass('o_invoicera_autopay')]"))

    def test_an_invoice_reset_and_posted_again_is_not_charged_twice(self):
        """Charged automatically, then reset to draft and posted again: Odoo
        unmatches its payment, which stays the client's credit. The card is not
        charged a second time (the payment is matched by hand, as Odoo offers)."""
        self.client_a.invoicera_autopay_token_id = self.token_a
        invoice = self.post_autopay_invoice()
        charged = invoice.transaction_ids
        self.assertEqual((charged.state, invoice.amount_residual), ("done", 0))
        invoice.button_draft()
        with trap_jobs() as trap:
            invoice.action_post()
            trap.perform_enqueued_jobs()
        self.assertEqual(invoice.transaction_ids, charged, "not charged again")
        self.assertEqual(invoice.amount_residual, 250, "its payment is the client's credit")

    def test_a_card_saved_with_another_company_is_not_offered(self):
        """Ann's card saved with another company's provider never pays this
        portal's invoices: it is neither offered nor accepted for them."""
        other = self.env["res.company"].create({"name": "Northbridge Europe"})
        provider = self.demo_provider().copy({"company_id": other.id})
        provider.write({"state": "test", "is_published": True})
        elsewhere = self.make_demo_token(self.contact_a1)
        elsewhere.write({"provider_id": provider.id, "payment_details": "9999"})
        self.assertEqual(self.user_a1.company_ids, self.company)
        self.authenticate(self.user_a1.login, self.user_a1.login)
        page = self.url_open("/my/billing").text
        self.assertIn(self.token_a.display_name, page)
        self.assertNotIn(elsewhere.display_name, page)
        response = self.set_autopay(elsewhere.id)
        self.assertIn("Choose one of your saved payment methods.", response.text)
        self.assertFalse(self.client_a.invoicera_autopay_token_id)
