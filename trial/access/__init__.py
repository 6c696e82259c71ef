"""Deny-by-default access control: every view declares who may use it, or it is refused."""
