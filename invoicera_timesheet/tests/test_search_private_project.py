from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestSearchPrivateProject(InvoiceraTimesheetCase):
    """Billing staff bill the work of projects they are not invited to: its
    items show the project and task, and searching them by that name finds
    them (it found nothing: Odoo looked the name up among the projects the
    user may read)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # names of their own (the demo data has a "Website Redesign")
        cls.project.write({"name": "Quasar Intranet", "privacy_visibility": "followers"})
        cls.task.name = "Quasar wireframes"
        cls.log_time(cls.alice, 3, task=cls.task)
        cls.log_time(cls.bob, 2)
        cls.log_time(cls.bob, 4, project=cls.project_eur)

    def search_by(self, model, fname, text, record=None):
        """What the clerk finds typing ``text`` in the search view's ``fname``,
        or picking ``record`` among its suggestions (named ``text``)."""
        Model = self.env[model].with_user(self.billing_user)
        arch = Model.get_views([(False, "search")])["views"]["search"]["arch"]
        field = etree.fromstring(arch).find(f".//field[@name='{fname}']")
        # as the web client: raw_value is what was typed, or the record picked
        context = {"self": text, "raw_value": record.id if record else text}
        return Model.search(safe_eval(field.get("filter_domain"), context))

    def test_items_found_by_project_and_task_name(self):
        with self.assertRaises(AccessError):
            self.project.with_user(self.billing_user).check_access("read")
        items = self.search_by("invoicera.billable.item", "project_id", "quasar intr")
        self.assertEqual(items.mapped("project_id"), self.project)
        self.assertEqual(sorted(items.mapped("quantity")), [2.0, 3.0])
        items = self.search_by("invoicera.billable.item", "task_id", "quasar wire")
        self.assertEqual(items.mapped("quantity"), [3.0])

    def test_a_project_picked_among_the_suggestions_is_that_project(self):
        """A project the clerk reads, picked among the suggestions, finds its
        items only: not those of another project of the same name."""
        self.project_eur.name = "Quasar Intranet"
        items = self.search_by(
            "invoicera.billable.item", "project_id", "Quasar Intranet", self.project_eur
        )
        self.assertEqual(items.mapped("quantity"), [4.0])
        self.assertEqual(
            self.search_by("invoicera.billable.item", "project_id", "Quasar Intranet").project_id,
            self.project | self.project_eur,
        )

    def test_reports_found_by_project_name(self):
        # unbilled work aging, then realization once billed
        rows = self.search_by("invoicera.unbilled.aging", "project_id", "quasar intr")
        self.assertEqual(rows.mapped("project_id"), self.project)
        self.invoice(self.client, post=True)
        rows = self.search_by("invoicera.realization.report", "project_id", "quasar intr")
        self.assertEqual(rows.mapped("project_id"), self.project)
        self.assertEqual(sorted(rows.mapped("billed_value")), [120.0, 270.0])
