from unittest.mock import patch

from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource

from odoo.exceptions import AccessError, MissingError, UserError
from odoo.tests import HttpCase, tagged

from .common import InvoiceraPortalCommon

API = "/api/billing/v1"


@tagged("post_install", "-at_install")
class TestApiErrors(InvoiceraPortalCommon, HttpCase):
    """What goes wrong deeper in Odoo still gets the app a JSON answer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_clients()
        [cls.invoice] = cls.make_invoices(cls.client_a, [(300, 10)])
        cls.key_a = (
            cls.env["res.users.apikeys"]
            .with_user(cls.user_a1)
            .sudo()
            ._generate("rpc", "Mobile app", None)
        )

    def test_errors_raised_deeper_in_odoo_are_json(self):
        """The invoice's PDF fails to render (Odoo refuses it, the document is gone,
        its access is refused, or the server fails): the app gets a JSON error with
        the status its OpenAPI document gives, not Odoo's HTML error page; the
        server's failure is logged and its details are not shown."""
        spec = self.url_open(f"{API}/openapi.json").json()
        responses = spec["paths"]["/invoices/{invoice_id}/pdf"]["get"]["responses"]
        schemas = Registry().with_resource("urn:spec", Resource.opaque(spec))
        Move = type(self.env["account.move"])
        for error, status, code in (
            # wkhtmltopdf failing: Odoo raises a UserError with its output
            # (before: a 400, a bad request, showing the server's output)
            (
                UserError("Wkhtmltopdf failed (error code: -11). Message: internal detail"),
                500,
                "server_error",
            ),
            (AccessError("You may not read this invoice."), 403, "forbidden"),
            (MissingError("This invoice was deleted."), 404, "not_found"),
            (ZeroDivisionError("internal detail"), 500, "server_error"),
        ):
            with (
                self.subTest(error=type(error).__name__),
                patch.object(Move, "_get_invoice_legal_documents", side_effect=error),
            ):
                if status == 500:
                    with self.assertLogs("odoo.http", "ERROR"):
                        response = self.url_open(
                            f"{API}/invoices/{self.invoice.id}/pdf",
                            headers={"Authorization": f"Bearer {self.key_a}"},
                        )
                else:
                    response = self.url_open(
                        f"{API}/invoices/{self.invoice.id}/pdf",
                        headers={"Authorization": f"Bearer {self.key_a}"},
                    )
                self.assertEqual(
                    (response.status_code, response.headers.get("Content-Type")),
                    (status, "application/json; charset=utf-8"),
                    f"not a JSON error: {response.text[:200]}",
                )
                self.assertIn(str(status), responses, "a status the document does not give")
                body = response.json()
                OAS30Validator(
                    {"$ref": "urn:spec#/components/schemas/Error"}, registry=schemas
                ).validate(body)
                self.assertEqual(body["error"]["code"], code)
                if status == 500:
                    self.assertNotIn("internal detail", response.text)
                else:
                    self.assertEqual(body["error"]["message"], error.args[0])
