from . import test_time_items
from . import test_invoicing
from . import test_billing_run
from . import test_invoicing_errors
from . import test_concurrency
from . import test_query_count
from . import test_unbilled_screen
from . import test_cost_sources
