from decimal import Decimal

from odoo.tests import BaseCase, tagged

from .. import utils
from ..gateways import GATEWAYS, Gateway


@tagged("post_install", "-at_install")
class TestAmountsAndKeys(BaseCase):
    def test_minor_units_follow_iso_4217(self):
        self.assertEqual(utils.to_minor_units(1234.5, "EUR"), 123450)
        self.assertEqual(utils.to_minor_units(10.005, "EUR"), 1001)  # half up on the decimal value
        self.assertEqual(utils.to_minor_units(0.1 + 0.2, "USD"), 30)
        self.assertEqual(utils.to_minor_units(1234, "JPY"), 1234)
        self.assertEqual(utils.to_minor_units(12.5, "KRW"), 13)
        self.assertEqual(utils.to_minor_units(1.2345, "KWD"), 1235)
        self.assertEqual(utils.to_minor_units(7, "omr"), 7000)
        self.assertEqual(utils.from_minor_units(1235, "KWD"), Decimal("1.235"))
        self.assertEqual(utils.to_minor_units(1000, "HUF", exponents={"HUF": 0}), 1000)

    def test_idempotency_keys_are_stable_per_operation(self):
        key = utils.idempotency_key("db-1", "paystack", "INV/1", "refund")
        self.assertEqual(key, utils.idempotency_key("db-1", "paystack", "INV/1", "refund"))
        self.assertNotEqual(key, utils.idempotency_key("db-1", "paystack", "INV/1", "create"))
        self.assertNotEqual(key, utils.idempotency_key("db-2", "paystack", "INV/1", "refund"))

    def test_empty_signatures_never_match(self):
        self.assertFalse(utils.signatures_match("", ""))
        self.assertFalse(utils.signatures_match("abc", None))
        self.assertTrue(utils.signatures_match("abc", "abc"))
        # RFC 4231 test case 2: HMAC-SHA256 and HMAC-SHA512 of "what do ya want for nothing?"
        message = "what do ya want for nothing?"
        self.assertEqual(
            utils.hmac_hex("Jefe", message),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        )
        self.assertTrue(
            utils.hmac_hex("Jefe", message, "sha512").startswith("164b7a7bfcf819e2e395fbe73b56e0a3")
        )

    def test_every_gateway_declares_its_metadata(self):
        for code, gateway in GATEWAYS.items():
            with self.subTest(gateway=code):
                self.assertEqual(gateway.code, code)
                self.assertTrue(gateway.name and gateway.regions and gateway.webhook_scheme)
                self.assertIn(gateway.refunds, ("partial", "full_only", "none"))
                # Each gateway implements its own documented flow and signature check.
                for method in ("verify", "parse_notification", "create_checkout"):
                    self.assertIsNot(getattr(gateway, method), getattr(Gateway, method), method)
                # Supported currencies are declared (BTCPay: any its store has rates for).
                self.assertTrue(gateway.currencies or code == "btcpay")
                self.assertTrue(gateway.payment_methods)
