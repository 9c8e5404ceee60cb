"""The staff sign-in: the configured password hash, the sign-in form and its lockout."""

from __future__ import annotations

import os
import time

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo.auth import (
    SIGN_IN_COOKIE,
    SIGN_IN_HOURS,
    RevokedTokens,
    SignInLimiter,
    check_password_hash,
    sign_in_token,
    token_valid,
    verify_password,
)
from geo.errors import ValidationError
from ui import state

HASH_ENV = "HOTSPOTS_STAFF_PASSWORD_HASH"
HASH_SECRET = "staff_password_hash"
MAX_FAILURES = 5
LOCKOUT_S = 60.0
#: Wrong passwords counted for the whole server, since a fresh browser session starts at
#: zero: 10 per client address and 50 overall within 5 minutes (a right password clears
#: its address's count).
LIMITER = SignInLimiter(per_client=10, overall=50, window_s=300.0)
#: Sign-in tokens of browsers that signed out, refused for the server's lifetime.
REVOKED = RevokedTokens()

HOW_TO_SET = f"""
An administrator sets the staff password once:

1. Make a hash of the new password: `python -m geo hash-password` (asks twice, prints one line).
2. Put that line in `.streamlit/secrets.toml` as `{HASH_SECRET} = "scrypt:…"`,
   or in the environment variable `{HASH_ENV}` before starting the app.
3. Restart the app. Only the hash is stored, never the password.
"""


#: What the Meeting page says while staff are signed in: the screen may be in front of a
#: public meeting, where a click on a staff page would show confidential detail.
PUBLIC_SCREEN_WARNING = (
    "Staff pages are open in this browser. Sign out before this screen is shown in public."
)


def public_screen_warning(key: str) -> None:
    """On a public page, while signed in: :data:`PUBLIC_SCREEN_WARNING` and a sign-out button.

    Drawn above the page's content, where a presenter sees it before the audience does.
    """
    if not signed_in():
        return
    note, button = st.columns([5, 1], vertical_alignment="center")
    note.warning(PUBLIC_SCREEN_WARNING)
    sign_out_button(button, key=key, public=True)


def sign_out_button(box: DeltaGenerator, *, key: str | None = None, public: bool = False) -> None:
    """A "Sign out" button in ``box`` that ends this browser's sign-in (:func:`sign_out`).

    On a ``public`` page the sidebar is closed too, so the staff pages' links leave the
    screen with the sign-in.
    """
    if box.button("Sign out", key=key):
        sign_out()
        if public:
            state.close_sidebar_next()
        st.rerun()


def configured_hash() -> tuple[str | None, str | None]:
    """``(hash, problem)``: the administrator's staff password hash, if any and valid.

    The environment variable wins over ``.streamlit/secrets.toml``.
    """
    value = os.environ.get(HASH_ENV, "").strip()
    if not value and st.secrets.load_if_toml_exists():
        value = str(st.secrets.get(HASH_SECRET, "") or "").strip()
    if not value:
        return None, None
    try:
        check_password_hash(value)
    except ValidationError as exc:
        return None, str(exc)
    return value, None


def client_address() -> str:
    """The browser's address as the server sees it (``"unknown"`` when not known)."""
    try:
        address = st.context.ip_address
    except Exception:  # no request context (bare mode, tests)
        address = None
    return address or "unknown"


def signed_in() -> bool:
    """Whether this browser is signed in with the currently configured password.

    A session that signed in is; so is a new session (a reload, a staff page opened by its
    address) whose browser sends a valid sign-in token (:func:`geo.auth.token_valid`, made at
    the last sign-in, good for :data:`geo.auth.SIGN_IN_HOURS`), unless it signed out.
    """
    stored, _ = configured_hash()
    if stored is None:
        return False
    if state.staff_hash() == stored:
        return True
    token = _sent_token()
    if (
        token is not None
        and not state.signed_out()
        and token not in REVOKED
        and token_valid(token, stored, time.time())
    ):
        state.sign_in(stored)
        state.set_session_token(token)
        return True
    return False


def _sent_token() -> str | None:
    """The sign-in token the browser sent when this session started, if any."""
    try:
        value = st.context.cookies.get(SIGN_IN_COOKIE)
    except Exception:  # no request context (bare mode, tests)
        return None
    return value if isinstance(value, str) else None


def _cookie_script(value: str, max_age_s: int) -> str:
    """A script setting (or, with ``max_age_s`` 0, removing) the browser's sign-in cookie.

    ``value`` is a token (digits, a dot, hex) or empty: nothing in it needs escaping.
    """
    return (
        "<script>document.cookie = "
        f'"{SIGN_IN_COOKIE}={value}; path=/; max-age={max_age_s}; SameSite=Strict"'
        ' + (location.protocol === "https:" ? "; Secure" : "");</script>'
    )


def sign_out() -> None:
    """End this browser's sign-in: the session's, and the token its browser keeps.

    The token is also refused from now on (:data:`REVOKED`), should a copy of it be sent.
    """
    token = state.session_token()
    if token is not None:
        REVOKED.revoke(token, time.time())
    state.sign_out()
    state.set_cookie_script(_cookie_script("", 0))


def send_cookie() -> None:
    """Send the browser the sign-in cookie change waiting since the last sign-in or sign-out.

    Drawn in the sidebar, once; the script sets ``document.cookie`` and shows nothing.
    """
    script = state.take_cookie_script()
    if script is not None:
        st.html(script, unsafe_allow_javascript=True)


def staff_gate(page: str) -> bool:
    """Show the sign-in form unless signed in; ``True`` when the page may be shown."""
    if signed_in():
        return True
    stored, problem = configured_hash()
    st.title(f"{page}: staff only")
    st.write(
        "This page shows exact hotspot outlines, street names and counts that the "
        "public map holds back, so it is protected by a staff password. The Meeting page "
        "is open to everyone."
    )
    if stored is None:
        reason = f" {problem}" if problem else ""
        st.error(
            "The staff pages are switched off because no staff password has been set "
            f"for this app.{reason}"
        )
        st.markdown(HOW_TO_SET)
        return False
    with st.form("sign_in", clear_on_submit=True):
        password = st.text_input("Staff password", type="password", key="password")
        submitted = st.form_submit_button("Sign in")
        st.caption(
            f"This browser stays signed in for {SIGN_IN_HOURS:g} hours, over reloads, or until "
            "you sign out (the button in the sidebar). On a shared computer, sign out."
        )
    if submitted:
        now = time.monotonic()
        client = client_address()
        locked = state.locked_until() - now
        server = LIMITER.check(client, now)
        if locked > 0:
            st.error(f"Too many wrong passwords. Try again in {locked:.0f} seconds.")
        elif not server.allowed:
            st.error(
                f"Sign-in is paused: {server.reason}. Try again in {server.wait_s:.0f} seconds."
            )
        elif password and verify_password(password, stored):
            LIMITER.succeeded(client)
            state.sign_in(stored)
            token = sign_in_token(stored, time.time())
            state.set_session_token(token)
            state.set_cookie_script(_cookie_script(token, int(SIGN_IN_HOURS * 3600)))
            st.rerun()
        else:
            LIMITER.failed(client, now)
            state.set_failures(state.failures() + 1)
            if state.failures() >= MAX_FAILURES:
                state.lock_until(time.monotonic() + LOCKOUT_S)
                state.set_failures(0)
            st.error("Wrong password. The page stays locked.")
    return False
