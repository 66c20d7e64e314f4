from . import account_analytic_line
from . import hr_employee
from . import invoicera_billable_item
from . import invoicera_billing_rate
from . import project_project
