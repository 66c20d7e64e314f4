from lxml import etree

from odoo.tests import tagged

from .common import InvoiceraPortalCase


@tagged("post_install", "-at_install")
class TestPromiseForm(InvoiceraPortalCase):
    def test_the_promised_date_has_its_own_label_on_the_invoice(self):
        """On the invoice form the promised date is a field of its own, labelled,
        below the due date (before: an unlabelled date beside the due date or
        the payment terms, read as one of them)."""
        arch = self.env["account.move"].get_views([(False, "form")])["views"]["form"]["arch"]
        (field,) = etree.fromstring(arch).xpath("//field[@name='invoicera_promised_date']")
        self.assertEqual(field.getparent().tag, "group")
        self.assertFalse(field.xpath("ancestor::div[@name='due_date']"))
