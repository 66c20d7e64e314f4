-- neutralize the credentials of Invoicera's gateways
UPDATE payment_provider
   SET invoicera_secret_key = NULL,
       invoicera_webhook_secret = NULL;
