from . import invoicera_statement_wizard
