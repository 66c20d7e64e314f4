from . import portal
from . import pay_many
