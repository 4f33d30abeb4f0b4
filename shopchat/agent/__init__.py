"""Agents: the people of an account who answer customers."""
