from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tests import tagged
from odoo.tools import SQL

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestTimeItemQueries(InvoiceraTimesheetCase):
    """Time on a project that does not bill here (internal work, time off) has no
    billable item to look for: logging it reads no item, however often it is done."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.internal = cls.env["project.project"].create(
            {"name": "Internal", "allow_billable": False, "allow_timesheets": True}
        )

    def item_queries(self, function):
        """The queries on billable items that ``function()`` makes (flushed)."""
        self.env.flush_all()
        queries = []
        execute = Cursor.execute

        def logged(cr, query, params=None, log_exceptions=True):
            code = query.code if isinstance(query, SQL) else str(query)
            if "invoicera_billable_item" in code:
                queries.append(code)
            return execute(cr, query, params, log_exceptions)

        with patch.object(Cursor, "execute", logged):
            function()
            self.env.flush_all()
        return queries

    def test_time_on_a_project_not_billed_here_reads_no_item(self):
        lines = []
        queries = self.item_queries(
            lambda: lines.append(self.log_time(self.alice, 2, project=self.internal))
        )
        self.assertEqual(queries, [], "time never billed here: no item to read")
        self.assertFalse(lines[0].so_line)
        self.assertFalse(self.item_of(lines[0]))

    def test_time_on_a_billable_project_still_gets_its_item(self):
        lines = []
        self.item_queries(lambda: lines.append(self.log_time(self.alice, 2)))
        self.assertRecordValues(self.item_of(lines[0]), [{"quantity": 2, "price_unit": 90}])
