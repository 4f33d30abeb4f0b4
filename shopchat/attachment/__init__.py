"""Files customers send in chat: checked by their real type, stripped, stored privately."""
