"""Data queries: raise, answer, close, send back (services and pages)."""
