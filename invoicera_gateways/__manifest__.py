{
    "name": "Invoicera Payment Gateways",
    "summary": "Online payment providers Odoo lacks, with verified and " "idempotent webhooks",
    "version": "18.0.1.1.0",
    "category": "Accounting/Payment Providers",
    "website": "https://github.com/invoicera-odoo/invoicera-odoo",
    "author": "Invoicera for Odoo",
    "license": "LGPL-3",
    "external_dependencies": {"python": ["requests", "qrcode"]},
    "depends": [
        "invoicera_billing",
        "payment",
        "account_payment",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/invoicera_gateways_security.xml",
        "views/invoicera_gateways_templates.xml",
        "views/payment_provider_views.xml",
        "views/invoicera_gateway_event_views.xml",
        "views/invoicera_gateways_menus.xml",
        "views/account_move_templates.xml",
        # one file per gateway package
        "gateways/paystack/data/provider.xml",
        "gateways/square/data/provider.xml",
        "gateways/gocardless/data/provider.xml",
        "gateways/checkout/data/provider.xml",
        "gateways/braintree/data/provider.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "invoicera_gateways/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
