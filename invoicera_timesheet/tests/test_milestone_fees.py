from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase
from .test_cost_sources import CostSourcesCase


@tagged("post_install", "-at_install")
class TestMilestoneFees(InvoiceraTimesheetCase):
    """Fixed-fee milestones of projects shared by companies or moved between them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a second company, billing in euros; the client is everyone's
        cls.company_b = cls.env["res.company"].create(
            {"name": "Lumière Services", "currency_id": cls.eur.id}
        )
        cls.env.user.company_ids |= cls.company_b
        cls.Milestone = cls.env["project.milestone"]
        cls.project_b = cls.env["project.project"].create(
            {
                "name": "Lumière Website",
                "partner_id": cls.client.id,
                "allow_billable": True,
                "company_id": cls.company_b.id,
            }
        )

    def in_company(self, company):
        """The environment of a new request of the user working in ``company``."""
        self.env.invalidate_all()
        return self.env(
            context=dict(self.env.context, allowed_company_ids=[company.id, self.company.id])
        )

    def billable_by(self, company, partner):
        return self.Item.search(self.Item._billable_domain(company, date(2026, 3, 31), partner))

    def test_fee_keeps_its_currency_when_another_company_edits_the_milestone(self):
        """A fee of a project shared by the companies (none set), reached in the
        first company: 5,000 in its currency. A colleague working in the euro
        company renames the milestone: the fee is still 5,000 dollars, not euros."""
        self.assertFalse(self.project.company_id, "a project of every company")
        milestone = self.reached(self.project)
        self.assertRecordValues(
            self.item_of(milestone),
            [{"company_id": self.company.id, "currency_id": self.usd.id, "price_unit": 5000}],
        )
        milestone.with_env(self.in_company(self.company_b)).name = "Go-live (v2)"
        self.env.invalidate_all()
        self.assertRecordValues(
            self.item_of(milestone),
            [
                {
                    "name": "Go-live (v2)",
                    "company_id": self.company.id,
                    "currency_id": self.usd.id,
                    "price_unit": 5000,
                }
            ],
        )
        self.assertEqual(
            milestone.with_env(self.in_company(self.company_b)).invoicera_currency_id,
            self.usd,
            "the form shows the fee in the currency it is billed in",
        )
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.currency_id, self.usd)
        self.assertEqual(invoice.amount_untaxed, 5000)

    def test_fee_entered_in_one_company_reached_in_another(self):
        """A fee of 5,000 entered in the dollar company, on a project of every
        company, marked reached by a colleague working in the euro company: the
        fee is worth 5,000 dollars, billed by the euro company (converted on its
        invoice), not 5,000 euros."""
        milestone = self.Milestone.create(
            {"name": "Go-live", "project_id": self.project.id, "invoicera_amount": 5000}
        )
        self.assertEqual(milestone.invoicera_currency_id, self.usd)
        with freeze_time("2026-03-20"):
            milestone.with_env(self.in_company(self.company_b)).is_reached = True
        self.assertRecordValues(
            self.item_of(milestone),
            [{"company_id": self.company_b.id, "currency_id": self.usd.id, "price_unit": 5000}],
        )

    def test_milestone_moved_to_a_project_of_another_company(self):
        """A reached fee of 5,000 dollars moved to the project of the euro company
        is that company's to bill, still 5,000 dollars (converted on its invoice),
        not 5,000 euros: the first company's run no longer bills it."""
        milestone = self.reached(self.project)
        self.assertEqual(self.item_of(milestone).company_id, self.company)
        milestone.project_id = self.project_b
        self.assertEqual(milestone.invoicera_currency_id, self.usd)
        self.assertRecordValues(
            self.item_of(milestone),
            [
                {
                    "project_id": self.project_b.id,
                    "company_id": self.company_b.id,
                    "currency_id": self.usd.id,
                    "price_unit": 5000,
                }
            ],
        )
        self.assertFalse(self.billable_by(self.company, self.client), "not the first company's")
        self.assertEqual(self.billable_by(self.company_b, self.client), self.item_of(milestone))

    def test_project_given_to_another_company_takes_its_unbilled_fees(self):
        """A project shared by the companies is given to the euro company: its fees
        not billed yet go with it, in the dollars they were agreed in; the one
        invoiced stays on its invoice."""
        billed = self.reached(self.project, 2000, "Design")
        invoice = self.invoice(self.client)
        self.assertEqual(self.item_of(billed).invoice_id, invoice)
        unbilled = self.reached(self.project, 5000, "Go-live")
        self.project.company_id = self.company_b
        self.assertRecordValues(
            self.item_of(billed | unbilled),
            [
                {
                    "name": "Design",
                    "company_id": self.company.id,
                    "currency_id": self.usd.id,
                    "state": "invoiced",
                },
                {
                    "name": "Go-live",
                    "company_id": self.company_b.id,
                    "currency_id": self.usd.id,
                    "state": "to_bill",
                },
            ],
        )
        self.assertFalse(self.billable_by(self.company, self.client))

    def test_project_copied_into_another_company_keeps_the_fee_currency(self):
        """A project copied as the template of the euro company's: its fee of 5,000
        dollars is still 5,000 dollars on the copy, not 5,000 euros."""
        self.project.allow_milestones = True
        self.Milestone.create(
            {"name": "Go-live", "project_id": self.project.id, "invoicera_amount": 5000}
        )
        copy = self.project.copy({"company_id": self.company_b.id})
        self.assertRecordValues(
            copy.milestone_ids,
            [{"invoicera_amount": 5000, "invoicera_currency_id": self.usd.id}],
        )

    def test_new_fee_takes_its_project_company_currency(self):
        """A fee entered on the euro company's project is in euros, and the one
        entered on the dollar company's project in dollars."""
        self.project.company_id = self.company
        fees = self.Milestone.create(
            [
                {"name": "Go-live", "project_id": self.project_b.id, "invoicera_amount": 10},
                {"name": "Design", "project_id": self.project.id, "invoicera_amount": 10},
            ]
        )
        self.assertRecordValues(
            fees, [{"invoicera_currency_id": self.eur.id}, {"invoicera_currency_id": self.usd.id}]
        )

    def test_fee_currency_is_chosen_until_the_fee_is_invoiced(self):
        """The fee was agreed in euros on the dollar company's project: the user sets
        its currency and the fee is billed as 5,000 euros (converted on the invoice);
        once invoiced, its currency is locked like its amount."""
        milestone = self.reached(self.project)
        milestone.invoicera_currency_id = self.eur
        self.assertRecordValues(
            self.item_of(milestone), [{"currency_id": self.eur.id, "price_unit": 5000}]
        )
        self.invoice(self.client)
        with self.assertRaisesRegex(UserError, "invoiced and locked"):
            milestone.invoicera_currency_id = self.usd

    def test_run_of_one_company_leaves_the_others_fees(self):
        """The client is both companies': each company's "Invoice all" bills its
        own fees, in its currency, and leaves the other's to bill."""
        ours = self.reached(self.project, 2000, "Design")
        theirs = self.reached(self.project_b, 3000, "Go-live")
        run = self.env["invoicera.billing.run"].create(
            {"invoice_date": "2026-03-31", "cutoff_date": "2026-03-31"}
        )
        self.assertEqual(run.company_id, self.company)
        run.action_start()
        self.assertEqual(run.invoice_ids.company_id, self.company)
        self.assertEqual(run.invoice_ids.amount_untaxed, 2000)
        self.assertEqual(self.item_of(ours).state, "invoiced")
        self.assertRecordValues(
            self.item_of(theirs),
            [{"company_id": self.company_b.id, "currency_id": self.eur.id, "state": "to_bill"}],
        )

    def test_negative_fee_is_refused(self):
        """A fee below zero (a discount meant as a milestone) would never be billed,
        without a word (the engine bills no negative rate): refused when entered."""
        milestone = self.Milestone.create(
            {"name": "Loyalty discount", "project_id": self.project.id, "invoicera_amount": 100}
        )
        with self.assertRaises(ValidationError) as refused:
            milestone.invoicera_amount = -500
        self.assertIn("cannot be negative", str(refused.exception))
        with self.assertRaises(ValidationError):
            self.Milestone.create(
                {"name": "Discount", "project_id": self.project.id, "invoicera_amount": -1}
            )
        self.assertEqual(milestone.invoicera_amount, 100)

    def test_project_user_reaches_a_fee(self):
        """Whoever marks the milestone reached (a project user, not in billing),
        its fee is to bill."""
        user = new_test_user(
            self.env, login="pm_rv3", groups="base.group_user,project.group_project_manager"
        )
        milestone = self.Milestone.create(
            {"name": "Go-live", "project_id": self.project.id, "invoicera_amount": 5000}
        )
        with freeze_time("2026-03-20"):
            milestone.with_user(user).is_reached = True
        self.assertRecordValues(
            self.item_of(milestone), [{"state": "to_bill", "price_unit": 5000, "active": True}]
        )

    def test_billed_service_of_another_company_is_refused(self):
        """A service of the euro company billed on a project of every company (or
        of the dollar company): time logged there by the dollar company's staff
        would be refused ("incompatible companies" on billable items). The
        project refuses the service instead, with a message saying why."""
        service_b = self.service.copy(
            {"name": "Lumière consulting", "company_id": self.company_b.id}
        )
        for project in (
            self.project,
            self.env["project.project"].create(
                {
                    "name": "Audit",
                    "partner_id": self.client.id,
                    "allow_billable": True,
                    "company_id": self.company.id,
                }
            ),
        ):
            # assertRaises: rolled back (the check runs once the value is written)
            with self.assertRaises(ValidationError) as refused:
                project.invoicera_service_product_id = service_b
            self.assertIn("belongs to Lumière Services", str(refused.exception))
        self.project_b.invoicera_service_product_id = service_b  # its own company's
        with self.assertRaises(ValidationError) as refused:
            self.project_b.company_id = self.company
        self.assertIn("belongs to Lumière Services", str(refused.exception))
        self.assertEqual(self.item_of(self.log_time(self.alice, 2)).product_id, self.service)

    def test_fee_of_a_deleted_order_is_billed_here(self):
        """A reached milestone was on an order line (Odoo's to bill); the order, never
        invoiced, is cancelled and deleted: the milestone has no order line any
        more, and its fee is billed here, as any milestone without one. It was
        billed by no one: the database cleared its order line without a word."""
        order, milestone = self.sold_milestones("Go-live")
        with freeze_time("2026-03-20"):
            milestone.is_reached = True
        self.assertFalse(self.item_of(milestone), "the order's to bill")
        order._action_cancel()
        order.unlink()
        self.assertFalse(milestone.sale_line_id)
        self.assertRecordValues(
            self.item_of(milestone), [{"state": "to_bill", "price_unit": 5000, "active": True}]
        )

    def sold_milestones(self, *names):
        """A confirmed order billing ``names``, milestones of equal shares of the
        project; the milestones, with a fee entered here too."""
        phases = self.env["product.product"].create(
            {
                "name": "Project phases",
                "type": "service",
                "list_price": 9000,
                "service_policy": "delivered_milestones",
                "service_tracking": "no",
            }
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": self.client.id,
                "project_id": self.project.id,
                "order_line": [Command.create({"product_id": phases.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        milestones = self.Milestone.create(
            [
                {
                    "name": name,
                    "project_id": self.project.id,
                    "invoicera_amount": 5000,
                    "sale_line_id": order.order_line.id,
                    "quantity_percentage": 1 / len(names),
                }
                for name in names
            ]
        )
        return order, milestones

    def test_fee_its_deleted_order_invoiced_is_not_billed_again(self):
        """An order invoices its reached milestone, then is cancelled and deleted
        (its invoice stays): that milestone's fee was billed, the other one's
        was not, and is billed here once reached."""
        order, (design, golive) = self.sold_milestones("Design", "Go-live")
        with freeze_time("2026-03-20"):
            design.is_reached = True
        order._create_invoices().action_post()
        order._action_cancel()
        order.unlink()
        self.assertFalse(self.item_of(design))
        design.name = "Design (signed off)"  # synced again: still off
        self.assertFalse(self.item_of(design), "billed by the order's invoice")
        with freeze_time("2026-04-20"):
            golive.is_reached = True
        self.assertRecordValues(self.item_of(golive), [{"state": "to_bill", "price_unit": 5000}])
        self.assertTrue(design.invoicera_order_invoiced)
        self.assertFalse(golive.invoicera_order_invoiced)

    def test_fee_its_order_invoiced_stays_off_once_taken_off_the_order(self):
        order, milestone = self.sold_milestones("Go-live")
        with freeze_time("2026-03-20"):
            milestone.is_reached = True
        order._create_invoices().action_post()
        milestone.sale_line_id = False
        self.assertFalse(self.item_of(milestone), "billed by the order's invoice")

    def test_fee_its_order_credited_is_billed_here_once_taken_off_the_order(self):
        order, milestone = self.sold_milestones("Go-live")
        with freeze_time("2026-03-20"):
            milestone.is_reached = True
        invoice = order._create_invoices()
        invoice.action_post()
        invoice._reverse_moves(cancel=True)
        milestone.sale_line_id = False
        self.assertFalse(milestone.invoicera_order_invoiced)
        self.assertRecordValues(self.item_of(milestone), [{"state": "to_bill"}])


@tagged("post_install", "-at_install")
class TestArchivedProject(CostSourcesCase):
    """A project archived once its work is done: what it still costs is billed,
    as its time and its fees are."""

    def test_costs_of_an_archived_project_are_billed(self):
        self.log_time(self.alice, 2)
        expense_before = self.approved_expense(100)
        self.project.active = False
        # the last costs come in once the project is closed
        expense = self.approved_expense(200)
        line = self.vendor_bill(500).invoice_line_ids
        for cost in (expense_before, expense, line):
            self.assertRecordValues(
                self.item_of(cost),
                [{"project_id": self.project.id, "state": "to_bill", "active": True}],
            )
        invoice = self.invoice(self.client)
        # 2 h at 90, the expenses and the vendor cost with the project's 10 % markup
        self.assertAlmostEqual(invoice.amount_untaxed, 180 + 110 + 220 + 550)
