from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged
from odoo.tools.translate import code_translations

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAudit(InvoiceraTimesheetCase):
    """The pre-billing audit flags what deserves a second look before invoicing."""

    def audit(self):
        items = self.Item.search([("partner_id", "in", (self.client | self.client_eur).ids)])
        flagged = self.Item._audit(items)
        return {item: item.audit_warning for item in flagged}

    def test_the_nightly_audit_writes_in_the_company_s_language(self):
        """An office working in French: the nightly audit's warnings are in French,
        as those of an audit run by hand, not in the scheduled action's English."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.company.partner_id.lang = "fr_FR"
        self.service.lst_price = 0
        nobody = self.env["hr.employee"].create({"name": "Carl Temp"})
        zero = self.item_of(self.log_time(nobody, 1, name="Pro bono"))
        french = {"Zero rate.": "Taux nul."}
        get = code_translations.get_python_translations

        def translations(module, lang):
            return french if (module, lang) == ("invoicera_billing", "fr_FR") else get(module, lang)

        with patch.object(code_translations, "get_python_translations", translations):
            self.env.ref("invoicera_billing.ir_cron_invoicera_audit").method_direct_trigger()
        self.assertEqual(zero.audit_warning, "Taux nul.")

    def test_clean_time_is_not_flagged(self):
        self.log_time(self.alice, 3, name="Build the checkout page")
        self.assertEqual(self.audit(), {})

    def test_possible_duplicates(self):
        first = self.item_of(self.log_time(self.alice, 2, name="Design review"))
        second = self.item_of(self.log_time(self.alice, 2, name="Design review"))
        self.item_of(self.log_time(self.alice, 2, name="Other work"))
        flags = self.audit()
        self.assertEqual(set(flags), set(first | second))
        self.assertIn("Possible duplicate: 2 identical entries.", flags[first])

    def test_a_copy_of_invoiced_time_is_a_possible_duplicate(self):
        """The copy would bill the client twice: the invoiced entry counts."""
        self.log_time(self.bob, 3, day="2026-03-12", name="Meeting")
        self.invoice(self.client, post=True)
        copy = self.item_of(self.log_time(self.bob, 3, day="2026-03-12", name="Meeting"))
        self.log_time(self.bob, 3, day="2026-03-12", name="Meeting", project=self.project_eur)
        flags = self.audit()
        self.assertEqual(set(flags), set(copy), "the same work for another client is no copy")
        self.assertEqual(flags[copy], "Possible duplicate: 2 identical entries.")

    def test_auditing_one_of_two_duplicates_finds_the_other(self):
        first, second = (
            self.item_of(self.log_time(self.alice, 2, name="Design review")) for _i in range(2)
        )
        self.audit()
        self.assertEqual(self.Item._audit(first), first)
        self.assertEqual(first.audit_warning, "Possible duplicate: 2 identical entries.")
        self.assertTrue(second.audit_flagged)
        # a copy written off bills nothing: no longer a duplicate
        second.action_write_off("Entered twice")
        self.assertFalse(self.Item._audit(first))
        self.assertFalse(first.audit_flagged)

    def test_too_many_hours_in_a_day(self):
        self.log_time(self.alice, 8, name="Morning", project=self.project)
        late = self.item_of(self.log_time(self.alice, 5, name="Evening", project=self.project_eur))
        self.item_of(self.log_time(self.alice, 5, name="Next day", day="2026-03-11"))
        flags = self.audit()
        self.assertEqual(len(flags), 2, "both entries of the 13-hour day")
        self.assertIn("Alice Dev has 13.0 h on 03/10/2026 (more than 12.0 h).", flags[late])
        self.company.invoicera_audit_max_daily_hours = 14
        self.assertEqual(self.audit(), {})

    def test_the_day_counts_time_not_billed(self):
        """Hours on internal projects (no billable item) are hours worked that day."""
        internal = self.env["project.project"].create(
            {"name": "Internal", "allow_timesheets": True}
        )
        self.log_time(self.alice, 8, name="Training", project=internal)
        late = self.item_of(self.log_time(self.alice, 6, name="Evening"))
        self.assertEqual(
            self.audit(), {late: "Alice Dev has 14.0 h on 03/10/2026 (more than 12.0 h)."}
        )
        # a day entered in days counts its hours (Odoo's Days: 8 hours)
        self.log_time(self.bob, 1, name="Workshop", project=internal).product_uom_id = self.env.ref(
            "uom.product_uom_day"
        )
        evening = self.item_of(self.log_time(self.bob, 5, name="Evening"))
        self.assertIn("Bob Design has 13.0 h on 03/10/2026", self.audit()[evening])

    def test_zero_rate_missing_description_age_and_closed_task(self):
        nobody = self.env["hr.employee"].create({"name": "Carl Temp"})
        self.service.lst_price = 0
        zero = self.item_of(self.log_time(nobody, 1, name="Pro bono"))
        nameless = self.item_of(self.log_time(self.alice, 1, name="/", task=self.task))
        old = self.item_of(self.log_time(self.bob, 1, name="Old work", day="2025-11-02"))
        with freeze_time("2026-03-20 17:00"):
            self.task.state = "1_done"
        closed = self.item_of(
            self.log_time(self.bob, 1, name="After closing", task=self.task, day="2026-03-25")
        )
        flags = self.audit()
        self.assertEqual(flags[zero], "Zero rate.")
        # worked on 10 March, while the task was open (before: also "Time on the
        # closed task", as all the time of every task closed since)
        self.assertEqual(flags[nameless], "No description of the work.")
        self.assertEqual(flags[old], "Older than 90 days.")
        self.assertEqual(flags[closed], "Time on the closed task Design.")

    def test_flags_do_not_outlive_the_items_to_bill(self):
        """An item leaves the audit when it leaves the items to bill: the copy of a
        duplicate written off, an item fixed and invoiced before the next audit,
        are no longer flagged (before: flagged for good, and counted again by
        Unbilled Work once back to bill)."""
        first = self.item_of(self.log_time(self.alice, 2, name="Design review"))
        copy = self.item_of(self.log_time(self.alice, 2, name="Design review"))
        self.assertEqual(set(self.audit()), {first, copy})
        copy.action_write_off("Entered twice")
        self.assertFalse(copy.audit_flagged)
        self.assertEqual(self.audit(), {})
        self.assertFalse(first.audit_flagged)
        nameless = self.item_of(self.log_time(self.bob, 1, name="/"))
        excluded = self.item_of(self.log_time(self.bob, 1, name="/", day="2026-03-11"))
        self.assertIn(nameless, self.audit())
        excluded.action_exclude()
        self.assertFalse(excluded.audit_flagged)
        nameless.write({"name": "Login page"})
        invoice = self.invoice(self.client)
        self.assertEqual(nameless.invoice_id, invoice)
        self.assertFalse(nameless.audit_flagged)
        self.assertFalse(nameless.audit_warning)
        invoice.button_cancel()
        line = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(line.flagged_count, 0)

    def test_time_without_description_follows_its_task_s_new_name(self):
        """Time logged without a description is billed under its task's name: the
        task renamed, under its new name, and the audit still finds it has no
        description (before: the old name kept, and no longer flagged)."""
        item = self.item_of(self.log_time(self.alice, 2, task=self.task, name="/"))
        self.assertEqual(item.name, "Design")
        self.task.name = "Design, phase 1"
        self.assertEqual(item.name, "Design, phase 1")
        self.assertEqual(self.audit()[item], "No description of the work.")
        other = self.item_of(self.log_time(self.bob, 1, name="/"))
        self.project.name = "Web shop"
        self.assertEqual(other.name, "Web shop")
        self.assertEqual(self.audit()[other], "No description of the work.")

    def test_time_of_nothing_is_flagged(self):
        """0.001 h (a timer started and stopped) is 0 h on its item: billed, a line
        of nothing; the audit says so."""
        item = self.item_of(self.log_time(self.alice, 0.001, name="Timer blip"))
        self.assertEqual(item.quantity, 0)
        self.assertEqual(self.audit()[item], "Zero quantity: it bills nothing.")

    def test_fixing_clears_the_flag(self):
        item = self.item_of(self.log_time(self.alice, 1, name="/"))
        self.assertIn(item, self.audit())
        item.write({"name": "Fixed the login bug"})
        self.assertEqual(self.audit(), {})
        self.assertFalse(item.audit_flagged)

    def test_unbilled_screen_counts_flagged_items(self):
        self.log_time(self.alice, 1, name="/")
        self.log_time(self.alice, 2, name="Fine")
        self.audit()
        line = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        self.assertEqual((line.item_count, line.flagged_count), (2, 1))
        self.assertEqual(date(2026, 3, 10), line.oldest_date)

    def test_what_is_fixed_or_found_since_the_audit_shows_at_once(self):
        """The cockpit's flags follow the clerk's work, not the next audit: a rate
        set clears "Zero rate."; writing one of two duplicates off clears the
        other's flag; an employee changing time written down flags it (a run
        before the nightly audit billed the hours written down, unflagged)."""
        self.service.lst_price = 0
        nobody = self.env["hr.employee"].create({"name": "Carl Temp"})
        zero = self.item_of(self.log_time(nobody, 1, name="Pro bono"))
        first, second = (
            self.item_of(self.log_time(self.alice, 2, name="Design review")) for _i in range(2)
        )
        written_down = self.log_time(self.bob, 3, name="Workshop")
        self.assertEqual(set(self.audit()), set(zero | first | second))
        zero.write({"price_unit": 90, "adjustment_reason": "Rate forgotten"})
        self.assertFalse(zero.audit_flagged)
        second.action_exclude()
        self.assertFalse(first.audit_flagged)
        item = self.item_of(written_down)
        item.write({"quantity": 2, "adjustment_reason": "Learning curve"})
        self.assertFalse(item.audit_flagged)
        written_down.unit_amount = 5
        self.assertTrue(item.quantity_outdated)
        self.assertTrue(item.audit_flagged)
        self.assertIn("Set the billable quantity again", item.audit_warning)

    def test_work_before_its_currencys_first_rate_is_flagged(self):
        """Priced in its client's euro pricelist (an employee without a rate:
        the service's price, 100 USD), work dated before the euro's first rate
        was converted one to one (Odoo's rate where it has none): 100 EUR. The
        audit says so; a rate added for its day prices it again (50 EUR)."""
        self.env["res.currency.rate"].search([("currency_id", "=", self.eur.id)]).unlink()
        self.env["res.currency.rate"].create(
            {"currency_id": self.eur.id, "name": "2026-03-20", "rate": 0.8}
        )
        self.service.lst_price = 100
        nobody = self.env["hr.employee"].create({"name": "Carl Temp"})
        item = self.item_of(self.log_time(nobody, 1, project=self.project_eur, name="Setup"))
        self.assertEqual((item.price_unit, item.currency_id), (100, self.eur))
        self.assertIn(
            f"{self.eur.name} has no exchange rate on or before 03/10/2026", self.audit()[item]
        )
        self.env["res.currency.rate"].create(
            {"currency_id": self.eur.id, "name": "2026-03-01", "rate": 0.5}
        )
        self.assertEqual(item.price_unit, 50)
        self.assertNotIn(item, self.audit())

    def test_a_rate_prices_the_work_of_its_days(self):
        """The rate of 1 January prices the work done until the next rate (1
        April), and work dated by hand (priced on its work's day): corrected,
        it re-prices those, not the work of April."""
        january = self.env["res.currency.rate"].search(
            [("currency_id", "=", self.eur.id), ("name", "=", "2026-01-01")]
        )
        march = self.item_of(self.log_time(self.alice, 1, day="2026-03-10"))
        april = self.item_of(self.log_time(self.alice, 1, day="2026-04-10"))
        redated = self.item_of(self.log_time(self.alice, 1, day="2026-03-11"))
        redated.date = "2026-04-12"
        priced = self.Item.search(january._invoicera_work_priced())
        self.assertIn(march, priced)
        self.assertNotIn(april, priced)
        self.assertIn(redated, priced)
