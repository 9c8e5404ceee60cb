"""Small pieces shared by the pages: the error box, widget defaults, upload limits, labels."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.errors import ValidationError
from geo.io import UploadLimits

#: Size limits of every upload in the app.
LIMITS = UploadLimits()
#: Shown when a page has no incident inside the wards to work with.
NO_INCIDENTS = "The data in use has no incidents inside the wards."


def show_problem(intro: str, exc: ValidationError, after: str = "") -> None:
    """A plain-English error box listing every problem (never a traceback)."""
    # a problem over several lines (e.g. the TOML to write) keeps its line breaks in the bullet
    lines = "\n".join("- " + p.replace("\n", "  \n  ") for p in exc.problems[:12])
    more = len(exc.problems) - 12
    extra = f"\n- … and {more} more" if more > 0 else ""
    st.error(f"{intro}\n\n{lines}{extra}" + (f"\n\n{after}" if after else ""))


def init_widget(key: str, value: object) -> None:
    """Give the widget ``key`` its first value, unless it has one already."""
    if key not in st.session_state:
        st.session_state[key] = value


def dashes_for_missing(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for display: missing values as "–" instead of ``None``/``NaN``."""
    missing = frame.isna()
    if not missing.to_numpy().any():
        return frame
    return frame.astype(object).where(~missing, "–")


def plain_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Column headings in words for a table shown as it is: ``before_months`` -> "Before months"."""
    return {str(col): str(col).replace("_", " ").capitalize() for col in frame.columns}
