from . import test_billing_access
from . import test_billing_menu_tour
from . import test_billing_settings
from . import test_billable_item_measures
from . import test_billing_run_cutoff
from . import test_defer_and_run_settings
