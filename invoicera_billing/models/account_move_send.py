from odoo import api, models


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    @api.model
    def _get_invoice_extra_attachments(self, move):
        # The time annex goes with the invoice whenever Odoo sends it. Only the
        # annex already made: Odoo also lists these attachments when the invoice
        # is merely opened (its chatter), which must not render a PDF.
        return super()._get_invoice_extra_attachments(move) | move._invoicera_annex_attachment(
            make=False
        )

    @api.model
    def _get_placeholder_mail_attachments_data(self, move, extra_edis=None):
        # Send & Print lists the annex to come, as it lists the invoice's PDF; a
        # placeholder removed there leaves the annex out of the e-mail.
        placeholders = super()._get_placeholder_mail_attachments_data(move, extra_edis=extra_edis)
        if move._invoicera_has_annex() and not move._invoicera_annex_attachment(make=False):
            filename = move._invoicera_annex_filename()
            placeholders.append(
                {
                    "id": f"placeholder_{filename}",
                    "name": filename,
                    "mimetype": "application/pdf",
                    "placeholder": True,
                }
            )
        return placeholders

    @api.model
    def _hook_if_success(self, moves_data):
        # The invoices are sent or printed: their annex is made now, before the
        # e-mail or the download takes it.
        for move in moves_data:
            move._invoicera_annex_attachment()
        return super()._hook_if_success(moves_data)
