"""Notifications to people outside the console: Slack, Discord, email, signed webhooks.

Each goes through the durable outbox (``OutboxItem``): written in the transaction of
its cause, sent by a worker with timeouts and backoff, marked sent only after success.
"""
