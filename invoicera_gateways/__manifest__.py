{
    "name": "Invoicera Payment Gateways",
    "summary": "Online payment providers Odoo lacks, with verified and " "idempotent webhooks",
    "version": "18.0.1.0.0",
    "category": "Accounting/Payment Providers",
    "website": "https://github.com/invoicera-odoo/invoicera-odoo",
    "author": "Invoicera for Odoo",
    "license": "LGPL-3",
    "depends": [
        "invoicera_billing",
        "payment",
        "account_payment",
    ],
    "data": [
        "views/invoicera_gateways_menus.xml",
    ],
    "installable": True,
}
