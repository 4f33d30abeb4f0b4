"""Serves the browser widget: the loader ``/widget.js`` and the assets it loads lazily."""
