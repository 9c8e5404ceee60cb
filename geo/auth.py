"""Staff passwords: salted scrypt hashes, format check, constant-time verification, lockout."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import threading
from collections import deque
from dataclasses import dataclass

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


#: How long a browser stays signed in (a shift): the sign-in token's lifetime, in hours.
SIGN_IN_HOURS = 8.0
#: Name of the browser cookie that keeps a staff sign-in over a page reload.
SIGN_IN_COOKIE = "hotspots_staff"
_TOKEN_RE = re.compile(r"^(\d{1,12})\.([0-9a-f]{64})$")


def sign_in_token(stored: str, now: float, *, hours: float = SIGN_IN_HOURS) -> str:
    """A token that proves a sign-in with ``stored`` until ``hours`` after ``now``.

    ``<expiry, Unix seconds>.<HMAC-SHA256 of the expiry, hex>``, keyed by the configured
    password hash: only the server can make one, and a new staff password ends every
    token made before it. Kept by the browser (:data:`SIGN_IN_COOKIE`) so that reloading a
    page, or opening a staff page by its address, does not ask for the password again.

    Parameters
    ----------
    stored
        The configured hash (:func:`hash_password`).
    now
        Unix time (``time.time()``).
    hours
        Lifetime.

    """
    expiry = int(now + hours * 3600)
    return f"{expiry}.{_token_mac(stored, expiry)}"


def token_valid(
    token: str | None, stored: str, now: float, *, hours: float = SIGN_IN_HOURS
) -> bool:
    """Whether ``token`` was made by :func:`sign_in_token` for ``stored`` and has not expired.

    A token is refused when malformed, signed for another hash, expired, or claiming a
    lifetime longer than ``hours`` from ``now`` (constant-time comparison of the MAC).
    """
    m = _TOKEN_RE.match(token or "")
    if m is None:
        return False
    expiry = int(m.group(1))
    if not now < expiry <= now + hours * 3600 + 60:
        return False
    return hmac.compare_digest(m.group(2), _token_mac(stored, expiry))


class RevokedTokens:
    """Sign-in tokens ended by signing out before they expire; thread-safe.

    A browser's cookie is removed when it signs out, but a copy of the token would still
    pass :func:`token_valid` until its expiry: the server keeps each signed-out token here
    (until that expiry, so the set stays small) and refuses it. Held in memory: a restart
    forgets them, while a new staff password ends every token.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ends: dict[str, int] = {}

    def revoke(self, token: str, now: float) -> None:
        """Refuse ``token`` from now on (tokens already expired are dropped)."""
        m = _TOKEN_RE.match(token)
        if m is None:
            return
        with self._lock:
            self._ends = {t: end for t, end in self._ends.items() if end > now}
            self._ends[token] = int(m.group(1))

    def __contains__(self, token: object) -> bool:
        with self._lock:
            return token in self._ends


def _token_mac(stored: str, expiry: int) -> str:
    key = hashlib.sha256(b"hotspots staff sign-in\0" + stored.strip().encode("utf-8")).digest()
    return hmac.new(key, str(expiry).encode("ascii"), hashlib.sha256).hexdigest()


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


@dataclass(frozen=True)
class Lockout:
    """Whether a sign-in may be tried now, and if not for how long and why."""

    allowed: bool
    wait_s: float = 0.0
    reason: str = ""


class SignInLimiter:
    """Wrong staff passwords counted across every session: per client address and overall.

    A browser session can be thrown away and a fresh one opened at once, so the app keeps
    one of these for the whole server. It stores the times of recent wrong passwords and
    the client address they came from, never a password. Thread-safe: Streamlit runs every
    session in its own thread.

    Parameters
    ----------
    per_client
        Wrong passwords one client address may give within ``window_s``.
    overall
        Wrong passwords all clients together may give within ``window_s`` (a guess spread
        over many addresses).
    window_s
        Seconds a wrong password counts for; once a limit is reached, sign-in waits until
        the oldest counted failure is ``window_s`` old.

    """

    def __init__(self, *, per_client: int = 10, overall: int = 50, window_s: float = 300.0):
        if per_client < 1 or overall < per_client or not window_s > 0:
            raise ValidationError(
                "The sign-in limits need per_client >= 1, overall >= per_client and "
                f"window_s > 0. Got {per_client}, {overall}, {window_s}."
            )
        self.per_client, self.overall, self.window_s = per_client, overall, window_s
        self._lock = threading.Lock()
        self._all: deque[float] = deque()
        self._by_client: dict[str, deque[float]] = {}

    def check(self, client: str, now: float) -> Lockout:
        """Whether ``client`` may try a password at time ``now`` (seconds, monotonic)."""
        with self._lock:
            self._forget(now)
            mine = self._by_client.get(client, deque())
            if len(mine) >= self.per_client:
                wait = mine[0] + self.window_s - now
                return Lockout(False, wait, "too many wrong passwords from this address")
            if len(self._all) >= self.overall:
                wait = self._all[0] + self.window_s - now
                return Lockout(False, wait, "too many wrong passwords on this server")
            return Lockout(True)

    def failed(self, client: str, now: float) -> None:
        """Count a wrong password from ``client`` at time ``now``."""
        with self._lock:
            self._forget(now)
            self._all.append(now)
            self._by_client.setdefault(client, deque()).append(now)

    def succeeded(self, client: str) -> None:
        """Forget ``client``'s wrong passwords (the overall count keeps them)."""
        with self._lock:
            self._by_client.pop(client, None)

    def _forget(self, now: float) -> None:
        """Drop failures older than the window (and clients with none left)."""
        cutoff = now - self.window_s
        while self._all and self._all[0] <= cutoff:
            self._all.popleft()
        for client in list(self._by_client):
            times = self._by_client[client]
            while times and times[0] <= cutoff:
                times.popleft()
            if not times:
                del self._by_client[client]
