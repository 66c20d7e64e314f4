import json
from datetime import timedelta

from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon

API = "/api/billing/v1"


@tagged("post_install", "-at_install")
class TestBillingApi(InvoiceraPortalCommon, HttpCase):
    """The mobile app's JSON API: its answers match its OpenAPI document, and a
    client reaches its own documents only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        cls.overdue, cls.open = cls.make_invoices(cls.client_a, [(120, -10), (80, 15)])
        cls.foreign = cls.make_invoices(cls.client_b, [(555, -20)])
        Keys = cls.env["res.users.apikeys"]
        cls.key_a = Keys.with_user(cls.user_a1).sudo()._generate("rpc", "Mobile app", None)
        cls.key_b = Keys.with_user(cls.user_b).sudo()._generate("rpc", "Mobile app", None)

    def setUp(self):
        super().setUp()
        self.spec = self.url_open(f"{API}/openapi.json").json()
        self.schemas = Registry().with_resource("urn:spec", Resource.opaque(self.spec))

    def get(self, path, key=None, headers=None, expect=200):
        headers = dict(headers or {})
        if key:
            headers["Authorization"] = f"Bearer {key}"
        response = self.url_open(f"{API}{path}", headers=headers, allow_redirects=False)
        self.assertEqual(response.status_code, expect, response.text[:500])
        return response

    def assertMatches(self, data, schema):
        """``data`` is valid for ``#/components/schemas/<schema>`` of the served document."""
        OAS30Validator(
            {"$ref": f"urn:spec#/components/schemas/{schema}"}, registry=self.schemas
        ).validate(data)

    def test_openapi_document_is_valid(self):
        validate(self.spec)
        self.assertEqual(
            set(self.spec["paths"]),
            {
                "/summary",
                "/invoices",
                "/invoices/{invoice_id}",
                "/invoices/{invoice_id}/pdf",
                "/invoices/{invoice_id}/payment-link",
            },
        )

    def test_summary(self):
        data = self.get("/summary", key=self.key_a).json()
        self.assertMatches(data, "Summary")
        (usd,) = data["currencies"]
        self.assertEqual(
            (usd["outstanding"], usd["overdue"], usd["open_invoices"], usd["aging"]["d1_30"]),
            (200, 120, 2, 120),
        )

    def test_invoices_are_the_clients_own(self):
        data = self.get("/invoices?status=all", key=self.key_a).json()
        self.assertMatches(data, "InvoiceList")
        self.assertEqual(
            {i["number"] for i in data["invoices"]}, {self.overdue.name, self.open.name}
        )
        self.assertEqual(data["count"], 2)
        detail = self.get(f"/invoices/{self.overdue.id}", key=self.key_a).json()
        self.assertMatches(detail, "InvoiceDetail")
        self.assertEqual((detail["amount_due"]["amount"], detail["overdue"]), (120, True))
        self.assertEqual(detail["lines"][0]["description"], "Consulting")

    def test_an_invoice_with_an_overdue_instalment(self):
        """An invoice whose first instalment (30% of 1,000) was due 10 days ago is
        overdue, though its due date (Odoo's: its last instalment's) is in 50 days;
        next_due says what falls due next and by when; the summary counts 300 of it
        overdue. A single-term invoice's next due is its due date and amount due."""
        invoice = self.make_instalment_invoice(self.client_a, 1000, (-10, 50))
        detail = self.get(f"/invoices/{invoice.id}", key=self.key_a).json()
        self.assertMatches(detail, "InvoiceDetail")
        self.assertEqual(
            (detail["due_date"], detail["overdue"], detail["next_due"]),
            (
                (self.today + timedelta(days=50)).isoformat(),
                True,
                {
                    "date": (self.today - timedelta(days=10)).isoformat(),
                    "amount": {"amount": 300, "currency": self.env.company.currency_id.name},
                },
            ),
        )
        data = self.get("/invoices", key=self.key_a).json()
        self.assertMatches(data, "InvoiceList")
        listed = {i["number"]: i for i in data["invoices"]}
        self.assertEqual(listed[invoice.name]["next_due"], detail["next_due"])
        self.assertEqual(
            (listed[self.open.name]["overdue"], listed[self.open.name]["next_due"]),
            (
                False,
                {
                    "date": listed[self.open.name]["due_date"],
                    "amount": listed[self.open.name]["amount_due"],
                },
            ),
        )
        summary = self.get("/summary", key=self.key_a).json()
        self.assertMatches(summary, "Summary")
        (usd,) = summary["currencies"]
        self.assertEqual(
            (usd["outstanding"], usd["overdue"], usd["aging"]["d1_30"], usd["aging"]["current"]),
            (1200, 420, 420, 780),
        )

    def test_a_credit_note_is_never_overdue(self):
        """A credit note is money the company owes the client: though its date is
        long past, the API never calls it overdue (its next_due still says what is
        left of it); the summary's overdue counts the invoices only."""
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.client_a.id,
                "invoice_date": self.today - timedelta(days=40),
                "invoice_date_due": self.today - timedelta(days=30),
                "invoice_line_ids": [self.consulting_line(50)],
            }
        )
        refund.action_post()
        detail = self.get(f"/invoices/{refund.id}", key=self.key_a).json()
        self.assertMatches(detail, "InvoiceDetail")
        self.assertEqual(
            (detail["type"], detail["overdue"], detail["next_due"]),
            (
                "credit_note",
                False,
                {
                    "date": (self.today - timedelta(days=30)).isoformat(),
                    "amount": {"amount": 50, "currency": self.env.company.currency_id.name},
                },
            ),
        )
        data = self.get("/invoices", key=self.key_a).json()
        self.assertMatches(data, "InvoiceList")
        self.assertEqual(
            {i["number"]: i["overdue"] for i in data["invoices"]},
            {refund.name: False, self.overdue.name: True, self.open.name: False},
        )
        (usd,) = self.get("/summary", key=self.key_a).json()["currencies"]
        self.assertEqual((usd["overdue"], usd["available_credit"]), (120, 50))

    def test_another_clients_invoice_is_not_found(self):
        for path in (
            f"/invoices/{self.foreign.id}",
            f"/invoices/{self.foreign.id}/pdf",
            f"/invoices/{self.foreign.id}/payment-link",
            "/invoices/999999999",
        ):
            with self.subTest(path=path):
                error = self.get(path, key=self.key_a, expect=404).json()
                self.assertMatches(error, "Error")
                self.assertEqual(error["error"]["code"], "not_found")
        data = self.get("/invoices?status=all", key=self.key_b).json()
        self.assertEqual([i["number"] for i in data["invoices"]], [self.foreign.name])

    def test_huge_numbers_get_json_answers(self):
        """Ids and offsets past what the database holds: JSON answers, not a server error."""
        for path in ("/invoices/99999999999", "/invoices/99999999999999999999999/pdf"):
            with self.subTest(path=path):
                error = self.get(path, key=self.key_a, expect=404).json()
                self.assertMatches(error, "Error")
                self.assertEqual(error["error"]["code"], "not_found")
        for offset in ("9223372036854775808", "99999999999999999999999"):
            with self.subTest(offset=offset):
                data = self.get(f"/invoices?status=all&offset={offset}", key=self.key_a).json()
                self.assertMatches(data, "InvoiceList")
                self.assertEqual((data["count"], data["invoices"]), (2, []))

    def test_pdf_and_payment_link(self):
        response = self.get(f"/invoices/{self.overdue.id}/pdf", key=self.key_a)
        self.assertEqual(response.headers["Content-Type"], "application/pdf")
        self.assertIn(self.overdue.name.replace("/", "_"), response.headers["Content-Disposition"])
        link = self.get(f"/invoices/{self.overdue.id}/payment-link", key=self.key_a).json()
        self.assertMatches(link, "PaymentLink")
        self.assertIn("access_token=", link["url"])
        # The link opens the invoice's payment page without logging in.
        self.authenticate(None, None)
        page = self.url_open(link["url"].replace(self.base_url(), ""))
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.overdue.name, page.text)

    def test_credentials(self):
        for headers in ({}, {"Authorization": "Bearer wrong-key"}, {"Authorization": "Basic abc"}):
            with self.subTest(headers=headers):
                error = self.get("/summary", headers=headers, expect=401).json()
                self.assertMatches(error, "Error")
                self.assertEqual(error["error"]["code"], "unauthorized")
        # A portal session works too.
        self.authenticate(self.user_a2.login, self.user_a2.login)
        data = self.get("/summary").json()
        self.assertEqual(data["client"], "Alpha Corp")

    def test_bad_parameters(self):
        for query in ("limit=0", "limit=500", "limit=x", "offset=-1", "status=late"):
            with self.subTest(query=query):
                error = self.get(f"/invoices?{query}", key=self.key_a, expect=400).json()
                self.assertEqual(error["error"]["code"], "bad_request")
        self.assertEqual(
            self.get("/nothing/here", key=self.key_a, expect=404).json()["error"]["code"],
            "not_found",
        )
        paid_link = self.get(f"/invoices/{self.open.id}/payment-link", key=self.key_a)
        self.assertEqual(json.loads(paid_link.text)["amount_due"]["amount"], 80)

    def test_answers_stay_json_for_what_the_api_refuses(self):
        """An employee's key without invoicing rights gets a JSON 403 (not Odoo's HTML
        error page); a method other than GET, a JSON 405; an invoice whose payment
        staff blocked, or any invoice once online payment is off, gets no payment link."""
        employee = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Warehouse Clerk",
                    "login": "clerk@example.com",
                    "groups_id": [Command.set(self.env.ref("base.group_user").ids)],
                }
            )
        )
        key = self.env["res.users.apikeys"].with_user(employee).sudo()._generate("rpc", "App", None)
        for path in ("/invoices", f"/invoices/{self.open.id}"):
            with self.subTest(path=path):
                error = self.get(path, key=key, expect=403).json()
                self.assertMatches(error, "Error")
                self.assertEqual(error["error"]["code"], "forbidden")
        # the summary is a client's account: an employee, whose contact anyone with
        # Contact rights may attach to a client, does not read its credit there
        # (as the portal's dashboard, refused to employees)
        employee.partner_id.parent_id = self.client_a
        error = self.get("/summary", key=key, expect=403).json()
        self.assertEqual(error["error"]["code"], "forbidden")
        response = self.url_open(
            f"{API}/invoices", data="{}", headers={"Authorization": f"Bearer {self.key_a}"}
        )
        self.assertEqual(response.status_code, 405, response.text[:300])
        self.assertEqual(response.json()["error"]["code"], "method_not_allowed")
        self.open.action_toggle_block_payment()
        error = self.get(f"/invoices/{self.open.id}/payment-link", key=self.key_a, expect=400)
        self.assertEqual(error.json()["error"]["message"], "This invoice cannot be paid online.")
        self.env["ir.config_parameter"].set_param("account_payment.enable_portal_payment", False)
        self.get(f"/invoices/{self.overdue.id}/payment-link", key=self.key_a, expect=400)
