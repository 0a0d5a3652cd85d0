"""Shops' payment secrets (merchant private keys, the APIv3 key) encrypted at rest.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) under settings.PAYMENT_SECRETS_KEY: a
comma-separated list, the first key encrypts, every key decrypts (MultiFernet), so a key is rotated
by putting the new one first, re-encrypting the rows (payment_secrets_rotate) and then dropping the
old one. An entry that is not a Fernet key (the development passphrase under var/) is hashed into one.
"""

import base64
import binascii
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """A stored secret none of the configured keys decrypts (a key was dropped too early)."""


def _fernet(entry: str) -> Fernet:
    try:
        if len(base64.urlsafe_b64decode(entry.encode())) == 32:
            return Fernet(entry.encode())
    except (binascii.Error, ValueError):
        pass
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(entry.encode()).digest()))


@lru_cache(maxsize=4)
def _box(keys: str) -> MultiFernet:
    entries = [entry.strip() for entry in keys.split(",") if entry.strip()]
    if not entries:
        raise ImproperlyConfigured("PAYMENT_SECRETS_KEY is empty")
    return MultiFernet([_fernet(entry) for entry in entries])


def encrypt(plaintext: str) -> str:
    """The token stored in the row ("" stays "": nothing set)."""
    if not plaintext:
        return ""
    return _box(settings.PAYMENT_SECRETS_KEY).encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _box(settings.PAYMENT_SECRETS_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("no configured PAYMENT_SECRETS_KEY decrypts this secret") from None


def rotate(token: str) -> str:
    """The same secret under the first key (a token already under it is re-encrypted all the same)."""
    if not token:
        return ""
    try:
        return _box(settings.PAYMENT_SECRETS_KEY).rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("no configured PAYMENT_SECRETS_KEY decrypts this secret") from None
