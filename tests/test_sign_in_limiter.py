"""The server-wide sign-in limiter: per client address and overall, with a fake clock."""

from __future__ import annotations

import threading

import pytest

from geo.auth import SignInLimiter
from geo.errors import ValidationError


def test_fresh_sessions_from_one_address_share_its_limit():
    lim = SignInLimiter(per_client=5, overall=20, window_s=300.0)
    for i in range(5):
        assert lim.check("10.0.0.1", now=float(i)).allowed
        lim.failed("10.0.0.1", now=float(i))
    blocked = lim.check("10.0.0.1", now=4.0)
    assert not blocked.allowed
    assert blocked.wait_s == pytest.approx(296.0)
    assert blocked.reason == "too many wrong passwords from this address"
    assert lim.check("10.0.0.2", now=4.0).allowed  # another address is not locked out
    assert not lim.check("10.0.0.1", now=299.9).allowed
    assert lim.check("10.0.0.1", now=300.0).allowed  # the first failure has aged out


def test_guesses_spread_over_addresses_meet_the_overall_limit():
    lim = SignInLimiter(per_client=5, overall=6, window_s=60.0)
    for i in range(6):
        lim.failed(f"10.0.0.{i}", now=1.0)
    blocked = lim.check("10.0.0.99", now=2.0)
    assert not blocked.allowed and blocked.reason == "too many wrong passwords on this server"
    assert blocked.wait_s == pytest.approx(59.0)
    assert lim.check("10.0.0.99", now=61.0).allowed


def test_counting_is_thread_safe():
    """8 threads x 500 failures: exactly 4,000 are counted (one more reaches the limit)."""
    lim = SignInLimiter(per_client=4_001, overall=4_001, window_s=1e9)

    def guess() -> None:
        for _ in range(500):
            lim.failed("10.0.0.1", now=1.0)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert lim.check("10.0.0.1", now=2.0).allowed
    lim.failed("10.0.0.1", now=2.0)
    assert not lim.check("10.0.0.1", now=2.0).allowed


def test_a_right_password_clears_its_address_but_not_the_overall_count():
    lim = SignInLimiter(per_client=2, overall=3, window_s=60.0)
    lim.failed("a", now=0.0)
    lim.failed("a", now=0.0)
    assert not lim.check("a", now=1.0).allowed
    lim.succeeded("a")
    assert lim.check("a", now=1.0).allowed
    lim.failed("b", now=1.0)
    assert lim.check("c", now=1.0).reason == "too many wrong passwords on this server"


def test_the_app_keeps_one_limiter_for_the_server():
    from ui import gate

    assert isinstance(gate.LIMITER, SignInLimiter)
    assert gate.LIMITER.per_client <= 10 and gate.LIMITER.overall <= 50


def test_limits_are_checked():
    with pytest.raises(ValidationError, match="per_client >= 1"):
        SignInLimiter(per_client=0)
