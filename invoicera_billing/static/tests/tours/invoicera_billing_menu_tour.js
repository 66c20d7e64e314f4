import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// From the web client, open the Billing app and its invoice list.
registry.category("web_tour.tours").add("invoicera_billing_menu", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Billing app",
            trigger: '.o_app[data-menu-xmlid="invoicera_billing.menu_billing_root"]',
            run: "click",
        },
        {
            content: "The navbar shows the Billing app and its Clients section",
            trigger: '.o_main_navbar .o_menu_brand:contains("Billing")',
        },
        {
            content: "Open the Clients section",
            trigger: '.o_main_navbar button[data-menu-xmlid="invoicera_billing.menu_billing_clients"]',
            run: "click",
        },
        {
            content: "Open the invoices",
            trigger: '.dropdown-item[data-menu-xmlid="invoicera_billing.menu_billing_invoices"]',
            run: "click",
        },
        {
            content: "The customer invoices are listed",
            trigger: '.o_breadcrumb:contains("Invoices")',
        },
        {
            content: "with the list of invoices",
            trigger: ".o_list_view .o_list_table",
        },
    ],
});
