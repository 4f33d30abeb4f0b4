"""AES-256-GCM for secrets at rest.

A token is ``v1.<base64url(nonce || ciphertext || tag)>``; the version prefix lets a
later key or scheme be told apart during rotation.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1."
_NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(ValueError):
    """The token was not made with this key, or was altered."""


def generate_key() -> bytes:
    return os.urandom(KEY_BYTES)


def encrypt(plaintext: str, key: bytes) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str, key: bytes) -> str:
    if not token.startswith(_PREFIX):
        raise DecryptionError("not an encrypted value")
    try:
        raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
        plain = AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError("wrong key or altered value") from exc
    return plain.decode()
