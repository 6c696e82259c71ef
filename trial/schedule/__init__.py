"""Visit status from the declarative schedule (pure Python, no Django)."""
