from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from odoo.addons.invoicera_billing.models.invoicera_billable_mixin import ENGINE

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestScreenMilestonesAndFlags(InvoiceraTimesheetCase):
    """Billing ▸ Unbilled Work and the item decisions, as billing staff use them."""

    def setUp(self):
        super().setUp()
        self.today = fields.Date.context_today(self.env["res.partner"])
        self.Screen = self.env["invoicera.unbilled.client"]

    def line_of(self, partner, currency=None):
        self.Screen.invalidate_model()
        return self.Screen.search(
            [("partner_id", "=", partner.id), ("currency_id", "=", (currency or self.usd).id)]
        )

    def milestone(self, name, days, project=None, amount=1000, **vals):
        return self.env["project.milestone"].create(
            {
                "name": name,
                "project_id": (project or self.project).id,
                "deadline": self.today + timedelta(days=days),
                "invoicera_amount": amount,
                **vals,
            }
        )

    def sale_line(self):
        """A (draft) order line of the client, as a milestone's Sales Order Item."""
        product = self.env["product.product"].create(
            {"name": "Go-live package", "type": "service", "list_price": 3000}
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        return order.order_line

    # ------------------------------------------------------------------
    # Next Milestone
    # ------------------------------------------------------------------
    def test_next_milestone_is_a_fee_this_screen_will_bill(self):
        """The Next Milestone column announces the next fee to bill here: not a
        milestone without a fee, one billed through its sale order, nor one of
        an archived project or of a project not billed (nor billable)."""
        self.log_time(self.alice, 2, day=self.today - timedelta(days=3))
        archived = self.env["project.project"].create(
            {"name": "Old site", "partner_id": self.client.id, "allow_billable": True}
        )
        internal = self.env["project.project"].create(
            {"name": "Pitch", "partner_id": self.client.id, "allow_billable": False}
        )
        self.milestone("Archived project's", 1, project=archived)
        archived.active = False
        self.milestone("Not billable project's", 2, project=internal)
        self.milestone("No fee", 3, amount=0)
        self.milestone("Sold", 4, sale_line_id=self.sale_line().id)
        self.milestone("Go-live", 10)
        self.assertEqual(
            self.line_of(self.client).next_milestone_date, self.today + timedelta(days=10)
        )

    def test_next_milestone_of_a_project_of_a_client_contact(self):
        """A project whose customer is a contact of the client bills its fees to
        the client: its milestone is the client's next one."""
        self.log_time(self.alice, 2, day=self.today - timedelta(days=3))
        contact = self.env["res.partner"].create(
            {"name": "Jane Buyer", "parent_id": self.client.id}
        )
        project = self.env["project.project"].create(
            {"name": "Shop", "partner_id": contact.id, "allow_billable": True}
        )
        self.milestone("Shop live", 5, project=project)
        self.milestone("Go-live", 10)
        self.assertEqual(
            self.line_of(self.client).next_milestone_date, self.today + timedelta(days=5)
        )

    def test_next_milestone_on_the_line_of_its_fee_currency(self):
        """A client's work in two currencies is on two lines: a fee in dollars is
        the next milestone of the dollar line, not of the euro one."""
        self.log_time(self.alice, 2, day=self.today - timedelta(days=3))
        in_eur = self.item_of(self.log_time(self.bob, 1, day=self.today - timedelta(days=3)))
        in_eur.with_context(invoicera_engine=ENGINE).currency_id = self.eur
        self.milestone("Go-live", 10)
        self.assertEqual(
            self.line_of(self.client).next_milestone_date, self.today + timedelta(days=10)
        )
        self.assertFalse(self.line_of(self.client, self.eur).next_milestone_date)

    # ------------------------------------------------------------------
    # Audit
    # ------------------------------------------------------------------
    @freeze_time("2026-03-31")
    def test_a_day_of_exactly_the_maximum_is_not_flagged(self):
        """0.3 + 8.3 + 3.4 hours are 12 hours, the maximum: not "more than 12.0 h"
        (summed as floating-point numbers they are 12.000000000000002)."""
        items = self.Item.browse()
        for hours, name in ((0.3, "Stand-up"), (8.3, "Checkout page"), (3.4, "Code review")):
            items |= self.item_of(self.log_time(self.alice, hours, name=name))
        flagged = self.Item._audit(items)
        self.assertEqual(
            {item.name: item.audit_warning for item in flagged},
            {},
            "12.0 h is not more than 12.0 h",
        )

    @freeze_time("2026-03-31")
    def test_a_negative_quantity_is_flagged_before_invoice_all_refuses_it(self):
        """A billable quantity written down below zero: Invoice all fails the
        client for it ("negative quantity"); the audit says so beforehand."""
        item = self.item_of(self.log_time(self.alice, 2, name="Checkout page"))
        item.with_user(self.billing_user).write(
            {"quantity": -1, "adjustment_reason": "Credit for last month"}
        )
        errors = item._invoicing_errors(self.company, date(2026, 3, 31))
        self.assertIn("negative quantity", " ".join(errors[self.client]))
        self.assertEqual(self.Item._audit(item), item)
        self.assertEqual(item.audit_warning, "Negative quantity.")
