from . import invoicera_unbilled_client
from . import timesheets_analysis_report
