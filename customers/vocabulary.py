"""The e-commerce events OmniDesk understands (docs/customers/events.md); any other name is stored as is.

Names follow the Segment/Braze e-commerce specs. Order events carry the order
(`order_id`, `total`, `currency`, `items`), product events a product (`sku`).
"""
PRODUCT_VIEWED = "Product Viewed"
CART_UPDATED = "Cart Updated"
CHECKOUT_STARTED = "Checkout Started"
ORDER_PLACED = "Order Placed"
ORDER_PAID = "Order Paid"
ORDER_CANCELLED = "Order Cancelled"
ORDER_REFUNDED = "Order Refunded"
REVIEW_WRITTEN = "Review Written"
REFERRAL_MADE = "Referral Made"
# Written by the journey itself, never accepted from outside.
STAGE_CHANGED = "Stage Changed"
PROFILE_CLASS_CHANGED = "Profile Class Changed"

ECOMMERCE = (PRODUCT_VIEWED, CART_UPDATED, CHECKOUT_STARTED, ORDER_PLACED, ORDER_PAID, ORDER_CANCELLED,
             ORDER_REFUNDED, REVIEW_WRITTEN, REFERRAL_MADE)
ORDER_EVENTS = (ORDER_PLACED, ORDER_PAID, ORDER_CANCELLED, ORDER_REFUNDED)
PRODUCT_EVENTS = (PRODUCT_VIEWED, CART_UPDATED)
# Interest before buying: what makes a lead a prospect.
INTEREST_EVENTS = (PRODUCT_VIEWED, CART_UPDATED, CHECKOUT_STARTED, ORDER_PLACED)
RESERVED = (STAGE_CHANGED, PROFILE_CLASS_CHANGED)
