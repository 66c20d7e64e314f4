import { registry } from "@web/core/registry";

// A billing clerk reviews a client's unbilled work, writes an entry down and
// invoices the client from the Unbilled Work screen.
registry.category("web_tour.tours").add("invoicera_unbilled_work", {
    url: "/odoo/action-invoicera_timesheet.action_invoicera_unbilled_client",
    steps: () => [
        {
            content: "The client is listed with its unbilled hours",
            trigger: '.o_data_row:contains("Tour Client Ltd"):contains("05:00")',
        },
        {
            content: "Review the client's items",
            trigger: '.o_data_row:contains("Tour Client Ltd") button[name="action_review"]',
            run: "click",
        },
        {
            content: "Edit the hours of the first entry",
            trigger: '.o_data_row:contains("Tour entry A") td[name="quantity"]',
            run: "click",
        },
        {
            trigger: '.o_selected_row td[name="quantity"] input',
            run: "edit 1.5",
        },
        {
            content: "Give the reason of the write-down",
            trigger: '.o_selected_row td[name="adjustment_reason"] input',
            run: "edit Capped by the estimate",
        },
        {
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: '.o_data_row:contains("Tour entry A"):contains("Capped by the estimate")',
        },
        {
            content: "Back to the Unbilled Work screen",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "Invoice the client",
            trigger: '.o_data_row:contains("Tour Client Ltd") button[name="action_invoice"]',
            run: "click",
        },
        {
            content: "Confirm in the dialog",
            trigger: '.modal button[name="action_start"]',
            run: "click",
        },
        {
            content: "The run is done and its log says the client is invoiced",
            trigger: '.o_field_widget[name="log_ids"] .o_data_row:contains("Tour Client Ltd"):contains("Invoiced")',
        },
    ],
});
