from datetime import date

from odoo.tests import tagged

from .common import InvoiceraTimesheetCase


@tagged("post_install", "-at_install")
class TestInvoiceClientLanguage(InvoiceraTimesheetCase):
    """An invoice's lines are in its client's language, as its time annex is and
    as Odoo's sale flow writes them: the project's and the product's names too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.client.lang = "fr_FR"
        cls.project.update_field_translations("name", {"fr_FR": "Site web"})
        cls.service.product_tmpl_id.update_field_translations("name", {"fr_FR": "Temps de travail"})
        cls.english = cls.env["project.project"].create(
            {"name": "Intranet", "partner_id": cls.client_eur.id, "allow_billable": True}
        )
        cls.english.update_field_translations("name", {"fr_FR": "Réseau interne"})
        cls.log_time(cls.alice, 2, day="2026-03-02", task=cls.task, name="Wireframes")
        cls.log_time(cls.bob, 1, day="2026-03-03", project=cls.english, name="Setup")

    def test_line_names_the_project_in_the_clients_language(self):
        invoice = self.invoice(self.client)
        self.assertEqual(len(invoice.invoice_line_ids), 1)
        name = invoice.invoice_line_ids.name
        self.assertTrue(
            name.startswith("Site web · "),
            f"a French client's line names the project in French: {name!r}",
        )
        self.assertIn("Temps de travail", name)
        self.assertIn("(02/03/2026)", name, "the period too, as French dates")
        self.assertEqual(invoice.invoice_origin, "Site web", "its source, on the PDF too")

    def test_lines_in_the_language_of_the_invoice_address(self):
        """Acme writes English but its accounts payable contact, the invoice's
        address, French: the PDF, the e-mail and the annex are in French (Odoo's
        and ours, in the invoice partner's language), and so are its lines and
        its source (they were English)."""
        self.client.lang = "en_US"
        self.env["res.partner"].create(
            {
                "name": "Comptabilité",
                "type": "invoice",
                "parent_id": self.client.id,
                "lang": "fr_FR",
            }
        )
        invoice = self.invoice(self.client)
        self.assertEqual(invoice.partner_id.lang, "fr_FR")
        self.assertTrue(invoice.invoice_line_ids.name.startswith("Site web · "))
        self.assertEqual(invoice.invoice_origin, "Site web")

    def test_per_task_lines_in_the_clients_language(self):
        self.client.invoicera_invoice_detail = "task"
        name = self.invoice(self.client).invoice_line_ids.name
        self.assertTrue(name.startswith("Site web · Design · [TIME] Temps de travail"), name)

    def test_clients_of_several_languages_invoiced_together(self):
        """Invoiced in one batch (a billing run) by a French-speaking user: each
        client reads its own language."""
        items = self.Item.search([("partner_id", "in", (self.client | self.client_eur).ids)])
        moves = items.with_context(lang="fr_FR")._invoice(self.company, date(2026, 3, 31))
        by_client = {move.partner_id: move.invoice_line_ids.name for move in moves}
        self.assertTrue(by_client[self.client].startswith("Site web · "), by_client)
        self.assertTrue(by_client[self.client_eur].startswith("Intranet · "), by_client)
        self.assertNotIn("Temps de travail", by_client[self.client_eur])

    def test_billing_user_invoices_a_private_project_in_the_clients_language(self):
        """A Billing User who may not read the project ("Invited internal users")
        invoices its French client: the line names it in French."""
        self.project.privacy_visibility = "followers"
        user = self.billing_user
        self.assertFalse(self.project.with_user(user).has_access("read"))
        items = self.Item.search(
            self.Item._billable_domain(self.company, date(2026, 3, 31), partners=self.client)
        )
        self.env.invalidate_all()
        invoice = items.with_user(user)._invoice(self.company, date(2026, 3, 31))
        self.assertTrue(invoice.invoice_line_ids.name.startswith("Site web · "))


@tagged("post_install", "-at_install")
class TestInvoiceClientLanguageQueries(InvoiceraTimesheetCase):
    """Names in the client's language cost a few queries per invoice, whatever
    the number of its lines: read once per language for all its projects."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.clients = {}
        for lang in ("fr_FR", "en_US"):
            for count in (1, 1, 3):
                partner = cls.env["res.partner"].create(
                    {"name": f"{lang} {count}", "is_company": True, "lang": lang}
                )
                for n in range(count):
                    project = cls.env["project.project"].create(
                        {
                            "name": f"Project {n}",
                            "partner_id": partner.id,
                            "allow_billable": True,
                        }
                    )
                    project.update_field_translations("name", {"fr_FR": f"Projet {n}"})
                    cls.log_time(cls.alice, 1, project=project)
                cls.clients.setdefault((lang, count), []).append(partner)

    def queries(self, partner, day):
        items = self.Item.search(self.Item._billable_domain(self.company, day, partner))
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        invoice = items._invoice(self.company, day)
        count = self.env.cr.sql_log_count - before
        expected = "Projet" if partner.lang == "fr_FR" else "Project"
        self.assertTrue(
            all(n.startswith(expected) for n in invoice.invoice_line_ids.mapped("name"))
        )
        return count

    def test_queries_do_not_grow_with_lines_in_another_language(self):
        # the first invoice in each language fills caches: not counted
        for lang in ("fr_FR", "en_US"):
            self.invoice(self.clients[lang, 1][0], date(2026, 3, 20))
        cost = {
            (lang, count): self.queries(self.clients[lang, count][-1], date(2026, 3, 20 + day))
            for day, (lang, count) in enumerate(
                [("fr_FR", 1), ("fr_FR", 3), ("en_US", 1), ("en_US", 3)], start=1
            )
        }
        self.assertEqual(
            cost["fr_FR", 3] - cost["en_US", 3],
            cost["fr_FR", 1] - cost["en_US", 1],
            f"French names cost more queries per line: {cost}",
        )
