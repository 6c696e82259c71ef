"""The token-authenticated API (Django REST framework), read through the same blinding layer."""
