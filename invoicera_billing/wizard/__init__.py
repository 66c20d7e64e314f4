from . import invoicera_item_decision_wizard
