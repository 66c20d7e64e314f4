import base64
import io

import qrcode

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoicera_show_payment_qr(self):
        """Whether the invoice carries our "scan to pay online" QR code."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and not self.currency_id.is_zero(self.amount_residual)
            and self.payment_state not in ("paid", "in_payment")
        )

    def _invoicera_payment_url(self):
        """The invoice's online payment page, as Odoo's payment link builds it."""
        self.ensure_one()
        wizard = self.env["payment.link.wizard"].new(
            {
                "res_model": "account.move",
                "res_id": self.id,
                "amount": self.amount_residual,
                "amount_max": self.amount_residual,
                "currency_id": self.currency_id.id,
                "partner_id": self.partner_id.id,
            }
        )
        return wizard.link

    def _invoicera_payment_qr(self):
        """PNG data URI of a QR code opening :meth:`_invoicera_payment_url`."""
        self.ensure_one()
        image = qrcode.make(self._invoicera_payment_url(), box_size=4, border=2)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
