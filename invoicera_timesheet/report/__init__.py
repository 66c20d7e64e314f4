from . import invoicera_unbilled_client
