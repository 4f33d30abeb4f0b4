"""WooCommerce webhooks in: verify, store once, answer at once; a worker processes after."""
