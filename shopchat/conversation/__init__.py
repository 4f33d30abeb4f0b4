"""Conversations and messages: the widget session, live chat and delivery guarantees."""
