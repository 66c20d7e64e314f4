{
    "name": "Invoicera Billing",
    "summary": "Billing for service companies: the Billing menu, settings and "
    "the engine that turns billable work into invoices",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/invoicera-odoo/invoicera-odoo",
    "author": "Invoicera for Odoo",
    "license": "LGPL-3",
    "depends": [
        "account",
        "sale_management",
        "project",
        "queue_job",
    ],
    "data": [
        "security/invoicera_billing_groups.xml",
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
