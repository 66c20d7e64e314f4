import base64
import io

import qrcode

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoicera_show_payment_qr(self):
        """Whether the invoice carries our "scan to pay online" QR code: only where
        Odoo's portal offers to pay it (Invoice Online Payment enabled, no online
        payment of it in progress), and while something is left to pay."""
        self.ensure_one()
        return (
            self.move_type == "out_invoice"
            and self.state == "posted"
            and not self.currency_id.is_zero(self.amount_residual)
            and self.payment_state not in ("paid", "in_payment")
            # sudo: whoever prints the invoice may not read its payment transactions
            and self.sudo()._has_to_be_paid()
        )

    def _invoicera_payment_url(self):
        """The invoice's online payment page: its portal page with the payment
        dialog open, as Odoo's own "Pay Now" links it (works outside a request,
        e.g. when the PDF is rendered by a background job)."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url(
            query_string="&payment=True", anchor="portal_pay"
        )

    def _invoicera_payment_qr(self):
        """PNG data URI of a QR code opening :meth:`_invoicera_payment_url`."""
        self.ensure_one()
        image = qrcode.make(self._invoicera_payment_url(), box_size=4, border=2)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
