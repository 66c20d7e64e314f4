import { registry } from "@web/core/registry";

// A client opens the invoice's payment link (the QR code's), pays on the
// gateway's hosted page and comes back to the invoice, paid.
registry.category("web_tour.tours").add("invoicera_gateways_pay_invoice", {
    steps: () => [
        {
            content: "Choose the gateway",
            trigger: 'input[name="o_payment_radio"][data-provider-code]:not([data-provider-code="demo"])',
            run: "click",
        },
        {
            content: "Pay",
            trigger: 'button[name="o_payment_submit_button"]:not(:disabled)',
            run: "click",
        },
        {
            content: "Back on the invoice, paid",
            trigger: ".o_portal_sidebar .badge:contains('Paid'), .o_portal_sidebar:contains('Paid')",
        },
    ],
});
