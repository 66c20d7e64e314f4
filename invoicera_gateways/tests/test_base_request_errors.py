"""Every ``requests`` failure of the one HTTP helper is a clear, translated error."""

from http.client import RemoteDisconnected
from unittest.mock import patch

import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from odoo.addons.account_payment.tests.common import AccountPaymentCommon

from ..gateways import GATEWAYS, base
from ..gateways.base import Gateway, GatewayUnavailable
from .common import FakeResponse

SERVER = "https://btcpay.example.com"


@tagged("post_install", "-at_install")
class TestRequestErrors(AccountPaymentCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls._prepare_provider(
            "btcpay",
            update_values={
                "invoicera_server_url": SERVER,
                "invoicera_account_id": "9CiNzKoANXxmk5ayZngSXrHTiVvvgCrwrpFQd4m2K776",
                "invoicera_secret_key": "1c5b2f0a6e8d4c3b9a7f",
            },
        )
        cls.gateway = GATEWAYS["btcpay"](cls.provider)

    def call(self):
        with self.assertLogs("odoo.addons.invoicera_gateways", level="WARNING"):
            return self.gateway.request("GET", "api/v1/stores")

    def test_a_server_url_without_scheme_is_a_configuration_error(self):
        # No network: requests refuses these URLs before connecting.
        for url in ("btcpay.example.com", "https://"):
            with self.subTest(url=url):
                self.provider.invoicera_server_url = url
                with self.assertRaises(ValidationError) as caught:
                    self.call()
                self.assertNotIsInstance(caught.exception, GatewayUnavailable)
                self.assertIsInstance(caught.exception, base.GatewayMisconfigured)
                message = str(caught.exception)
                self.assertIn(self.gateway.name, message)
                self.assertIn("https://", message, "say what to fix")
        self.provider.invoicera_server_url = SERVER

    def test_too_many_redirects_is_a_configuration_error(self):
        failure = requests.exceptions.TooManyRedirects("Exceeded 30 redirects.")
        with patch.object(Gateway, "_send", side_effect=failure):
            with self.assertRaises(ValidationError) as caught:
                self.call()
        self.assertNotIsInstance(caught.exception, GatewayUnavailable)
        self.assertIsInstance(caught.exception, base.GatewayMisconfigured)
        self.assertIn(self.gateway.name, str(caught.exception))

    def test_failures_after_sending_say_the_outcome_is_unknown(self):
        dropped = requests.exceptions.ConnectionError(
            ProtocolError(
                "Connection aborted.",
                RemoteDisconnected("Remote end closed connection without response"),
            )
        )
        for failure in (
            dropped,
            requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
            requests.exceptions.ContentDecodingError("Received response with content-encoding"),
        ):
            with self.subTest(failure=type(failure).__name__):
                with patch.object(Gateway, "_send", side_effect=failure):
                    with self.assertRaises(GatewayUnavailable) as caught:
                        self.call()
                message = str(caught.exception)
                self.assertIn(self.gateway.name, message)
                self.assertNotIn("nothing was sent", message)
                self.assertIn("may or may not", message)

    def test_a_connection_never_established_sent_nothing(self):
        url = f"{SERVER}/api/v1/stores"
        dns = requests.exceptions.ConnectionError(
            MaxRetryError(
                None,
                url,
                NewConnectionError(
                    None,
                    "Failed to establish a new connection: [Errno -2] Name or service not known",
                ),
            )
        )
        for failure in (dns, requests.exceptions.ConnectTimeout("connect timed out")):
            with self.subTest(failure=type(failure).__name__):
                with patch.object(Gateway, "_send", side_effect=failure):
                    with self.assertRaises(GatewayUnavailable) as caught:
                        self.call()
                self.assertIn(self.gateway.name, str(caught.exception))
                self.assertIn("nothing was sent", str(caught.exception))

    def test_credentials_refused_say_what_to_fix_other_4xx_do_not_retry(self):
        for status in (401, 403):
            with self.subTest(status=status):
                answer = FakeResponse(status, {"message": "Invalid API key"})
                with patch.object(Gateway, "_send", return_value=answer):
                    with self.assertRaises(ValidationError) as caught:
                        self.call()
                self.assertIsInstance(caught.exception, base.GatewayMisconfigured)
                message = str(caught.exception)
                self.assertIn(self.gateway.name, message)
                self.assertIn("Invalid API key", message)
                self.assertIn("API keys in the payment provider's settings", message)
        for status in (400, 404, 422):
            with self.subTest(status=status):
                answer = FakeResponse(status, {"message": "Invoice not found"})
                with patch.object(Gateway, "_send", return_value=answer):
                    with self.assertRaises(ValidationError) as caught:
                        self.call()
                self.assertNotIsInstance(caught.exception, base.GatewayMisconfigured)
                self.assertNotIsInstance(caught.exception, GatewayUnavailable)
                self.assertIn("Invoice not found", str(caught.exception))
