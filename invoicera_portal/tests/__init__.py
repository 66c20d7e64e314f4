from . import test_api
from . import test_autopay
from . import test_dashboard
from . import test_pay_many
from . import test_portal_routes
from . import test_portal_tours
from . import test_review_fixes
from . import test_review_fixes_2
