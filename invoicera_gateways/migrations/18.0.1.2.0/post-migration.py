def migrate(cr, version):
    """Notifications recorded before 18.0.1.2.0 were inserted without their gateway
    (the stored related ``provider_code``, the list's Gateway column): set it."""
    cr.execute(
        """
        UPDATE invoicera_gateway_event event
           SET provider_code = provider.code
          FROM payment_provider provider
         WHERE provider.id = event.provider_id
           AND event.provider_code IS NULL
        """
    )
