{
    "name": "Invoicera Billing",
    "summary": "Billing for service companies: the Billing menu, settings and "
    "the engine that turns billable work into invoices",
    "version": "18.0.1.1.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/invoicera-odoo/invoicera-odoo",
    "author": "Invoicera for Odoo",
    "license": "LGPL-3",
    "depends": [
        "account",
        "sale_management",
        "hr",
        "project",
        "queue_job",
    ],
    "data": [
        "security/invoicera_billing_groups.xml",
        "security/invoicera_billing_security.xml",
        "security/ir.model.access.csv",
        "data/invoicera_billing_data.xml",
        "wizard/invoicera_item_decision_wizard_views.xml",
        "views/invoicera_billable_item_views.xml",
        "views/invoicera_billing_run_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "report/invoicera_time_annex.xml",
        "report/invoicera_billing_reports_views.xml",
        "views/invoicera_billing_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "invoicera_billing/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
