from . import controllers
from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Cancel the autopay charges still waiting in Queue Jobs: without this
    addon their jobs could not run, and would fail. The invoices stay open, to
    pay as any other."""
    env["queue.job"].search(
        [
            ("model_name", "=", "account.move"),
            ("method_name", "=", "_invoicera_autopay"),
            ("state", "not in", ("done", "cancelled")),
        ]
    ).button_cancelled()
