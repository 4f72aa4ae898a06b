def forget_deliveries(sender, customer_ids, addresses, **kwargs):
    pass
