"""AES-256-GCM for secrets at rest.

A token is ``v1.<base64url(nonce || ciphertext || tag)>``; the version prefix lets a
later scheme be told apart. Decrypting tries several keys in order, so that a value
written under a previous key stays readable while a rotation rolls out.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "v1."
_NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(ValueError):
    """The token was made with none of the keys, or was altered."""


def generate_key() -> bytes:
    return os.urandom(KEY_BYTES)


def encrypt(plaintext: str, key: bytes) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), None)
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str, keys: Sequence[bytes]) -> str:
    """The plaintext, with the first of ``keys`` that opens the token."""
    if not token.startswith(_PREFIX):
        raise DecryptionError("not an encrypted value")
    try:
        raw = base64.urlsafe_b64decode(token[len(_PREFIX) :])
    except ValueError:
        raise DecryptionError("wrong key or altered value") from None
    for key in keys:
        try:
            return AESGCM(key).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()
        except (InvalidTag, ValueError):
            continue
    raise DecryptionError("wrong key or altered value")
