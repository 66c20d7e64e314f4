from odoo import _, fields, models
from odoo.exceptions import UserError

from ..tools import changed_by
from .invoicera_billable_mixin import engine_flag

#: what a line billing items takes from them: changed on the invoice, the
#: invoice, its time annex and the items would tell three different stories
#: (Odoo recomputes the price of a line given another product or unit)
BILLED_LINE_FIELDS = ("quantity", "price_unit", "product_id", "product_uom_id")


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    invoicera_item_ids = fields.One2many(
        "invoicera.billable.item",
        "invoice_line_id",
        string="Billed Items",
        readonly=True,
        groups="invoicera_billing.group_billing_user",
    )

    def write(self, vals):
        if any(fname in vals for fname in BILLED_LINE_FIELDS) and not engine_flag(
            self.env, "invoicera_engine"
        ):
            self._invoicera_check_billed_line(vals)
        return super().write(vals)

    def _invoicera_check_billed_line(self, vals):
        """Refuse to change the quantity, price, product or unit of lines billing items."""

        products = self.filtered(lambda line: line.display_type == "product")
        changed = changed_by(products, vals, BILLED_LINE_FIELDS)
        # sudo: who edits the invoice need not read the items; only whether there are some
        billed = changed.filtered(lambda line: line.sudo().invoicera_item_ids)
        if billed:
            raise UserError(
                _(
                    "These invoice lines bill work from Billing ▸ Unbilled Work; their "
                    "product, quantity, unit and price are those of the work:%(lines)s\n"
                    "To change them, cancel or delete the invoice (the work goes back to "
                    "the unbilled items), change the items there and invoice them again.",
                    lines="".join(
                        f"\n- {line.move_id.display_name} · {line.name}" for line in billed
                    ),
                )
            )

    def unlink(self):
        # A line removed from a draft invoice gives its items back to unbilled:
        # not while credit notes of that invoice are still to post (they would
        # credit the client for work billed again).
        billed = self.sudo().filtered("invoicera_item_ids")
        invoices = billed.move_id.with_env(self.env)
        invoices._invoicera_check_no_credit_note_pending()
        # nor while credit notes of it stand (credited in part, reset to draft):
        # billed again in full, the client would keep the credit
        invoices._invoicera_check_not_credited_in_part()
        billed.invoicera_item_ids._release()
        return super().unlink()
