{
    "name": "Invoicera Unbilled Work",
    "summary": "All unbilled work (time, expenses, vendor costs, milestones, "
    "materials) reviewed on one screen and invoiced in one click",
    "version": "18.0.1.0.0",
    "category": "Services/Timesheets",
    "website": "https://github.com/invoicera-odoo/invoicera-odoo",
    "author": "Invoicera for Odoo",
    "license": "LGPL-3",
    "depends": [
        "invoicera_billing",
        "sale_timesheet",
        "hr_expense",
        "purchase",
        "stock",
    ],
    "data": [
        "views/invoicera_timesheet_menus.xml",
    ],
    "installable": True,
}
