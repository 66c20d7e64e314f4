from . import invoicera_item_decision_wizard
from . import account_move_reversal
