def migrate(cr, version):
    """Since 18.0.1.1.0 the billing runs' job functions are data an update
    keeps (an administrator's choice of channel): so are those of a database
    made before, as a new one's."""
    cr.execute(
        """
        UPDATE ir_model_data
           SET noupdate = TRUE
         WHERE module = 'invoicera_billing'
           AND name IN ('job_function_billing_run_process_chunk',
                        'job_function_billing_run_end_run')
        """
    )
