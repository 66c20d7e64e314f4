from . import invoicera_realization_report
from . import invoicera_unbilled_aging
