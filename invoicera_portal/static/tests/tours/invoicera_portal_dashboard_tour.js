import { registry } from "@web/core/registry";

// The client opens its billing dashboard from the portal home.
registry.category("web_tour.tours").add("invoicera_portal_dashboard", {
    url: "/my",
    steps: () => [
        {
            content: "Open the billing dashboard",
            trigger: 'a[href="/my/billing"]',
            run: "click",
        },
        {
            content: "The amounts per currency are shown",
            trigger: ".o_invoicera_summary .o_invoicera_outstanding",
        },
        {
            content: "with the aging of overdue invoices",
            trigger: '.o_invoicera_summary tr[data-bucket="d1_30"]',
        },
        {
            content: "and the open invoices, the overdue one offering a promise to pay",
            trigger: ".o_invoicera_open_invoices .o_invoicera_promise",
        },
    ],
});
