from datetime import date

from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestPricelistDates(InvoiceraTimesheetCase):
    """Time priced from the client's pricelist: at the day the work was done."""

    def test_march_pricelist_rule_prices_march_work_billed_later(self):
        """The euro client's pricelist sells an hour at 120 euros in March only.
        Carl (no rate anywhere) works on March 10 and on April 10, both logged
        together: his March hours bill 120 euros, as the pricelist said then, even
        though they are billed after March. His April hours bill the service's
        100 dollars in euros at April's rate (0.8), not the March rule."""
        self.eur_pricelist.item_ids = [
            (
                0,
                0,
                {
                    "applied_on": "0_product_variant",
                    "product_id": self.service.id,
                    "compute_price": "fixed",
                    "fixed_price": 120.0,
                    "date_start": "2026-03-01 00:00:00",
                    "date_end": "2026-03-31 23:59:59",
                },
            )
        ]
        carl = self.env["hr.employee"].create({"name": "Carl Temp"})
        lines = self.env["account.analytic.line"].create(
            [
                {
                    "project_id": self.project_eur.id,
                    "employee_id": carl.id,
                    "unit_amount": 2,
                    "date": day,
                    "name": "Rollout",
                }
                for day in ("2026-03-10", "2026-04-10")
            ]
        )
        self.assertRecordValues(
            self.item_of(lines),
            [
                {
                    "date": date(2026, 3, 10),
                    "price_unit": 120.0,
                    "currency_id": self.eur.id,
                    "amount": 240.0,
                },
                {
                    "date": date(2026, 4, 10),
                    "price_unit": 80.0,
                    "currency_id": self.eur.id,
                    "amount": 160.0,
                },
            ],
        )
        # re-priced later (its description changed): still the March price
        lines[0].name = "Rollout, phase 1"
        self.assertEqual(self.item_of(lines[0]).price_unit, 120.0)

    def test_time_priced_from_the_service_follows_its_new_price(self):
        """Carl has no rate anywhere: his unbilled hours are priced from the
        service. Its sales price raised, they all bill the new price (before,
        only an entry edited since did: two hours of one day at two prices);
        what was invoiced keeps its price."""
        carl = self.env["hr.employee"].create({"name": "Carl Temp"})

        def log(day):
            return self.env["account.analytic.line"].create(
                {
                    "project_id": self.project.id,
                    "employee_id": carl.id,
                    "unit_amount": 1,
                    "date": day,
                    "name": "Support",
                }
            )

        billed = log("2026-03-02")
        self.invoice(self.client, post=True)
        unbilled = log("2026-03-10") | log("2026-03-11")
        self.assertEqual(self.item_of(unbilled).mapped("price_unit"), [100.0, 100.0])
        self.service.list_price = 110
        self.assertEqual(self.item_of(unbilled).mapped("price_unit"), [110.0, 110.0])
        self.assertEqual(self.item_of(billed).price_unit, 100.0, "invoiced as it was")

    def test_time_priced_from_the_pricelist_follows_the_client_s_new_one(self):
        """The client is given a pricelist selling the service at 90 an hour: its
        unbilled hours priced from the pricelist bill 90."""
        carl = self.env["hr.employee"].create({"name": "Carl Temp"})
        line = self.env["account.analytic.line"].create(
            {
                "project_id": self.project.id,
                "employee_id": carl.id,
                "unit_amount": 2,
                "date": "2026-03-10",
                "name": "Support",
            }
        )
        self.assertEqual(self.item_of(line).price_unit, 100.0)
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "Partners",
                "currency_id": self.company.currency_id.id,
                "item_ids": [
                    (
                        0,
                        0,
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.service.id,
                            "compute_price": "fixed",
                            "fixed_price": 90.0,
                        },
                    )
                ],
            }
        )
        self.client.property_product_pricelist = pricelist
        self.assertEqual(self.item_of(line).price_unit, 90.0)
