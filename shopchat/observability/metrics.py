"""Prometheus metrics, defined once per process."""

from prometheus_client import Counter, Gauge, Histogram

messages = Counter("shopchat_messages_total", "Messages stored", ["role"])
ws_connections = Gauge("shopchat_ws_connections", "Open widget WebSocket connections")
ws_token_in_url = Counter(
    "shopchat_ws_token_in_url_total",
    "Widget WebSockets opened with the deprecated ?token= in the URL (widgets not updated)",
)
long_polls = Gauge("shopchat_long_polls", "Widget long-polls waiting for a message")
frames_rejected = Counter(
    "shopchat_frames_rejected_total", "Client frames answered with an error", ["code"]
)
reply_seconds = Histogram(
    "shopchat_reply_seconds",
    "Time the responder took for one reply",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
replies_recovered = Counter(
    "shopchat_replies_recovered_total",
    "Customer messages taken up by reply recovery (their process died before replying)",
)
assistant_busy = Counter(
    "shopchat_assistant_busy_total",
    "Customer messages refused because their site's assistant turns of the minute were used",
)
sessions_opened = Counter("shopchat_sessions_total", "Widget sessions opened", ["verified"])
