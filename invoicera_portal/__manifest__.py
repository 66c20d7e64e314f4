{
    "name": "Invoicera Client Portal",
    "summary": "The client's billing dashboard, online approvals, paying "
    "many invoices at once, statements and a JSON API",
    "version": "18.0.1.1.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/invoicera-odoo/invoicera-odoo",
    "author": "Invoicera for Odoo",
    "license": "LGPL-3",
    "depends": [
        "invoicera_billing",
        "portal",
        "account_payment",
        "sale",
    ],
    "data": [
        "security/invoicera_portal_security.xml",
        "security/ir.model.access.csv",
        "data/invoicera_portal_data.xml",
        "report/report_statement.xml",
        "wizard/invoicera_statement_wizard_views.xml",
        "views/invoicera_portal_templates.xml",
        "views/invoicera_payment_promise_views.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "invoicera_portal/static/src/js/invoicera_portal.js",
        ],
        "web.assets_tests": [
            "invoicera_portal/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "uninstall_hook": "uninstall_hook",
}
