from . import account_move
from . import invoicera_payment_promise
from . import ir_http
from . import payment_transaction
from . import res_company
from . import res_config_settings
from . import res_partner
