"""The staff sign-in: the configured password hash, the sign-in form and its lockout."""

from __future__ import annotations

import os
import time

import streamlit as st

from geo.auth import check_password_hash, verify_password
from geo.errors import ValidationError
from ui import state

HASH_ENV = "HOTSPOTS_STAFF_PASSWORD_HASH"
HASH_SECRET = "staff_password_hash"
MAX_FAILURES = 5
LOCKOUT_S = 60.0

HOW_TO_SET = f"""
An administrator sets the staff password once:

1. Make a hash of the new password: `python -m geo hash-password` (asks twice, prints one line).
2. Put that line in `.streamlit/secrets.toml` as `{HASH_SECRET} = "scrypt:…"`,
   or in the environment variable `{HASH_ENV}` before starting the app.
3. Restart the app. Only the hash is stored, never the password.
"""


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


def signed_in() -> bool:
    """Whether this browser session signed in with the currently configured password."""
    stored, _ = configured_hash()
    return stored is not None and state.staff_hash() == stored


def staff_gate(page: str) -> bool:
    """Show the sign-in form unless signed in; ``True`` when the page may be shown."""
    if signed_in():
        return True
    stored, problem = configured_hash()
    st.title(f"{page}: staff only")
    st.write(
        "This page shows individual incidents and exact hotspot locations, so it is "
        "protected by a staff password. The Meeting page is open to everyone."
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
    if submitted:
        locked = state.locked_until() - time.monotonic()
        if locked > 0:
            st.error(f"Too many wrong passwords. Try again in {locked:.0f} seconds.")
        elif password and verify_password(password, stored):
            state.sign_in(stored)
            st.rerun()
        else:
            state.set_failures(state.failures() + 1)
            if state.failures() >= MAX_FAILURES:
                state.lock_until(time.monotonic() + LOCKOUT_S)
                state.set_failures(0)
            st.error("Wrong password. The page stays locked.")
    return False
