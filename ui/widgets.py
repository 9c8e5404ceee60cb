"""Small pieces shared by the pages: the error box, widget defaults, upload limits, labels."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from geo.errors import ValidationError
from geo.io import UploadLimits

#: Size limits of every upload in the app.
LIMITS = UploadLimits()
#: Shown when a page has no incident inside the wards to work with.
NO_INCIDENTS = "The data in use has no incidents inside the wards."

#: Key prefix of containers whose columns go one under the other on a narrow screen.
STACK = "stack_"
#: On a narrow screen (1024 px, sidebar open) the page keeps 1.25rem margins instead of
#: Streamlit's 5rem, so a staff page's ranked list shows where, which way and how many
#: without a sideways scroll; the columns of a :func:`stacked` container go one under the
#: other there, instead of squeezing words letter by letter into a narrow column.
NARROW_MARGINS_CSS = f"""<style>
@media (max-width: 1100px) {{
  [data-testid="stMainBlockContainer"] {{padding-left: 1.25rem; padding-right: 1.25rem;}}
  [class*="st-key-{STACK}"] [data-testid="stHorizontalBlock"] {{flex-wrap: wrap;}}
  [class*="st-key-{STACK}"] [data-testid="stColumn"] {{min-width: 100% !important;}}
}}
</style>"""


def narrow_margins() -> None:
    """Use :data:`NARROW_MARGINS_CSS` on this page (a style only: it takes no room)."""
    st.html(NARROW_MARGINS_CSS)


def stacked(name: str) -> DeltaGenerator:
    """A container whose columns go one under the other on a narrow screen.

    Needs :func:`narrow_margins` on the page; ``name`` makes the container's key.
    """
    return st.container(key=STACK + name)


#: Up to this many wards are offered as buttons (every one in sight, chosen or not); more (a
#: national boundary file) as a searchable drop-down list.
WARD_BUTTONS = 30


def ward_picker(
    box: DeltaGenerator, names: dict[str, str], *, key: str, label: str = "Wards"
) -> list[str]:
    """Let the user choose wards (all chosen at first); returns the chosen codes, in order.

    ``names`` maps ward code to name. Up to :data:`WARD_BUTTONS` wards are buttons that
    toggle (``st.pills``): every ward's name stays in sight and a chosen one is marked, where
    a drop-down list showed only the first few chosen names in a narrow column. More wards
    are a multiselect.
    """
    codes = list(names)
    if len(codes) <= WARD_BUTTONS:
        # the buttons wrap onto more lines rather than scroll sideways out of sight
        box.html(
            f"<style>.st-key-{key} [role='toolbar'] {{flex-wrap: wrap; overflow-x: visible;}}"
            "</style>"
        )
        chosen = box.pills(
            label,
            options=codes,
            default=codes,
            selection_mode="multi",
            format_func=lambda code: names.get(code, code),
            key=key,
        )
    else:
        chosen = box.multiselect(
            label,
            options=codes,
            default=codes,
            format_func=lambda code: names.get(code, code),
            key=key,
        )
    picked = set(chosen or [])
    return [code for code in codes if code in picked]


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
