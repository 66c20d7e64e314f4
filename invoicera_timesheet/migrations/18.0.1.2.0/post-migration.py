def migrate(cr, version):
    """Costs billed again, recorded before 18.0.1.2.0, are priced at cost: a
    fiscal position does not change their price (``price_at_cost``), as the
    sources now set it (a product re-invoiced at its sales price is not)."""
    if version:
        cr.execute(
            """
            UPDATE invoicera_billable_item item
               SET price_at_cost = TRUE
              FROM product_product product
              JOIN product_template template ON template.id = product.product_tmpl_id
             WHERE product.id = item.product_id
               AND item.source IN ('expense', 'vendor_cost')
               AND template.expense_policy IS DISTINCT FROM 'sales_price'
            """
        )
