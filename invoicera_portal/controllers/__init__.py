from . import portal
from . import pay_many
from . import api
