"""shopchat — AI customer-service chat for WooCommerce shops."""

__version__ = "0.1.0"
