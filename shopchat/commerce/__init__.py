"""Shop data for the assistant: the Store interface, its platforms, cache and demo shop."""
