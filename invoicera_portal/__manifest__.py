{
    "name": "Invoicera Client Portal",
    "summary": "The client's billing dashboard, online approvals, paying "
    "many invoices at once, statements and a JSON API",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/invoicera-odoo/invoicera-odoo",
    "author": "Invoicera for Odoo",
    "license": "LGPL-3",
    "depends": [
        "invoicera_billing",
        "portal",
        "account_payment",
    ],
    "data": [],
    "installable": True,
}
