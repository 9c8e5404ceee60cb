"""Data (everyone): the data in use, its reconciled counts, set-aside rows, and uploads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import columns as c
from geo.errors import ValidationError
from geo.io import (
    BOUNDARY_TYPES,
    INCIDENT_TYPES,
    boundary_upload,
    incident_uploads,
    nothing_usable,
)
from geo.rejected import summarise_reasons
from geo.source import DataSource
from geo.staff import rejected_csv
from ui import cache, state
from ui.gate import signed_in
from ui.widgets import LIMITS, narrow_margins, show_problem

#: Headings of the set-aside tables, in words.
HEADINGS = {
    c.SOURCE_FILE: "File",
    c.ROW: "Spreadsheet row",
    c.STAGE: "Set aside as",
    c.REASON: "Reason",
    "rows": "Rows",
}
#: Each stage in the words of the counts' sentence (:meth:`geo.result.Counts.sentence`).
STAGES = {"invalid": "invalid", "outside_wards": "outside the wards", "filtered": "filtered out"}


def in_words(table: pd.DataFrame) -> pd.DataFrame:
    """A set-aside table as shown: headings in words, each stage as the sentence says it.

    ``table`` has ``stage`` and ``reason`` and any of ``source_file``, ``row``, ``rows``.
    """
    shown = table.copy()
    shown[c.STAGE] = shown[c.STAGE].astype(str).map(lambda s: STAGES.get(s, s))
    return shown.rename(columns=HEADINGS)


def use_uploads() -> None:
    """Check and run the uploaded files; keep the previous data if anything is wrong."""
    files = st.session_state.get("up_incidents") or []
    bfile = st.session_state.get("up_boundaries")
    previous = state.data_source()
    try:
        inc = (
            incident_uploads([(f.name, f.getvalue()) for f in files], limits=LIMITS)
            if files
            else None
        )
        bnd = boundary_upload(bfile.name, bfile.getvalue(), limits=LIMITS) if bfile else None
        if inc is None and bnd is None:
            raise ValidationError("Choose at least one file to upload first.")
        new = DataSource.from_files(inc, bnd)
        with st.spinner("Reading and checking the files…"):
            result = cache.result(state.settings(), new)
        if result.counts.accepted == 0:
            raise ValidationError(nothing_usable(result))
    except ValidationError as exc:
        show_problem(
            "The uploaded files could not be used:",
            exc,
            f"Nothing changed: the app still uses the previous data ({previous.label}).",
        )
        return
    state.use_data_source(new)
    st.success(f"Now using the uploaded files. {new.label}.")


def page() -> None:
    """Draw the data page."""
    narrow_margins()
    st.title("Data in use")
    with st.expander("Use other data (upload files)", expanded=not state.data_source().is_shipped):
        st.write(
            "Upload police.uk street-level CSVs and/or local incident CSVs, and optionally a "
            "ward boundary file. Files are read in memory for this browser session only. "
            f"Limits: {LIMITS.max_file_mb:g} MB a file, {LIMITS.max_total_mb:g} MB and "
            f"{LIMITS.max_files} files in all."
        )
        st.file_uploader(
            "Incident CSV files",
            type=list(INCIDENT_TYPES),
            accept_multiple_files=True,
            key="up_incidents",
        )
        st.file_uploader(
            "Ward boundaries (GeoJSON, GeoPackage or zipped Shapefile)",
            type=list(BOUNDARY_TYPES),
            key="up_boundaries",
        )
        b1, b2 = st.columns(2)
        if b1.button("Use these files"):
            use_uploads()
        if b2.button("Go back to the shipped data"):
            state.use_data_source(DataSource.shipped())
            st.success("Now using the shipped data.")
    st.write(state.data_source().label)
    with st.spinner("Checking the data…"):
        result = cache.result(state.settings())
    n = result.counts
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric("Rows read", f"{n.rows_read:,}")
    m2.metric("Used", f"{n.accepted:,}")
    m3.metric("Set aside", f"{n.rejected:,}")
    m4.metric("In hotspots", f"{n.clustered:,}")
    m5.metric("Hotspots", f"{n.hotspots:,}")
    st.write(n.sentence())
    for note in result.notes:
        st.info(note)
    st.subheader("Rows set aside, by reason")
    reasons = summarise_reasons(result.rejected)
    if reasons.empty:
        st.write("No rows were set aside.")
    else:
        st.dataframe(in_words(reasons), hide_index=True, width="stretch")
    if signed_in():
        st.subheader("Every row set aside")
        st.dataframe(in_words(result.rejected), hide_index=True, width="stretch")
        st.download_button("Rows set aside (CSV)", rejected_csv(result), "rejected.csv", "text/csv")
    else:
        st.caption(
            "Staff see every set-aside row here, with its file and row number, once signed in "
            "(on the Patrol or Analyst page)."
        )


page()
