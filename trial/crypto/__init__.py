"""Encryption at rest for identifying data (names, contacts, dates of birth)."""
