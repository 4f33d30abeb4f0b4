"""Accounts and sites (shops): keys, secrets, allowed origins, settings."""
