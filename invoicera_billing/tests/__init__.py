from . import test_billing_access
from . import test_billing_menu_tour
from . import test_review_billing_settings
