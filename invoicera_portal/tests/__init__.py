from . import test_dashboard
from . import test_portal_routes
from . import test_portal_tours
