"""Staff password hashes: scrypt with salt, malformed hashes refused, the hash-password command."""

from __future__ import annotations

import io

import pytest

from geo.auth import check_password_hash, hash_password, verify_password
from geo.cli import main as cli_main
from geo.errors import ValidationError


def test_password_hash_verifies_only_the_right_password():
    stored = hash_password("a long enough password", n=2**10)
    assert stored.startswith("scrypt:1024:8:1:")
    assert verify_password("a long enough password", stored)
    assert not verify_password("a long enough passwore", stored)
    assert not verify_password("", stored)


def test_password_hashes_are_salted():
    a = hash_password("same password here", n=2**10)
    b = hash_password("same password here", n=2**10)
    assert a != b
    assert verify_password("same password here", a) and verify_password("same password here", b)


def test_fixed_salt_gives_the_same_hash():
    salt = b"0123456789abcdef"
    assert hash_password("abcdefghijk", salt=salt, n=2**10) == hash_password(
        "abcdefghijk", salt=salt, n=2**10
    )


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain text password",
        "scrypt:1024:8:1:c2FsdA==",  # no key
        "scrypt:1000:8:1:c2FsdHNhbHRzYWx0:a2V5a2V5a2V5a2V5a2V5a2V5",  # n not a power of two
        "scrypt:1024:8:1:!!!:a2V5a2V5a2V5a2V5a2V5a2V5",  # salt not base64
        "scrypt:1024:8:1:c2FsdA==:a2V5",  # key too short
        "pbkdf2:1024:8:1:c2FsdA==:a2V5a2V5a2V5a2V5a2V5a2V5",
    ],
)
def test_malformed_hash_is_a_configuration_error(stored):
    with pytest.raises(ValidationError, match="hash is not valid"):
        verify_password("whatever password", stored)
    with pytest.raises(ValidationError, match="hash is not valid"):
        check_password_hash(stored)


def test_short_password_is_refused():
    with pytest.raises(ValidationError, match="at least 10 characters. Got 9"):
        hash_password("123456789")


def test_hash_password_command_prints_a_hash_that_verifies(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("a staff password 123\n"))
    assert cli_main(["hash-password", "--stdin"]) == 0
    line = capsys.readouterr().out.strip()
    assert verify_password("a staff password 123", line)
    assert not verify_password("a staff password 124", line)


def test_hash_password_command_refuses_a_short_password(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli_main(["hash-password", "--stdin"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err


def test_sign_in_token_holds_for_its_hours_and_only_for_its_hash():
    from geo.auth import sign_in_token, token_valid

    stored = hash_password("a long staff password", salt=b"0" * 16, n=2**4)
    other = hash_password("a long staff password", salt=b"1" * 16, n=2**4)
    now = 1_700_000_000.0
    token = sign_in_token(stored, now, hours=8)
    assert token_valid(token, stored, now + 60)
    assert token_valid(token, stored, now + 8 * 3600 - 1)
    assert not token_valid(token, stored, now + 8 * 3600)  # expired
    assert not token_valid(token, other, now + 60)  # a new password ends old sign-ins
    expiry, mac = token.split(".")
    assert not token_valid(f"{int(expiry) + 3600}.{mac}", stored, now)  # expiry changed
    far = sign_in_token(stored, now, hours=24 * 365)  # a year claimed: refused
    assert not token_valid(far, stored, now)
    for bad in (None, "", "x", f"{expiry}.{mac[:-1]}", f"{expiry}.{mac.upper()}", f"-1.{mac}"):
        assert not token_valid(bad, stored, now)


def test_revoked_tokens_are_refused_and_forgotten_once_expired():
    from geo.auth import RevokedTokens, sign_in_token

    stored = hash_password("a long staff password", salt=b"0" * 16, n=2**4)
    now = 1_700_000_000.0
    short = sign_in_token(stored, now, hours=1)
    long = sign_in_token(stored, now, hours=8)
    revoked = RevokedTokens()
    assert short not in revoked
    revoked.revoke(short, now)
    assert short in revoked and long not in revoked
    revoked.revoke("not a token", now)  # ignored
    assert "not a token" not in revoked
    revoked.revoke(long, now + 2 * 3600)  # the short one has expired by then: dropped
    assert long in revoked and short not in revoked
