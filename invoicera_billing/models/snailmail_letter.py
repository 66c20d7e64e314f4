import base64

from odoo import models
from odoo.tools.pdf import merge_pdf


class SnailmailLetter(models.Model):
    _inherit = "snailmail.letter"

    def _fetch_attachment(self):
        """An invoice sent by post carries its time annex after it, as its
        e-mail carries it attached: the letter is one PDF, Odoo's invoice alone.

        The annex's pages get the white margins Odoo gives the invoice's pages
        for the postal service's checks; the letter is made once (kept as its
        attachment), so the annex is added once.
        """
        self.ensure_one()
        made = self.attachment_id
        attachment = super()._fetch_attachment()
        if made or not attachment or self.model != "account.move":
            return attachment
        annex = self.env["account.move"].browse(self.res_id)._invoicera_annex_attachment()
        if annex:
            letter = base64.b64decode(attachment.datas)
            pages = self._overwrite_margins(annex.sudo().raw)
            attachment.write({"datas": base64.b64encode(merge_pdf([letter, pages]))})
        return attachment
