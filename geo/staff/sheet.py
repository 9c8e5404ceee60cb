"""The one-page printable patrol sheet: ranked list with places, overview and inset maps."""

from __future__ import annotations

import geopandas as gpd

from geo import columns as c
from geo.maps.escape import escape_html
from geo.staff.sheet_map import group_bounds, inset_groups, svg_map
from geo.staff.tables import patrol_table

__all__ = ["patrol_sheet_html", "print_zoom"]

#: Size of each map panel's coordinate space (pixels); three panels fill a row of the page.
PANEL_PX = (300, 230)
#: Printed height of the page's content (A4 less 10 mm margins: 277 mm) in CSS pixels.
PAGE_HEIGHT_PX = 277 / 25.4 * 96
#: Printed height of everything but the list's rows, and of one row (two lines) in CSS
#: pixels, as Chromium lays the sheet out on A4.
FIXED_HEIGHT_PX, ROW_HEIGHT_PX = 560.0, 27.0
#: The sheet is never printed smaller than this, however long the list.
MIN_PRINT_ZOOM = 0.75


def print_zoom(n_rows: int) -> float:
    """How much smaller the sheet is printed so a list of ``n_rows`` fits one A4 page.

    1 up to about 16 rows; then the page's height over the sheet's estimated height
    (:data:`FIXED_HEIGHT_PX` plus :data:`ROW_HEIGHT_PX` a row), at least
    :data:`MIN_PRINT_ZOOM`.
    """
    need = FIXED_HEIGHT_PX + ROW_HEIGHT_PX * max(n_rows, 0)
    return max(MIN_PRINT_ZOOM, min(1.0, PAGE_HEIGHT_PX / need))


def patrol_sheet_html(
    hotspots: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    period: str,
    data_label: str,
    streets: gpd.GeoDataFrame | None = None,
    max_rows: int | None = None,
    trend: str = "Trend: the latest part of the window against the part before it.",
) -> str:
    """A one-page printable patrol sheet: the ranked list with places, and legible maps.

    The maps are an overview of the wards with a lettered box per inset, and one inset per
    group of nearby hotspots (:func:`geo.staff.sheet_map.inset_groups`) drawn at street
    scale with rank badges, street names, a scale bar and a north arrow. The list's ``#``
    is the number on the maps and its ``Map`` column the inset's letter.

    Parameters
    ----------
    hotspots
        The hotspots to brief on (``rank`` 1..n, ``place``, ... e.g. from
        :func:`geo.staff.hotspots_in_wards`), in the projected CRS of ``wards``.
    wards
        The wards patrolled (``ward_name``, ``geometry``).
    period
        Plain-English period, e.g. ``"2018-09 to 2018-11 (3 months)"``.
    data_label
        Where the data came from, e.g. ``"police.uk, shipped data"``.
    streets
        Named police.uk map points (:func:`geo.places.street_points`, same CRS) whose names
        the insets show; ``None``: insets without street names.
    max_rows
        Most hotspots listed and mapped; the rest are counted in a note (the CSV has them
        all). ``None`` (default): every hotspot given, as in the patrol list.
    trend
        What the Trend column compares, in one sentence (:func:`geo.staff.trend_words`).

    Returns
    -------
    str
        A standalone HTML page (no scripts, no network) that prints on one A4 portrait page:
        a list longer than about 16 rows is printed smaller (:func:`print_zoom`), down to
        :data:`MIN_PRINT_ZOOM`; only a list longer than about 30 rows runs onto a second page.

    """
    esc = escape_html
    table = patrol_table(hotspots)
    rows_max = len(table) if max_rows is None else max_rows
    shown = table.head(rows_max)
    top = hotspots.sort_values(c.RANK, kind="stable").head(rows_max).reset_index(drop=True)
    width, height = PANEL_PX
    groups = inset_groups(top) if len(top) else []
    letters = [chr(ord("A") + i) for i in range(len(groups))]
    boxes = [
        (k, group_bounds(top.iloc[g], width / height)) for k, g in zip(letters, groups, strict=True)
    ]
    letter_of = {
        int(top[c.RANK].iloc[pos]): k for k, g in zip(letters, groups, strict=True) for pos in g
    }
    panels = [
        _panel(
            "Overview: the wards, insets lettered",
            svg_map(
                wards,
                top,
                boxes=boxes,
                numbers=False,
                width_px=width,
                height_px=height,
                label="Overview map of the wards",
            ),
        )
    ]
    for (letter, bounds), g in zip(boxes, groups, strict=True):
        ranks = ", ".join(f"#{int(top[c.RANK].iloc[pos])}" for pos in g)
        panels.append(
            _panel(
                f"{letter}: {ranks}",
                svg_map(
                    wards,
                    top,
                    bounds=bounds,
                    streets=streets,
                    width_px=width,
                    height_px=height,
                    label=f"Inset {letter}",
                ),
            )
        )
    heads = ["#", "Place", "Map", "Ward", "Incidents", "Kind", "Category mix", "Trend", "Hotspot"]
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{esc(str(v))}</td>"
            for v in (
                r["Rank"],
                r["Place"],
                letter_of.get(int(r["Rank"]), ""),
                r["Ward"],
                r["Incidents"],
                r["Kind"],
                r["Category mix"],
                r["Trend"],
                r["Hotspot"],
            )
        )
        + "</tr>"
        for _, r in shown.iterrows()
    )
    if table.empty:
        rows = f'<tr><td colspan="{len(heads)}">No hotspots in these wards and months.</td></tr>'
    more = len(table) - len(shown)
    note = f"<p>{more} more hotspot(s) are in the CSV download.</p>" if more > 0 else ""
    ward_names = ", ".join(sorted(map(str, wards[c.WARD_NAME])))
    total = int(hotspots[c.N_INCIDENTS].sum()) if len(hotspots) else 0
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Patrol sheet</title><style>"
        "@page{size:A4 portrait;margin:10mm}"
        f"@media print{{body{{zoom:{print_zoom(len(shown)):.3f}}}}}"
        "body{font:10px/1.3 Arial,Helvetica,sans-serif;color:#111;margin:0 auto;max-width:190mm}"
        "h1{font-size:16px;margin:0 0 3px}p{margin:2px 0 4px}"
        ".maps{display:grid;grid-template-columns:repeat(3,1fr);gap:2mm;margin-top:3px}"
        "figure{margin:0;break-inside:avoid}figcaption{font-weight:700;font-size:9px}"
        "svg{width:100%;height:auto;display:block;border:1px solid #999}"
        "table{border-collapse:collapse;width:100%;margin-top:4px;font-size:9px}"
        "th,td{border:1px solid #999;padding:1px 3px;text-align:left;vertical-align:top}"
        "th{background:#eee}td:nth-child(1),td:nth-child(3){text-align:center}"
        "td:nth-child(9){white-space:nowrap;color:#555}"
        ".staff{font-weight:700;color:#7a0019}"
        "</style></head><body>"
        "<h1>Patrol sheet: hotspots to visit</h1>"
        f"<p><b>Wards:</b> {esc(ward_names)}<br><b>Months:</b> {esc(period)}<br>"
        f"<b>Data:</b> {esc(data_label)}<br><b>Hotspots:</b> {len(table)} "
        f"({total} incidents)</p>"
        '<p class="staff">Staff only: not for public display.</p>'
        f'<div class="maps">{"".join(panels)}</div>'
        "<table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in heads)
        + f"</tr></thead><tbody>{rows}</tbody></table>{note}"
        "<p>#: the number on the maps. Map: the inset that shows it. Places are police.uk "
        "map-point names (incidents are moved to the nearest one), not exact addresses. "
        f"{esc(trend)}</p></body></html>"
    )


def _panel(caption: str, svg: str) -> str:
    return f"<figure>{svg}<figcaption>{escape_html(caption)}</figcaption></figure>"
