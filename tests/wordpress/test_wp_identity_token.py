"""A token signed by the plugin's PHP verifies in the Python server; a tampered one does not."""

import base64
import json
import subprocess
import time
from pathlib import Path

import pytest

from shopchat.kit.identity import IdentityError, verify_identity

SIGNER = Path(__file__).parent / "php" / "sign-token.php"
SITE_KEY = "site_k3y_test"
SECRET = "an-identity-secret-of-enough-length"


def php_sign(claims: dict[str, object], secret: str = SECRET) -> str:
    run = subprocess.run(
        ["php", str(SIGNER), secret],
        input=json.dumps(claims),
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def claims(**extra: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "iss": SITE_KEY,
        "sub": "42",
        "iat": now,
        "exp": now + 900,
        "email": "jürgen@example.com",
        "name": "Jürgen Müller",
        "customer": {"status": "vip", "order_count": 12, "total_spent": "1234.50"},
        "cart": {
            "items": [{"product_id": 7, "name": "Käse", "quantity": 2, "total": "9.98"}],
            "total": "9.98",
            "currency": "EUR",
        },
        "recent_orders": [
            {
                "id": 101,
                "number": "101",
                "status": "processing",
                "total": "20.00",
                "date_created": "2026-01-02T03:04:05+00:00",
            }
        ],
        "page": {"url": "https://shop.example/cart/", "title": "Cart"},
        **extra,
    }


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_php_token_verifies_in_python() -> None:
    identity = verify_identity(php_sign(claims()), site_key=SITE_KEY, secret=SECRET)
    assert identity.customer_id == "42"
    assert identity.name == "Jürgen Müller"
    assert identity.segment == "vip"
    assert identity.order_count == 12
    assert identity.total_spent == "1234.50"
    assert identity.cart is not None and identity.cart["items"][0]["name"] == "Käse"
    assert identity.recent_orders[0]["number"] == "101"


def test_tampered_payload_is_rejected() -> None:
    header, _, signature = php_sign(claims()).split(".")
    forged = _b64(json.dumps(claims(sub="1", customer={"status": "vip"})).encode())
    with pytest.raises(IdentityError):
        verify_identity(f"{header}.{forged}.{signature}", site_key=SITE_KEY, secret=SECRET)


def test_flipped_signature_is_rejected() -> None:
    token = php_sign(claims())
    last = "A" if token[-2] != "A" else "B"
    with pytest.raises(IdentityError):
        verify_identity(token[:-2] + last + token[-1], site_key=SITE_KEY, secret=SECRET)


def test_other_secret_is_rejected() -> None:
    with pytest.raises(IdentityError):
        verify_identity(
            php_sign(claims(), "another-secret-of-enough-length-0123456789"),
            site_key=SITE_KEY,
            secret=SECRET,
        )


def test_other_site_is_rejected() -> None:
    with pytest.raises(IdentityError, match="another site"):
        verify_identity(php_sign(claims()), site_key="someone_else", secret=SECRET)


def test_expired_token_is_rejected() -> None:
    expired = claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    with pytest.raises(IdentityError, match="expired"):
        verify_identity(php_sign(expired), site_key=SITE_KEY, secret=SECRET)
