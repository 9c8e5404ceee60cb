"""The list of public areas in words: the meeting table and the list under the standalone map."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import columns as c
from geo.maps import escape_html
from geo.public.areas import trend_explanation
from geo.public.schema import AREA_ID, INCIDENTS_BAND, MAIN_PROBLEMS, PLACE

__all__ = ["AREA_LIST_CLASS", "MEETING_COLUMNS", "area_list_html", "meeting_table"]

#: The meeting table's columns and their headings, in order.
MEETING_COLUMNS: dict[str, str] = {
    AREA_ID: "Area",
    c.WARD_NAME: "Ward",
    PLACE: "Where",
    INCIDENTS_BAND: "Incidents",
    MAIN_PROBLEMS: "Main problems",
    c.TREND: "Trend",
}

#: CSS class of the list's section on the standalone page.
AREA_LIST_CLASS = "public-areas"

# folium writes the map's own element after everything added to the page, so the list
# cannot simply follow it: it is placed one screen down, under the map (one screen high on
# the standalone page)
_CSS = (
    f".{AREA_LIST_CLASS}{{position:absolute;top:100vh;left:0;right:0;box-sizing:border-box;"
    "font:15px/1.45 sans-serif;color:#1a1a1a;max-width:1100px;margin:0 auto;"
    "padding:12px 16px 24px}"
    f".{AREA_LIST_CLASS} h2{{font-size:20px;margin:8px 0}}"
    f".{AREA_LIST_CLASS} table{{border-collapse:collapse;width:100%;margin:8px 0 12px}}"
    f".{AREA_LIST_CLASS} th,.{AREA_LIST_CLASS} td{{border-bottom:1px solid #ccc;"
    "padding:4px 8px;text-align:left;vertical-align:top}"
    f".{AREA_LIST_CLASS} td:first-child,.{AREA_LIST_CLASS} td:nth-child(4)"
    "{white-space:nowrap}"
    f".{AREA_LIST_CLASS} .attribution{{font-size:12px;color:#555}}"
)


def meeting_table(public: gpd.GeoDataFrame) -> pd.DataFrame:
    """The public areas as the meeting list shows them: :data:`MEETING_COLUMNS`, all text.

    Parameters
    ----------
    public
        Output of :func:`geo.public.public_hotspots`; a view without ``place`` (made before
        places were added) gets "" there.

    Returns
    -------
    pandas.DataFrame
        ``area_id``, ``ward_name``, ``place``, ``incidents_band``, ``main_problems``,
        ``trend`` (str), one row per area in the view's order, index 0..n-1.

    """
    table = pd.DataFrame(
        {col: public[col] if col in public.columns else "" for col in MEETING_COLUMNS}
    )
    return table.astype(str).reset_index(drop=True)


def area_list_html(
    public: gpd.GeoDataFrame,
    *,
    source: str | None,
    trend_months: int | None,
    explanation: str,
    note: str,
    last_month: str | None = None,
) -> str:
    """The list of areas as an HTML section, to go under the map on the standalone page.

    Every value is escaped. Holds, in order: a heading, "Data: <source>", what the trend
    words mean (:func:`geo.public.trend_explanation`), one table row per area
    (:data:`MEETING_COLUMNS`), ``explanation`` and ``note`` (the attribution).

    Parameters
    ----------
    public
        Output of :func:`geo.public.public_hotspots`.
    source
        The data and its months in words (:func:`geo.public.data_source`), or ``None``.
    trend_months
        Length of the two periods the trend words compare.
    last_month
        The later period's last month (``YYYY-MM``), to name both periods.
    explanation, note
        Plain text.

    """
    table = meeting_table(public)
    parts = [f"<style>{_CSS}</style>", f'<section class="{AREA_LIST_CLASS}">']
    parts.append("<h2>The areas on this map</h2>")
    if source:
        parts.append(f'<p class="public-source"><b>Data:</b> {escape_html(source)}</p>')
    if len(table):
        trend = trend_explanation(trend_months, last_month=last_month)
        parts.append(
            f"<p><b>Trend:</b> {escape_html(trend)}</p><table><thead>"
            + "".join(f"<th>{escape_html(h)}</th>" for h in MEETING_COLUMNS.values())
            + "</thead><tbody>"
        )
        for row in table.itertuples(index=False):
            parts.append("<tr>" + "".join(f"<td>{escape_html(v)}</td>" for v in row) + "</tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p>No area is shown for these months.</p>")
    parts.append(f"<p>{escape_html(explanation)}</p>")
    parts.append(f'<p class="attribution">{escape_html(note)}</p></section>')
    return "".join(parts)
