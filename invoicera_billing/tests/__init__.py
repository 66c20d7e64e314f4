from . import test_billing_access
from . import test_billing_menu_tour
