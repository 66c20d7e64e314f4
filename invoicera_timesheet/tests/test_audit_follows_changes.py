import difflib

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import InvoiceraTimesheetCase

DUPLICATE = "Possible duplicate: 2 identical entries."


class AuditCase(InvoiceraTimesheetCase):
    """Time of Alice and Bob, audited as billing staff run the audit."""

    def audit(self):
        items = self.Item.search([("partner_id", "in", (self.client | self.client_eur).ids)])
        return {item: item.audit_warning for item in self.Item._audit(items)}

    def flagged(self):
        """What the cockpit (Unbilled Work) shows of the dollar client: (items,
        flagged items)."""
        # (a report of the database: read anew)
        self.env.invalidate_all()
        line = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        return line.item_count, line.flagged_count

    def duplicates(self):
        """Two identical entries of Alice's, flagged by the audit: their lines."""
        lines = self.log_time(self.alice, 2, name="Design review") | self.log_time(
            self.alice, 2, name="Design review"
        )
        first, second = self.item_of(lines)
        self.assertEqual(self.audit(), {first: DUPLICATE, second: DUPLICATE})
        return lines

    def long_day(self):
        """Alice's 8 h and 5 h of 10 March, both flagged (13 h): their lines."""
        morning = self.log_time(self.alice, 8, name="Morning")
        evening = self.log_time(self.alice, 5, name="Evening")
        self.assertEqual(
            set(self.audit().values()),
            {"Alice Dev has 13.0 h on 03/10/2026 (more than 12.0 h)."},
        )
        self.assertEqual(len(self.audit()), 2)
        return morning, evening


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestFlagsFollowTheClerksWork(AuditCase):
    """The cockpit's flags follow the fix or the undo of a duplicate or of a long
    day at once, on every item of the employee's day, not at the next audit."""

    def test_a_duplicate_described_anew_is_no_longer_its_twin_s(self):
        """One of two identical "Design review" given a description of its own:
        neither is a duplicate any longer (before: its twin kept "Possible
        duplicate: 2 identical entries." and the cockpit 1 flagged item)."""
        first, second = self.item_of(self.duplicates())
        first.with_user(self.billing_user).write({"name": "Design review, checkout"})
        self.assertFalse(first.audit_flagged)
        self.assertFalse(second.audit_flagged)
        self.assertFalse(second.audit_warning)
        self.assertEqual(self.flagged(), (2, 0))
        # and described as its twin again: both are flagged again at once
        first.with_user(self.billing_user).write({"name": "Design review"})
        self.assertEqual((first.audit_warning, second.audit_warning), (DUPLICATE, DUPLICATE))
        self.assertEqual(self.flagged(), (2, 2))

    def test_deleting_the_duplicate_time_clears_its_twin(self):
        """The duplicate timesheet deleted (the real fix): the remaining entry is no
        longer flagged (before: "Possible duplicate: 2 identical entries." until
        the next audit)."""
        lines = self.duplicates()
        kept = self.item_of(lines[0])
        lines[1].unlink()
        self.assertFalse(kept.audit_flagged)
        self.assertEqual(self.flagged(), (1, 0))

    def test_deleting_time_of_a_long_day_clears_the_day(self):
        """The 5 h of a 13-hour day deleted: the 8 h left are no longer flagged
        (before: "Alice Dev has 13.0 h" until the next audit)."""
        morning, evening = self.long_day()
        evening.unlink()
        self.assertFalse(self.item_of(morning).audit_flagged)
        self.assertEqual(self.flagged(), (1, 0))

    def test_time_corrected_clears_the_long_day(self):
        """8 h and 5 h flagged as 13 h, the 5 h corrected to 3 h: 11 h, neither
        entry flagged (before: both still said "Alice Dev has 13.0 h on
        03/10/2026 (more than 12.0 h).")."""
        morning, evening = self.long_day()
        evening.unit_amount = 3
        self.assertEqual(self.item_of(evening).worked_quantity, 3)
        self.assertFalse(self.item_of(morning | evening).filtered("audit_flagged"))
        self.assertEqual(self.flagged(), (2, 0))
        # and 7 h logged instead: 15 h, both flagged again at once
        evening.unit_amount = 7
        self.assertEqual(
            set(self.item_of(morning | evening).mapped("audit_warning")),
            {"Alice Dev has 15.0 h on 03/10/2026 (more than 12.0 h)."},
        )

    def test_internal_time_corrected_or_deleted_clears_the_long_day(self):
        """8 h billable and 5 h of internal time (no item) flagged as 13 h: the
        internal time cut to 3 h, or deleted, clears the flag at once (before:
        "13.0 h" until the next audit); made 7 h, the day is flagged again."""
        internal = self.env["project.project"].create(
            {"name": "Internal", "allow_timesheets": True, "allow_billable": False}
        )
        morning = self.log_time(self.alice, 8, name="Morning")
        training = self.log_time(self.alice, 5, name="Training", project=internal)
        self.assertEqual(
            self.audit(),
            {self.item_of(morning): "Alice Dev has 13.0 h on 03/10/2026 (more than 12.0 h)."},
        )
        training.unit_amount = 3
        self.assertFalse(self.item_of(morning).audit_flagged)
        self.assertEqual(self.flagged(), (1, 0))
        training.unit_amount = 7
        self.assertEqual(
            self.item_of(morning).audit_warning,
            "Alice Dev has 15.0 h on 03/10/2026 (more than 12.0 h).",
        )
        training.unlink()
        self.assertFalse(self.item_of(morning).audit_flagged)

    def test_employees_correct_or_delete_their_internal_time(self):
        """An employee without billing rights corrects, then deletes, internal
        time of a long day: the day's items are audited again all the same.
        Before, they were refused: "You are not allowed to access 'Billable
        Item'" (Odoo's own sale_timesheet tests found it)."""
        user = new_test_user(
            self.env,
            login="alice_timesheets",
            groups="base.group_user,hr_timesheet.group_hr_timesheet_user",
        )
        self.alice.user_id = user
        internal = self.env["project.project"].create(
            {"name": "Internal", "allow_timesheets": True, "allow_billable": False}
        )
        morning = self.log_time(self.alice, 8, name="Morning")
        training = self.log_time(self.alice, 5, name="Training", project=internal)
        self.audit()
        self.assertTrue(self.item_of(morning).audit_flagged)
        training.with_user(user).unit_amount = 3
        self.assertFalse(self.item_of(morning).audit_flagged)
        training.with_user(user).unit_amount = 7
        self.assertTrue(self.item_of(morning).audit_flagged)
        training.with_user(user).unlink()
        self.assertFalse(self.item_of(morning).audit_flagged)
        # time invoiced here: refused with the items' message (before, Odoo's
        # check of its invoice, read as the employee: "not allowed to access
        # 'Journal Entry'")
        self.invoice(self.client, post=True)
        self.env.invalidate_all()  # read as the employee, not from the cache
        with self.assertRaisesRegex(UserError, "These items are invoiced and locked"):
            morning.with_user(user).unlink()

    def test_warnings_of_a_change_at_the_source_are_in_the_company_s_language(self):
        """A French-speaking employee corrects time of a long day: the warnings
        the audit writes again are in the company's language, as the nightly
        audit's, not in the employee's (before: in French for the English
        clerk)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        morning, evening = self.long_day()
        evening.with_context(lang="fr_FR").unit_amount = 6
        self.assertEqual(
            set(self.item_of(morning | evening).mapped("audit_warning")),
            {"Alice Dev has 14.0 h on 03/10/2026 (more than 12.0 h)."},
        )

    def test_an_excluded_copy_included_again_is_a_duplicate_again(self):
        """A copy excluded, then included again: both identical entries are
        flagged again, and the cockpit says 2 flagged of 2 (before: neither
        flagged, 0 flagged of 2, until the next audit)."""
        first, second = self.item_of(self.duplicates()).with_user(self.billing_user)
        second.action_exclude()
        self.assertFalse(first.audit_flagged)
        self.assertEqual(self.flagged(), (1, 0))
        second.action_include()
        self.assertEqual((first.audit_warning, second.audit_warning), (DUPLICATE, DUPLICATE))
        self.assertEqual(self.flagged(), (2, 2))

    def test_reauditing_costs_the_same_for_2_or_20_items(self):
        """Describing items anew, correcting their time or deleting it audits
        again their employees' days with as many queries for 20 items as for 2."""
        kept = lines = self.env["account.analytic.line"]
        for n in range(24):
            employee, day = (self.alice, self.bob)[n % 2], f"2026-03-{1 + n // 2:02d}"
            kept |= self.log_time(employee, 1, day=day, name="Work")
            lines |= self.log_time(employee, 1, day=day, name="Work")
        items = self.item_of(kept)
        self.assertEqual(len(self.audit()), 48, "24 duplicates")

        def queries(function):
            self.env.flush_all()
            self.env.invalidate_all()
            with self.logged_queries() as logged:
                function()
                self.env.flush_all()
            return logged

        def differ(two, twenty):
            """Which queries differ, on a difference (their SQL, in order)."""
            return "\n".join(difflib.unified_diff(two, twenty, "2 items", "20 items", lineterm=""))

        clerk = self.billing_user
        # (the first write and deletion fill caches: not counted)
        queries(lambda: items[:2].with_user(clerk).write({"name": "Warm-up"}))
        two = queries(lambda: items[2:4].with_user(clerk).write({"name": "Checkout"}))
        twenty = queries(lambda: items[4:24].with_user(clerk).write({"name": "Checkout"}))
        self.assertEqual(len(two), len(twenty), differ(two, twenty))
        queries(lambda: lines[:2].write({"unit_amount": 2}))
        two = queries(lambda: lines[2:4].write({"unit_amount": 2}))
        twenty = queries(lambda: lines[4:24].write({"unit_amount": 2}))
        self.assertEqual(len(two), len(twenty), differ(two, twenty))
        queries(lambda: lines[:2].unlink())
        two = queries(lambda: lines[2:4].unlink())
        twenty = queries(lambda: lines[4:24].unlink())
        self.assertEqual(len(two), len(twenty), differ(two, twenty))


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAuditOfClosedTasks(AuditCase):
    def test_time_after_closing_a_task_moved_to_another_stage(self):
        """A task done on 5 March and moved to another stage on 20 March (still
        done): time dated 10 March is after its closing, flagged; time of 4
        March is not (before: not flagged, the stage's move taken for its
        closing, and a flag raised before the move cleared by the next audit)."""
        stages = self.env["project.task.type"].create(
            [
                {"name": "Review", "project_ids": [self.project.id]},
                {"name": "Archive", "project_ids": [self.project.id]},
            ]
        )
        # as in Odoo: its state's changes tracked in the chatter
        task = self.task.with_context(tracking_disable=False)
        task.stage_id = stages[0]
        with freeze_time("2026-03-05 10:00"):
            task.state = "1_done"
            self.env.flush_all()
            self.env.cr.precommit.run()
        before = self.item_of(
            self.log_time(self.bob, 1, task=self.task, day="2026-03-04", name="Before closing")
        )
        after = self.item_of(
            self.log_time(self.bob, 1, task=self.task, day="2026-03-10", name="After closing")
        )
        self.assertEqual(self.audit(), {after: "Time on the closed task Design."})
        with freeze_time("2026-03-20 10:00"):
            task.stage_id = stages[1]
            self.env.flush_all()
            self.env.cr.precommit.run()
        self.assertEqual(task.state, "1_done")
        self.assertEqual(self.audit(), {after: "Time on the closed task Design."})
        self.assertFalse(before.audit_flagged)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAuditOfRedatedTime(AuditCase):
    def test_time_dated_anew_counts_on_its_new_day(self):
        """Alice's 8 h of 10 March, 5 h and 8 h of 11 March (13 h, flagged). The
        clerk dates the 5 h on 10 March: that day has 13 h, both its items are
        flagged, and 11 March no longer counts the 5 h, its 8 h no longer flagged
        (before: 10 March not flagged, 11 March still 13 h)."""
        ten = self.item_of(self.log_time(self.alice, 8, name="Checkout page"))
        moved = self.item_of(self.log_time(self.alice, 5, day="2026-03-11", name="Evening"))
        eleven = self.item_of(self.log_time(self.alice, 8, day="2026-03-11", name="Search page"))
        too_long = "Alice Dev has 13.0 h on %s (more than 12.0 h)."
        self.assertEqual(
            self.audit(), {moved: too_long % "03/11/2026", eleven: too_long % "03/11/2026"}
        )
        moved.with_user(self.billing_user).write({"date": "2026-03-10"})
        flags = {ten: too_long % "03/10/2026", moved: too_long % "03/10/2026"}
        self.assertEqual(
            {item: item.audit_warning for item in (ten | moved | eleven) if item.audit_flagged},
            flags,
            "said at once",
        )
        self.assertEqual(self.audit(), flags, "and by the next audit")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-31")
class TestAuditOfDeferredItems(AuditCase):
    def test_a_deferred_item_is_not_too_old(self):
        """An item of 2 November 2025 deferred until June 2026: billed later by
        the clerk's choice, not flagged "Older than 90 days." nor counted as
        flagged by the cockpit (before: flagged every night); included again, it
        is flagged again."""
        old = self.item_of(self.log_time(self.bob, 1, name="Old work", day="2025-11-02"))
        self.assertEqual(self.audit(), {old: "Older than 90 days."})
        old.with_user(self.billing_user).action_defer("2026-06-01")
        self.assertFalse(old.audit_flagged)
        self.assertEqual(self.audit(), {})
        line = self.env["invoicera.unbilled.client"].search([("partner_id", "=", self.client.id)])
        self.assertEqual(line.flagged_count, 0)
        old.with_user(self.billing_user).action_include()
        self.assertEqual(old.audit_warning, "Older than 90 days.")
