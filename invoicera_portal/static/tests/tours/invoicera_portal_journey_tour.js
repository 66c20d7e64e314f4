import { registry } from "@web/core/registry";

// A client's whole visit: approve work, dispute an entry, accept an estimate,
// pay three invoices in one payment, see them paid. Data: tests/test_portal_journey.py.
registry.category("web_tour.tours").add("invoicera_portal_journey", {
    url: "/my/billing",
    steps: () => [
        {
            content: "Work awaits the client's approval",
            trigger: ".o_invoicera_approval_alert a",
            run: "click",
        },
        {
            trigger: 'tr[data-item="Journey moodboard"] input[name="item_ids"]',
            run: "check",
        },
        {
            trigger: 'tr[data-item="Journey logo"] input[name="item_ids"]',
            run: "check",
        },
        {
            content: "Approve two items",
            trigger: "button.o_invoicera_approve",
            run: "click",
        },
        {
            trigger: '.alert-success:contains("You approved 2 item(s)")',
        },
        {
            trigger: 'tr[data-item="Journey brand book"] input[name="item_ids"]',
            run: "check",
        },
        {
            trigger: "#invoicera_comment",
            run: "edit We agreed on two hours.",
        },
        {
            content: "Dispute one, with a comment",
            trigger: "button.o_invoicera_dispute",
            run: "click",
        },
        {
            trigger: '.alert-success:contains("You disputed 1 item(s)")',
        },
        {
            trigger: 'a[href="/my/billing"]:contains("Back to the billing dashboard")',
            run: "click",
        },
        {
            content: "Open the estimate awaiting a decision",
            trigger: '.o_invoicera_quotations a:contains("Journey")',
            run: "click",
        },
        {
            trigger: 'a:contains("Sign")',
            run: "click",
        },
        {
            trigger: ".o_web_sign_auto_select_style button",
            run: "click",
        },
        {
            trigger: ".o-dropdown-item:eq(1)",
            run: "click",
        },
        {
            content: "Accept and sign the estimate",
            trigger: ".o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            trigger: '#quote_content:contains("Thank You")',
            run() {
                window.location.href = "/my/billing";
            },
        },
        {
            trigger: 'tr[data-invoice="JOURNEY/1"] input[name="invoice_ids"]',
            run: "check",
        },
        {
            trigger: 'tr[data-invoice="JOURNEY/2"] input[name="invoice_ids"]',
            run: "check",
        },
        {
            trigger: 'tr[data-invoice="JOURNEY/3"] input[name="invoice_ids"]',
            run: "check",
        },
        {
            content: "Pay the three invoices together",
            trigger: "button.o_invoicera_pay_selected",
            run: "click",
        },
        {
            trigger: '.o_invoicera_pay_many h3:contains("Pay 3 invoice(s)")',
        },
        {
            trigger: 'input[name="o_payment_radio"][data-provider-code="demo"]',
            run: "click",
        },
        {
            trigger: "#customer_input",
            run: "edit 4242",
        },
        {
            content: "Pay with the demo gateway",
            trigger: 'button[name="o_payment_submit_button"]:not(:disabled)',
            run: "click",
        },
        {
            content: "Back on the dashboard, the payment is listed",
            trigger: '.o_invoicera_payments li:contains("600.00")',
            timeout: 30000,
        },
        {
            content: "and the three invoices are no longer open",
            trigger: '.o_invoicera_billing:not(:has(tr[data-invoice="JOURNEY/1"]))',
        },
    ],
});
