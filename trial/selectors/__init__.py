"""Queries that apply permissions and blinding. Views read through these, never around them."""
