{
    "name": "Invoicera Unbilled Work",
    "summary": "All unbilled work (time, expenses, vendor costs, milestones, "
    "materials) reviewed on one screen and invoiced in one click",
    "version": "18.0.1.4.0",
    "category": "Services/Timesheets",
    "website": "https://github.com/invoicera-odoo/invoicera-odoo",
    "author": "Invoicera for Odoo",
    "license": "LGPL-3",
    "depends": [
        "invoicera_billing",
        "sale_timesheet",
        "hr_expense",
        "hr_hourly_cost",
        "purchase",
        "project_stock",
        "sale_stock",
        # auto-installed with the above; depended on so that our stock.move
        # overrides run around its (a replacement keeps its delivery's project)
        "sale_project_stock",
    ],
    "data": [
        "security/invoicera_timesheet_security.xml",
        "security/ir.model.access.csv",
        "data/invoicera_timesheet_data.xml",
        "views/invoicera_unbilled_client_views.xml",
        "views/invoicera_billable_item_views.xml",
        "views/project_project_views.xml",
        "views/hr_employee_views.xml",
        "views/account_analytic_line_views.xml",
        "views/project_milestone_views.xml",
        "views/account_move_views.xml",
        "views/invoicera_timesheet_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "invoicera_timesheet/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
