"""Imaging services: explicit functions called by views and tasks (no signals)."""
