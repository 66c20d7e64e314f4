from . import invoicera_currency_amounts_mixin
from . import invoicera_realization_report
from . import invoicera_unbilled_aging
