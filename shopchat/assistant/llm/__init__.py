"""LLM providers for the assistant (optional): the interface, an OpenAI-compatible client,
per-site configuration, budget and cost accounting, the answer cache and the responder."""
