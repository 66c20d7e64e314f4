import io
from collections import OrderedDict

from odoo import models

ANNEX_REPORT = "invoicera_billing.report_time_annex"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        # The time annex of an invoice once sent is the one sent: printed again,
        # it is that PDF, whatever the invoice bills now (credited in full, its
        # work is unbilled again) or its client now wants, as Odoo prints a sent
        # invoice from its PDF (account's invoice_pdf_report_id).
        if self._get_report(report_ref).report_name != ANNEX_REPORT or not res_ids:
            return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)
        # the invoices as whoever prints them may read them (Odoo's report route
        # serves any logged-in user): the annex kept is then read as superuser
        self.env["account.move"].browse(res_ids).check_access("read")
        kept = {
            invoice.id: invoice.invoicera_annex_id
            for invoice in self.env["account.move"].sudo().browse(res_ids)
            if invoice.invoicera_annex_id
        }
        rest = [res_id for res_id in res_ids if res_id not in kept]
        rendered = (
            super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=rest) if rest else {}
        )
        streams = OrderedDict()
        for res_id in res_ids:
            if res_id in kept:
                streams[res_id] = {
                    "stream": io.BytesIO(kept[res_id].raw),
                    "attachment": kept[res_id],
                }
            else:
                streams[res_id] = rendered[res_id]
        return streams
