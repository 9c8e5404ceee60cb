"""Typed access to what one browser session keeps: the data in use, settings, sign-in."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import streamlit as st

from geo.public import PublicSettings
from geo.settings import Settings
from geo.source import DataSource

_DATA = "data_source"
_SETTINGS = "settings"
_USUAL = "usual_settings"
_STAFF_HASH = "staff_hash"
_FAILURES = "failures"
_LOCKED_UNTIL = "locked_until"
_SIGNED_OUT = "signed_out"
_COOKIE_SCRIPT = "sign_in_cookie_script"
_CLOSE_SIDEBAR = "close_sidebar"
_SESSION_TOKEN = "sign_in_token"


def data_source() -> DataSource:
    """The data in use in this session (the shipped data until other files are used)."""
    value = st.session_state.get(_DATA)
    return value if isinstance(value, DataSource) else DataSource.shipped()


def use_data_source(source: DataSource) -> None:
    """Use ``source`` from now on in this session."""
    st.session_state[_DATA] = source


@dataclass
class ServerSettings:
    """Settings shared by every session of this server (not only the tab that set them).

    ``public_min_count`` is ``None`` until staff set it (the default then applies).
    """

    public_min_count: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource(show_spinner=False)
def server_settings() -> ServerSettings:
    """The one :class:`ServerSettings` of this server process."""
    return ServerSettings()


def settings() -> Settings:
    """The settings in use (the analyst's, or the defaults).

    Their ``public_min_count`` is the server's (:func:`public_min_count`), so the settings
    saved from any session carry the meeting view's minimum count every viewer sees.
    """
    value = st.session_state.get(_SETTINGS)
    current = value if isinstance(value, Settings) else Settings()
    shared = public_min_count()
    if current.public_min_count != shared:
        current = current.replace(public_min_count=shared)
        st.session_state[_SETTINGS] = current
    return current


def use_settings(value: Settings, *, share_public: bool = False, usual: str | None = None) -> None:
    """Use ``value`` as the settings of every page from now on in this session.

    With ``share_public`` (a settings file loaded, or the defaults restored) its
    ``public_min_count`` also becomes the meeting view's minimum count for every viewer.
    With ``usual`` (how they are described, e.g. ``"the defaults"``) they also become the
    usual settings (:func:`usual_settings`), which changes tried later are compared with.
    """
    if share_public:
        use_public_min_count(value.public_min_count)
    if usual is not None:
        st.session_state[_USUAL] = (value, usual)
    st.session_state[_SETTINGS] = value


def usual_settings() -> tuple[Settings, str]:
    """``(settings, description)`` agreed on in this session (the defaults until a file loads)."""
    value = st.session_state.get(_USUAL)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Settings):
        return value[0], str(value[1])
    return Settings(), "the defaults"


def public_settings() -> PublicSettings:
    """The meeting view's suppression settings (staff may raise the minimum count)."""
    return PublicSettings(min_count=public_min_count())


def public_min_count() -> int:
    """The smallest number of incidents an area needs to be shown at meetings (server-wide)."""
    shared = server_settings()
    with shared.lock:
        value = shared.public_min_count
    return int(value) if value is not None else Settings().public_min_count


def use_public_min_count(value: int) -> None:
    """Set the meeting view's minimum count for every viewer of this server (validated)."""
    checked = Settings(public_min_count=int(value)).public_min_count
    shared = server_settings()
    with shared.lock:
        shared.public_min_count = checked


def staff_hash() -> str | None:
    """The password hash this session signed in with, if any."""
    value = st.session_state.get(_STAFF_HASH)
    return value if isinstance(value, str) else None


def sign_in(stored_hash: str) -> None:
    """Remember that this session signed in with ``stored_hash``; forget earlier failures."""
    st.session_state[_STAFF_HASH] = stored_hash
    st.session_state[_FAILURES] = 0
    st.session_state[_SIGNED_OUT] = False


def set_session_token(token: str) -> None:
    """Remember the sign-in token this session made or was signed in with."""
    st.session_state[_SESSION_TOKEN] = token


def session_token() -> str | None:
    """The sign-in token of this session, if any."""
    value = st.session_state.get(_SESSION_TOKEN)
    return value if isinstance(value, str) else None


def sign_out() -> None:
    """Forget the sign-in of this session; a sign-in token the browser still sends is ignored."""
    st.session_state.pop(_STAFF_HASH, None)
    st.session_state.pop(_SESSION_TOKEN, None)
    st.session_state[_SIGNED_OUT] = True


def signed_out() -> bool:
    """Whether this session signed out (its browser's sign-in token no longer counts)."""
    return bool(st.session_state.get(_SIGNED_OUT, False))


def set_cookie_script(script: str | None) -> None:
    """Keep ``script`` (what the browser's sign-in cookie becomes) until it is sent once."""
    st.session_state[_COOKIE_SCRIPT] = script


def take_cookie_script() -> str | None:
    """The cookie script waiting to be sent, if any, and forget it."""
    value = st.session_state.pop(_COOKIE_SCRIPT, None)
    return value if isinstance(value, str) else None


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


def close_sidebar_next() -> None:
    """Ask for the sidebar to be closed on the next run (after signing out on a public page)."""
    st.session_state[_CLOSE_SIDEBAR] = True


def take_close_sidebar() -> bool:
    """Whether the sidebar was asked to close since the last run; the request is used up."""
    return bool(st.session_state.pop(_CLOSE_SIDEBAR, False))
