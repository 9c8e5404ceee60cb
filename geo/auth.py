"""Staff passwords: salted scrypt hashes, their format check and constant-time verification."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re

from geo.errors import ValidationError

#: Shortest staff password :func:`hash_password` accepts.
PASSWORD_MIN_CHARS = 10
_SCRYPT = "scrypt"
_HASH_RE = re.compile(r"^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$")


def hash_password(
    password: str, *, salt: bytes | None = None, n: int = 2**14, r: int = 8, p: int = 1
) -> str:
    """A salted scrypt hash of a staff password, as one line of text.

    Format: ``scrypt:<n>:<r>:<p>:<salt, base64>:<key, base64>`` (no ``$``, so it is safe
    in shells and ``.env`` files); store it as
    ``staff_password_hash`` in ``.streamlit/secrets.toml`` or in the environment variable
    ``HOTSPOTS_STAFF_PASSWORD_HASH``. The password itself is never stored.

    Parameters
    ----------
    password
        At least :data:`PASSWORD_MIN_CHARS` characters.
    salt
        16 random bytes by default (tests may pass their own).
    n, r, p
        scrypt cost parameters (``n`` a power of two).

    Raises
    ------
    ValidationError
        When the password is too short or the cost parameters are unusable.

    """
    if len(password) < PASSWORD_MIN_CHARS:
        raise ValidationError(
            f"The staff password must be at least {PASSWORD_MIN_CHARS} characters. "
            f"Got {len(password)}."
        )
    if n < 2 or n & (n - 1) or r < 1 or p < 1:
        raise ValidationError(
            f"scrypt needs n a power of two >= 2, r >= 1, p >= 1. Got {n}, {r}, {p}."
        )
    salt = os.urandom(16) if salt is None else salt
    key = _scrypt(password, salt, n, r, p)
    b64 = base64.b64encode
    return f"{_SCRYPT}:{n}:{r}:{p}:{b64(salt).decode()}:{b64(key).decode()}"


def check_password_hash(stored: str) -> None:
    """Raise :class:`ValidationError` unless ``stored`` is a hash made by :func:`hash_password`."""
    _parse_hash(stored)


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison).

    Raises
    ------
    ValidationError
        When ``stored`` is not a hash made by :func:`hash_password` (a configuration error,
        not a wrong password).

    """
    n, r, p, salt, key = _parse_hash(stored)
    got = _scrypt(password, salt, n, r, p, dklen=len(key))
    return hmac.compare_digest(got, key)


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    m = _HASH_RE.match(stored.strip())
    problem = (
        "The configured staff password hash is not valid: expected "
        "'scrypt:<n>:<r>:<p>:<salt>:<key>' as printed by 'python -m geo hash-password'."
    )
    if m is None:
        raise ValidationError(problem)
    n, r, p = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        salt = base64.b64decode(m.group(4), validate=True)
        key = base64.b64decode(m.group(5), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(problem) from None
    if n < 2 or n & (n - 1) or n > 2**20 or not 1 <= r <= 32 or not 1 <= p <= 16 or len(key) < 16:
        raise ValidationError(problem)
    return n, r, p, salt, key


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int = 32) -> bytes:
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=dklen
    )
