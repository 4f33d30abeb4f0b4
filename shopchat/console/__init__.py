"""The agent console: sign-in, the live queue, conversations, hand-off and routing."""
