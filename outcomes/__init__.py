"""Outcome instruments, forms, device and app imports, dashboards and exports."""
