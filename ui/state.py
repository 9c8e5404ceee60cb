"""Typed access to what one browser session keeps: the data in use, settings, sign-in."""

from __future__ import annotations

import streamlit as st

from geo.public import PublicSettings
from geo.settings import Settings
from geo.source import DataSource

_DATA = "data_source"
_SETTINGS = "settings"
_PUBLIC_MIN = "public_min_count"
_STAFF_HASH = "staff_hash"
_FAILURES = "failures"
_LOCKED_UNTIL = "locked_until"


def data_source() -> DataSource:
    """The data in use in this session (the shipped data until other files are used)."""
    value = st.session_state.get(_DATA)
    return value if isinstance(value, DataSource) else DataSource.shipped()


def use_data_source(source: DataSource) -> None:
    """Use ``source`` from now on in this session."""
    st.session_state[_DATA] = source


def settings() -> Settings:
    """The settings in use (the analyst's, or the defaults)."""
    value = st.session_state.get(_SETTINGS)
    return value if isinstance(value, Settings) else Settings()


def use_settings(value: Settings) -> None:
    """Use ``value`` as the settings of every page from now on in this session."""
    st.session_state[_SETTINGS] = value


def public_settings() -> PublicSettings:
    """The meeting view's suppression settings (staff may raise the minimum count)."""
    return PublicSettings(min_count=public_min_count())


def public_min_count() -> int:
    """The smallest number of incidents an area needs to be shown at meetings."""
    return int(st.session_state.get(_PUBLIC_MIN, PublicSettings().min_count))


def use_public_min_count(value: int) -> None:
    """Set the meeting view's minimum count for this session."""
    st.session_state[_PUBLIC_MIN] = int(value)


def staff_hash() -> str | None:
    """The password hash this session signed in with, if any."""
    value = st.session_state.get(_STAFF_HASH)
    return value if isinstance(value, str) else None


def sign_in(stored_hash: str) -> None:
    """Remember that this session signed in with ``stored_hash``; forget earlier failures."""
    st.session_state[_STAFF_HASH] = stored_hash
    st.session_state[_FAILURES] = 0


def sign_out() -> None:
    """Forget the sign-in of this session."""
    st.session_state.pop(_STAFF_HASH, None)


def failures() -> int:
    """Wrong passwords since the last sign-in or lockout."""
    return int(st.session_state.get(_FAILURES, 0))


def set_failures(value: int) -> None:
    """Set the count of wrong passwords."""
    st.session_state[_FAILURES] = int(value)


def locked_until() -> float:
    """``time.monotonic()`` value until which the sign-in form refuses every password."""
    return float(st.session_state.get(_LOCKED_UNTIL, 0.0))


def lock_until(when: float) -> None:
    """Refuse every password until ``time.monotonic()`` reaches ``when``."""
    st.session_state[_LOCKED_UNTIL] = float(when)
