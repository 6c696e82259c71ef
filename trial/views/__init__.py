"""Views of the core trial app, one module per page family."""
