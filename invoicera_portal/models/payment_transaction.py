from odoo import Command, _, fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _post_process(self):
        """Record a confirmed payment also when staff cancelled one of its invoices,
        or reset it to draft to correct it, while the provider had not confirmed
        it yet (pay many invoices, autopay). Odoo would fail reconciling a
        cancelled invoice (the whole payment left unrecorded) and post the draft
        one again behind staff's back. Those invoices are left out of the
        payment: it pays the others, the rest stays on the client's account.

        Also for a transaction whose payment Odoo cancelled (a charge from
        Register Payment not done at once, which invoicera_gateways gives a
        payment of its own once collected), and for one still pending, which the
        post-processing itself may confirm (invoicera_gateways retries such a
        charge there): whatever the order of the overrides."""
        detached = {}
        for tx in self.filtered(
            lambda t: t.state in ("pending", "done")
            and (not t.payment_id or t.payment_id.state == "canceled")
        ):
            stale = tx.invoice_ids.filtered(
                lambda invoice: invoice.state == "cancel"
                or (invoice.state == "draft" and invoice.posted_before)
            )
            if stale:
                detached[tx] = stale
                tx.invoice_ids = [Command.unlink(invoice.id) for invoice in stale]
        result = super()._post_process()
        for tx, stale in detached.items():
            # still listed on the transaction: it was paid for them
            tx.invoice_ids = [Command.link(invoice.id) for invoice in stale]
            if not tx.payment_id or tx.payment_id.state == "canceled":
                # no payment made (still pending, or its cancelled one kept): nothing to say
                continue
            for invoice in stale:
                invoice.message_post(
                    body=_(
                        "Payment %(payment)s (transaction %(reference)s) was confirmed while "
                        "this invoice was %(state)s: it does not pay it, and what it paid for "
                        "it is left on the client's account.",
                        payment=tx.payment_id.name,
                        reference=tx.reference,
                        state=dict(invoice._fields["state"]._description_selection(invoice.env))[
                            invoice.state
                        ],
                    )
                )
        return result

    def _create_payment(self, **extra_create_values):
        """Grant the early payment discount of an invoice paid at its discounted
        amount within its discount period, also when the payment is confirmed
        after it (a direct debit settles days later; post-processing may run past
        midnight). Odoo only looks at the day the payment is recorded, and writes
        off only part of a discount with taxes spread over several lines."""
        if "write_off_line_vals" not in extra_create_values:
            write_offs = self._invoicera_discount_write_offs()
            if write_offs:
                extra_create_values["write_off_line_vals"] = write_offs
        return super()._create_payment(**extra_create_values)

    def _invoicera_discount_write_offs(self):
        """The write-off lines of the early payment discount earned by this payment
        of one invoice, made (the transaction created) within the discount period
        but recorded past it; still in the period, those Odoo leaves out of its own
        write-off; ``[]`` when Odoo writes it all off itself or the payment did not
        earn it."""
        self.ensure_one()
        invoice = self.invoice_ids
        if len(invoice) != 1 or invoice.state != "posted" or self.amount <= 0:
            return []
        next_payment = invoice._get_invoice_next_payment_values()
        if next_payment.get("installment_state") == "epd":
            # Still in its period today: Odoo writes the discount off itself, as
            # account_payment's _create_payment does it (same test, same lines), but
            # only the first line of each kind. With taxes on the discount, an
            # invoice of several taxes (or income accounts) would stay owing the
            # rest of its discount: its other lines, which the register payment
            # wizard writes off too.
            if self.amount != next_payment["amount_due"]:
                return []
            return self._invoicera_discount_lines(
                next_payment["epd_line"], next_payment["epd_discount_amount"], skip_first=True
            )
        # The day the client paid, in the company's time zone; or in the payer's,
        # where it was still the day before: the portal offered the discount on
        # the payer's day (and a payment of the discounted amount only earns it).
        paid_on = min(
            fields.Date.context_today(self.with_context(tz=tz), self.create_date)
            for tz in (self.company_id.partner_id.tz, self.partner_id.tz)
        )
        installments = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )._get_installments_data(payment_currency=self.currency_id, payment_date=paid_on)
        discount = next((i for i in installments if i["type"] == "early_payment_discount"), None)
        if not discount or self.currency_id.compare_amounts(
            self.amount, discount["amount_residual_currency_unsigned"]
        ):
            return []
        return self._invoicera_discount_lines(discount["line"], discount["discount_amount"])

    def _invoicera_discount_lines(self, line, discount_amount, skip_first=False):
        """The write-off lines of the early payment discount ``discount_amount`` of
        the receivable ``line``: every line, as the register payment wizard makes
        them (with taxes on the discount, one per tax and base); ``skip_first``:
        but the first of each kind, which Odoo's online payment writes off."""
        counterparts = self.env[
            "account.move"
        ]._get_invoice_counterpart_amls_for_early_payment_discount(
            [
                {
                    "aml": line,
                    "amount_currency": -line.amount_residual_currency,
                    "balance": -line.balance,
                }
            ],
            discount_amount,
        )
        return [
            dict(values, partner_id=line.move_id.partner_id.id)
            for values_list in counterparts.values()
            for values in values_list[1 if skip_first else 0 :]
        ]
