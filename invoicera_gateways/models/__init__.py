from . import invoicera_gateway_event
from . import payment_provider
from . import payment_token
from . import payment_transaction
from . import account_move
from . import account_payment
