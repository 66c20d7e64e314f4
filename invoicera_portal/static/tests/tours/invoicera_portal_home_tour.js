import { registry } from "@web/core/registry";

// A client owing nothing still finds its billing dashboard on the portal home
// (work to approve, statements, autopay live there).
registry.category("web_tour.tours").add("invoicera_portal_home_nothing_open", {
    url: "/my",
    steps: () => [
        {
            content: "The billing dashboard's card is shown",
            trigger: '.o_portal_index_card:not(.d-none) a[href="/my/billing"]:visible',
            run: "click",
        },
        {
            content: "which opens the dashboard, with its statements",
            trigger: ".o_invoicera_billing .o_invoicera_statement",
        },
    ],
});
