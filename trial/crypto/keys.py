"""Field-encryption keys: a ``MultiFernet`` over ``settings.FIELD_ENCRYPTION_KEYS``.

The first key encrypts; every key decrypts, so a key can be rotated by putting the new one first
and re-saving rows (``manage.py rotate_identity_keys``). Production must set the keys itself;
elsewhere one is derived from ``SECRET_KEY`` so ``make run`` needs no set-up.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def derived_key(secret: str) -> str:
    """A Fernet key derived from a secret (development and tests only)."""
    digest = hashlib.sha256(b"strongback-field-encryption:" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        raise RuntimeError("FIELD_ENCRYPTION_KEYS is empty; identifying data cannot be stored.")
    return _fernet(keys)


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()
