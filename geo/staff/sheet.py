"""The one-page printable patrol sheet: ranked hotspot list and a small static SVG map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo import columns as c
from geo.maps.escape import escape_html
from geo.staff.tables import patrol_table


def svg_map(
    wards: gpd.GeoDataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    width_px: int = 640,
    height_px: int = 420,
) -> str:
    """A small static map as inline SVG: ward outlines and names, hotspots numbered by rank.

    Prints crisply and needs no script or network.

    Parameters
    ----------
    wards
        ``ward_name``, ``geometry`` (Polygon/MultiPolygon, projected CRS in metres).
    hotspots
        ``rank``, ``geometry`` (Polygon) in the same CRS.

    Returns
    -------
    str
        An ``<svg>`` element.

    """
    if wards.empty:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width_px} {height_px}"></svg>'
        )
    minx, miny, maxx, maxy = (float(v) for v in wards.total_bounds)
    pad = 0.03 * max(maxx - minx, maxy - miny, 1.0)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    scale = min(width_px / (maxx - minx), height_px / (maxy - miny))

    def path(geom: shapely.Geometry) -> str:
        polys = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
        parts = []
        for poly in polys:
            if poly.geom_type != "Polygon":
                continue
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(ring.coords)[:, :2]
                px = (xy[:, 0] - minx) * scale
                py = (maxy - xy[:, 1]) * scale
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py, strict=True))
                parts.append(f"M{pts}Z")
        return " ".join(parts)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width_px} {height_px}" '
        f'width="{width_px}" height="{height_px}" role="img" aria-label="Hotspot map">',
        f'<rect width="{width_px}" height="{height_px}" fill="#f4f1ea"/>',
    ]
    for geom in wards.geometry:
        out.append(f'<path d="{path(geom)}" fill="#dfe7f0" stroke="#2b4a6f" stroke-width="1.2"/>')
    for name, pt in zip(wards[c.WARD_NAME], wards.geometry.representative_point(), strict=True):
        x, y = (pt.x - minx) * scale, (maxy - pt.y) * scale
        out.append(
            f'<text x="{x:.1f}" y="{y:.1f}" font-size="11" fill="#1d3550" text-anchor="middle" '
            f'font-family="sans-serif" opacity="0.8">{escape_html(name)}</text>'
        )
    for rank, geom in zip(hotspots[c.RANK], hotspots.geometry, strict=True):
        out.append(
            f'<path class="hotspot" d="{path(geom)}" fill="#f03b20" fill-opacity="0.6" '
            'stroke="#7a0019" stroke-width="1"/>'
        )
        pt = geom.representative_point()
        x, y = (pt.x - minx) * scale, (maxy - pt.y) * scale
        out.append(
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="12" font-weight="700" '
            f'text-anchor="middle" font-family="sans-serif" fill="#000" stroke="#fff" '
            f'stroke-width="3" paint-order="stroke">{int(rank)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def patrol_sheet_html(
    hotspots: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    period: str,
    data_label: str,
    max_rows: int = 15,
) -> str:
    """A one-page printable patrol sheet: the ranked hotspot list and a small map.

    Parameters
    ----------
    hotspots
        The hotspots to brief on (``rank`` 1..n, e.g. from
        :func:`geo.staff.hotspots_in_wards`), in the projected CRS of ``wards``.
    wards
        The wards patrolled (``ward_name``, ``geometry``).
    period
        Plain-English period, e.g. ``"2018-09 to 2018-11 (3 months)"``.
    data_label
        Where the data came from, e.g. ``"police.uk, shipped data"``.
    max_rows
        Most hotspots listed; the rest are counted in a note (the CSV has them all).

    Returns
    -------
    str
        A standalone HTML page (no scripts, no network) sized for A4 portrait.

    """
    esc = escape_html
    table = patrol_table(hotspots)
    shown = table.head(max_rows)
    top = hotspots.sort_values(c.RANK, kind="stable").head(max_rows)
    heads = ["#", "Hotspot", "Ward", "Incidents", "Kind", "Category mix", "Trend"]
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{esc(str(v))}</td>"
            for v in (
                r["Rank"],
                r["Hotspot"],
                r["Ward"],
                r["Incidents"],
                r["Kind"],
                r["Category mix"],
                r["Trend"],
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
        "@page{size:A4 portrait;margin:12mm}"
        "body{font:12px/1.35 sans-serif;color:#111;margin:0 auto;max-width:190mm}"
        "h1{font-size:18px;margin:0 0 4px}p{margin:2px 0 6px}"
        "table{border-collapse:collapse;width:100%;margin-top:6px}"
        "th,td{border:1px solid #999;padding:2px 4px;text-align:left;vertical-align:top}"
        "th{background:#eee}td:nth-child(2),td:nth-child(7){white-space:nowrap}svg{width:100%;height:auto;max-height:105mm;display:block;"
        "margin-top:6px;border:1px solid #999}.staff{font-weight:700;color:#7a0019}"
        "</style></head><body>"
        "<h1>Patrol sheet: hotspots to visit</h1>"
        f"<p><b>Wards:</b> {esc(ward_names)}<br><b>Months:</b> {esc(period)}<br>"
        f"<b>Data:</b> {esc(data_label)}<br><b>Hotspots:</b> {len(table)} "
        f"({total} incidents)</p>"
        '<p class="staff">Staff only: not for public display.</p>'
        + svg_map(wards, top)
        + "<table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in heads)
        + f"</tr></thead><tbody>{rows}</tbody></table>{note}"
        "<p>Numbers on the map are the ranks in the list. Trend: the latest part of the "
        "window against the part before it.</p></body></html>"
    )
