"""The sign-in lockout holds across fresh browser sessions (AppTest, in-process server)."""

from __future__ import annotations

from geo.auth import SignInLimiter
from tests.test_app import HASH, errors, go, new_app, run, sign_in, titles


def test_fresh_sessions_do_not_reset_the_lockout(monkeypatch):
    from ui import gate

    monkeypatch.setattr(gate, "LIMITER", SignInLimiter(per_client=3, overall=3, window_s=600))
    for _ in range(3):  # three fresh sessions, one wrong password each
        at = run(new_app(monkeypatch, hash_env=HASH))
        go(at, "Patrol")
        sign_in(at, "a wrong guess at it")
        assert "Wrong password" in errors(at)
    fresh = run(new_app(monkeypatch, hash_env=HASH))
    go(fresh, "Patrol")
    sign_in(fresh)  # even the right password waits
    assert "Sign-in is paused: too many wrong passwords" in errors(fresh)
    assert titles(fresh) == ["Patrol: staff only"]
