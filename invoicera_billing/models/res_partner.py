from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    invoicera_invoice_detail = fields.Selection(
        [
            ("project", "One line per project"),
            ("task", "One line per task"),
            ("employee", "One line per employee"),
            ("item", "One line per item"),
        ],
        string="Invoice Line Detail",
        default="project",
        company_dependent=True,
        help="How unbilled work is summed up on this client's invoices. Items with "
        "different products or rates always go on separate lines.",
    )
    invoicera_invoice_per_project = fields.Boolean(
        "One Invoice per Project",
        company_dependent=True,
        help="Bill each project of this client on its own invoice.",
    )
    invoicera_annex_detail = fields.Selection(
        [
            ("none", "No annex"),
            ("summary", "Summary per project"),
            ("task", "Per task"),
            ("entry", "Every entry"),
        ],
        string="Time Annex",
        default="summary",
        company_dependent=True,
        help="The detail of the PDF annex listing the billed work, sent with invoices.",
    )

    def write(self, vals):
        # A contact joining or leaving a company is billed as another client:
        # work is billed to the commercial entity, which Odoo recomputes for
        # the contact and its own contacts.
        family = self.browse()
        if {"parent_id", "is_company"} & vals.keys():
            family = (
                self.sudo().with_context(active_test=False).search([("id", "child_of", self.ids)])
            )
        before = {partner.id: partner.commercial_partner_id for partner in family}
        res = super().write(vals)
        moved = family.filtered(lambda partner: partner.commercial_partner_id != before[partner.id])
        if moved:
            # their unbilled work, billed to their former client, follows them
            former = self.browse({before[partner.id].id for partner in moved})
            self.env["invoicera.billable.item"]._resync_unbilled([("partner_id", "in", former.ids)])
        return res
