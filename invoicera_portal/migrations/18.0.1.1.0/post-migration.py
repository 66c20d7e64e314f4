from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Before 18.0.1.1.0 autopay charges ran in the billing runs' channel, so a
    big run held them up: move them to their own, unless an administrator
    chose another channel. Its data is kept by updates since then, as a new
    database's."""
    cr.execute(
        """
        UPDATE ir_model_data
           SET noupdate = TRUE
         WHERE module = 'invoicera_portal' AND name = 'job_function_account_move_autopay'
        """
    )
    env = api.Environment(cr, SUPERUSER_ID, {})
    function = env.ref("invoicera_portal.job_function_account_move_autopay", False)
    runs = env.ref("invoicera_billing.queue_channel_invoicera", False)
    if function and runs and function.channel_id == runs:
        function.channel_id = env.ref("invoicera_portal.queue_channel_invoicera_autopay")
