"""English answers."""

MESSAGES = {
    "greeting": "Hi{name}! I'm the {shop} assistant. I can check an order, find products, "
    "or answer questions about shipping, payment and returns. What can I do for you?",
    "greeting_vip": "Welcome back, {first}! Lovely to see you again. How can I help you today?",
    "thanks": "You're welcome{name}! If anything else comes up, just ask here.",
    "out_of_scope": "I'm afraid that's outside what I can help with — I'm best at orders, "
    "products, shipping, payment and returns at {shop}.",
    "clarify": "Sorry, I didn't quite get that. Could you put it another way? "
    "These are things I can help with:",
    "handoff_request": "Of course — I'm passing you to a member of our team. "
    "They'll reply right here.",
    "handoff_angry": "I'm really sorry about this. I'm bringing in a member of our team "
    "to sort it out with you personally — they'll reply right here.",
    "handoff_unsure": "I don't want to give you a wrong answer, so I'm passing you to "
    "a member of our team. They'll reply right here.",
    "handoff_store": "I can't reach the shop's system right now, so I'm passing you to "
    "a member of our team. They'll reply right here.",
    "ask_order": "Happy to check that for you! What's your order number, and the email "
    "address you used at checkout?",
    "ask_email": "Thanks! To keep your order private: what's the email address you used "
    "at checkout for order {number}?",
    "ask_number": "Thanks! And what's the order number? You'll find it in your order "
    "confirmation email.",
    "which_order": "Which order do you mean, {first}? Here are your latest ones:",
    "no_orders": "I can't see any orders in your account yet. If you ordered as a guest, "
    "tell me the order number and the email address you used.",
    "not_found_guest": "I couldn't find order {number} with that email address. Could you "
    "check both against your confirmation email?",
    "not_found_verified": "I can't find order {number} in your account. If you placed it "
    "as a guest, tell me the email address you used.",
    "rate_limited": "I can't look up any more orders in this chat right now. Please try "
    "again later, or ask for a member of our team.",
    "order_head": "Order {number} from {date} is {status}.",
    "order_items": "Items: {items}. Total: {total}.",
    "order_tracking": "Tracking: {tracking}.",
    "order_refunds": "Refunded: {refunds}.",
    "my_orders": "Here are your latest orders:",
    "cancel_open": "Order {number} hasn't shipped yet, so it can still be cancelled or "
    "changed. A member of our team does that for you — shall I bring someone in?",
    "cancel_shipped": "Order {number} has already shipped, so it can't be cancelled any "
    "more — you can send it back instead.",
    "order_closed": "Order {number} is already {status}.",
    "refund_none": "No refund has been issued on order {number} so far.",
    "invoice": "You'll find the invoice for order {number} under Orders in your account: {link}",
    "invoice_general": "You'll find your invoices under Orders in your account: {link}",
    "policy": "Here's what our shop says: {policy}",
    "policy_none": "I don't have the shop's rules on that to hand. A member of our team "
    "can tell you for sure — just ask for a person.",
    "shipping_head": "Here's how we ship:",
    "free": "free",
    "free_from": "free from {amount}",
    "everywhere_else": "Everywhere else",
    "payment": "You can pay with: {methods}.",
    "payment_issue": "Sorry about the trouble with the payment! These are the ways you "
    "can pay: {methods}. If it still doesn't work, a member of our team can take a look.",
    "products_head": "Here's what I found:",
    "products_none": "I couldn't find “{query}” in the shop. Could you describe it another way?",
    "products_ask": "What are you looking for? Tell me a product or a type of product, "
    "for example a jacket or boots.",
    "recommend_for": "If you like the {name}, have a look at these:",
    "recommend_head": "A few favourites that are in stock right now:",
    "recommend_none": "I couldn't find anything to suggest right now — tell me what you "
    "have in mind and I'll search the shop.",
    "in_stock": "in stock",
    "few_left": "only {count} left",
    "backorder": "available on backorder",
    "out_of_stock": "out of stock",
    "on_sale": "on sale, was {amount}",
    "account_create": "You can create an account here: {link}",
    "account_edit": "You can change your name, email and password here: {link}",
    "account_password": "No problem — you can set a new password here: {link}",
    "account_delete": "A member of our team can delete your account for you — just ask "
    "for a person. Your account details are here: {link}",
    "account_switch": "Just sign out and sign in with the other account here: {link}",
    "account_problem": "Sorry it's not working! You can sign up or reset your password "
    "here: {link}. If it still fails, a member of our team will help.",
    "account_address": "You can add or change your addresses here: {link}",
    "account_orders": "You can see all your orders here: {link}",
    "place_order": "You can order right in the shop: add products to your cart and check "
    "out. Shall I find a product for you?",
    "review": "Thank you for wanting to share your thoughts! You can leave a review on "
    "the product's page in the shop.",
    "complaint": "I'm sorry to hear that. Tell me what happened — or ask for a person and "
    "a member of our team will take it from here.",
    "contact": "You're chatting with the {shop} assistant. If you'd rather talk to a "
    "person, just say so and I'll bring someone in.",
    "store_none": "I can't look that up in this shop, I'm afraid. A member of our team can "
    "help — just ask for a person.",
}
STATUSES = {
    "pending": "awaiting payment",
    "processing": "paid and being prepared for shipping",
    "on-hold": "on hold until your payment arrives",
    "completed": "completed and shipped",
    "cancelled": "cancelled",
    "refunded": "refunded",
    "failed": "not paid (the payment failed)",
    "checkout-draft": "not placed yet",
}
QUICK = {
    "track": "Track my order",
    "shipping": "Shipping options",
    "payment": "Payment methods",
    "returns": "Return policy",
    "person": "Talk to a person",
    "products": "Find a product",
    "order": "Order {number}",
    "cancel": "Cancel an order",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
