"""Intervention outputs for staff: tables, JSON, monthly plot, map, and the files on disk."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import columns as c
from geo.interventions.displacement import MEASURE_GROUPS
from geo.interventions.effect import InterventionResult, location_lonlat
from geo.interventions.statistics import CONTINUITY
from geo.maps import (
    add_html,
    base_map,
    escape_html,
    escape_properties,
    legend_box,
    safe_tooltip,
    swatch,
)
from geo.project import WGS84

if TYPE_CHECKING:
    from matplotlib.figure import Figure

OUTPUT_FILES: tuple[str, ...] = ("intervention.csv", "intervention.json", "intervention.png")
#: Colours of the areas on maps and plots.
AREA_COLOURS: dict[str, str] = {"target": "#c0392b", "ring": "#e67e22", "control": "#2c7fb8"}
#: What each area is called on a map: the ``control`` area is the "comparison area".
AREA_NAMES: dict[str, str] = {
    "target": "target area",
    "ring": "ring area",
    "control": "comparison area",
}
PERIOD_COLOURS: dict[str, str] = {"before": "#1b7837", "after": "#762a83"}
GROUP_LABELS: dict[str, str] = {"asb": "Anti-social behaviour", "drugs": "Drugs", "all": "All"}
RULES: dict[str, str] = {
    "windows": (
        "whole police.uk months; a start on the 1st makes its month the first after month, "
        "otherwise the start month is excluded from both windows"
    ),
    "areas": (
        "target: within radius_m of the location; ring: radius_m to ring_outer_m; control: "
        "the control wards beyond ring_outer_m + control_gap_m (area-wide events: treated "
        "wards vs the rest)"
    ),
    "relative_effect": (
        "(Ta/Tb)/(Ca/Cb) with a 95% interval from var(log) = phi*(1/Ta+1/Tb+1/Ca+1/Cb), "
        "phi = max(1, quasi-Poisson dispersion of the monthly target and control counts in "
        "the two windows), 1 when too few months to estimate it; "
        f"{CONTINUITY} is added to all four counts when any is zero"
    ),
    "wdq": (
        "(Da/Ca - Db/Cb)/(Ra/Ca - Rb/Cb) (Bowers & Johnson 2003), read only when the target "
        "improved relative to the control: > 0 diffusion of benefit, 0 to -1 displacement "
        "smaller than the gain, < -1 displacement larger than the gain"
    ),
    "total_net_effect": "(Rb*Ca/Cb - Ra) + (Db*Ca/Cb - Da); positive = fewer incidents",
}


def _head(r: InterventionResult) -> dict[str, object]:
    iv, w, o = r.intervention, r.windows, r.options
    return {
        "intervention_id": iv.intervention_id,
        "kind": iv.kind,
        "start_date": iv.start_date.isoformat(),
        "before_months": f"{w.before[0]}..{w.before[-1]}",
        "after_months": f"{w.after[0]}..{w.after[-1]}",
        "excluded_month": ";".join(w.excluded),
        "radius_m": o.radius_m if iv.has_location else math.nan,
        "ring_outer_m": o.outer_m if iv.has_location else math.nan,
    }


def _with_head(results: Sequence[InterventionResult], attr: str) -> pd.DataFrame:
    frames = []
    for r in results:
        df = getattr(r, attr).copy()
        for i, (k, v) in enumerate(_head(r).items()):
            df.insert(i, k, v)
        frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def effects_table(results: Sequence[InterventionResult]) -> pd.DataFrame:
    """One row per intervention and group (``asb``, ``drugs``, ``all``).

    Columns: ``intervention_id``, ``kind``, ``start_date``, ``before_months``,
    ``after_months`` (``YYYY-MM..YYYY-MM``), ``excluded_month``, ``radius_m``,
    ``ring_outer_m`` (metres, NaN for area-wide events), then the columns of
    :func:`geo.interventions.displacement.effect_row`. No notes; no location.
    """
    return _with_head(results, "effects")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(float(value)) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if value is pd.NA:
        return None
    return value


def result_summary(r: InterventionResult) -> dict[str, Any]:
    """JSON-ready summary of one result (staff only: includes the location, never notes)."""
    loc = location_lonlat(r)
    areas = r.areas.drop(columns="geometry").to_dict(orient="records")
    doc: dict[str, Any] = _clean(
        {
            **_head(r),
            "end_date": r.intervention.end_date.isoformat() if r.intervention.end_date else None,
            "location_lon_lat": list(loc) if loc else None,
            "windows": {
                "before": list(r.windows.before),
                "after": list(r.windows.after),
                "excluded": list(r.windows.excluded),
            },
            "min_count": r.options.min_count,
            "areas": areas,
            "counts": r.counts.to_dict(orient="records"),
            "effects": r.effects.astype(object).to_dict(orient="records"),
            "hotspot_shift": r.shift_summary(),
            "hotspots": r.shift.to_dict(orient="records"),
            "warnings": list(r.warnings),
        }
    )
    return doc


def summary_json(results: Sequence[InterventionResult], *, inputs: dict[str, Any]) -> str:
    """All results, the rules used and the inputs, as indented JSON text."""
    doc = {
        "audience": "staff only: contains intervention locations",
        "inputs": inputs,
        "rules": RULES,
        "interventions": [result_summary(r) for r in results],
    }
    return json.dumps(doc, indent=2, default=str)


def series_png(results: Sequence[InterventionResult], *, dpi: int = 100) -> bytes:
    """:func:`series_figure` as PNG bytes."""
    import matplotlib.pyplot as plt

    fig = series_figure(results)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return buf.getvalue()


def series_figure(results: Sequence[InterventionResult]) -> Figure:
    """Monthly counts per area (one row per intervention, one column per group).

    Target and ring use the left axis, the much larger control the right axis (dashed).
    The before window is shaded green, the after window purple, an excluded month grey;
    the vertical line is the start date (placed within its month by day). The key names
    only what is drawn (an area-wide event has no ring or control). Sized to be read at
    about 700 pixels across, as the Analyst page shows it on a 1024 px screen; close it
    with ``matplotlib.pyplot.close``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.ticker import MaxNLocator

    n = max(len(results), 1)
    fig, axes = plt.subplots(n, len(MEASURE_GROUPS), figsize=(10, 3.2 * n + 1.0), squeeze=False)
    drawn: set[str] = set()
    for i, r in enumerate(results):
        months = sorted(set(r.monthly["month"]))
        x = np.arange(len(months)) + 0.5
        iv = r.intervention
        for j, group in enumerate(MEASURE_GROUPS):
            ax = axes[i][j]
            _shade(ax, r, months)
            sub = r.monthly[r.monthly["group"] == group]
            ax2 = ax.twinx() if "control" in set(sub["area"]) else None
            for area in ("target", "ring", "control"):
                s = sub[sub["area"] == area].set_index("month")["count"].reindex(months)
                if s.isna().all():
                    continue
                drawn.add(area)
                on = ax2 if area == "control" and ax2 is not None else ax
                on.plot(
                    x,
                    s.to_numpy(float),
                    marker="o",
                    ms=3,
                    color=AREA_COLOURS[area],
                    ls="--" if area == "control" else "-",
                    lw=1.6,
                )
            for a in (ax, ax2):
                if a is not None:
                    a.set_ylim(bottom=0)
                    a.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            if j == 0:
                ax.set_ylabel("target, ring" if iv.has_location else "treated wards")
            if ax2 is not None:
                ax2.tick_params(axis="y", colors=AREA_COLOURS["control"], labelsize=9)
                if j == len(MEASURE_GROUPS) - 1:
                    ax2.set_ylabel("control", color=AREA_COLOURS["control"])
            ax.axvline(_month_x(months, iv.start_date), color="black", lw=1.2)
            ax.set_xlim(0, len(months))
            # every other month named when there are many: a panel is about 230 px wide
            every = 2 if len(months) > 6 else 1
            ax.set_xticks(
                x,
                [_month_label(m, k == 0) if k % every == 0 else "" for k, m in enumerate(months)],
            )
            ax.set_title(GROUP_LABELS[group], fontsize=10)
            ax.tick_params(labelsize=9)
    lines = [
        Line2D([], [], color=AREA_COLOURS["target"], marker="o", label="target (left axis)"),
        Line2D([], [], color=AREA_COLOURS["ring"], marker="o", label="ring (left axis)"),
        Line2D(
            [], [], color=AREA_COLOURS["control"], ls="--", marker="o", label="control (right axis)"
        ),
    ]
    handles: list[Any] = [
        h for h, area in zip(lines, ("target", "ring", "control"), strict=True) if area in drawn
    ]
    handles += [
        Line2D([], [], color="black", label="start date"),
        Rectangle((0, 0), 1, 1, color=PERIOD_COLOURS["before"], alpha=0.15, label="before window"),
        Rectangle((0, 0), 1, 1, color=PERIOD_COLOURS["after"], alpha=0.15, label="after window"),
    ]
    if any(r.windows.excluded for r in results):
        handles.append(Rectangle((0, 0), 1, 1, color="#999999", alpha=0.35, label="excluded month"))
    fig.legend(
        handles=handles, loc="lower center", ncol=min(len(handles), 4), fontsize=10, frameon=False
    )
    fig.suptitle("Incidents per month (police.uk) around each intervention", fontsize=12)
    legend_rows = -(-len(handles) // 4)
    fig.subplots_adjust(
        left=0.07,
        right=0.93,
        top=1 - 0.8 / fig.get_figheight(),
        bottom=(0.55 + 0.25 * legend_rows) / fig.get_figheight(),
        hspace=0.75,
        wspace=0.35,
    )
    # each intervention named once, above its row (in each panel's title a long id ran
    # into the next panel's)
    for i, r in enumerate(results):
        iv = r.intervention
        top = axes[i][0].get_position()
        fig.text(
            top.x0,
            top.y1 + 0.32 / fig.get_figheight(),
            f"{iv.intervention_id} ({iv.kind.replace('_', ' ')}, {iv.start_date})",
            fontsize=11,
            fontweight="bold",
        )
    return fig


def _month_x(months: list[str], day: dt.date) -> float:
    """Position of a date on the month axis (month k spans k to k + 1)."""
    p = pd.Period(day, "M")
    k = (p - pd.Period(months[0], "M")).n
    return k + (day.day - 1) / p.days_in_month


def _month_label(month: str, first: bool) -> str:
    p = pd.Period(month, "M")
    return p.strftime("%b\n%Y") if first or p.month == 1 else p.strftime("%b")


def _shade(ax: Any, r: InterventionResult, months: list[str]) -> None:
    for name, span, colour in (
        ("before", r.windows.before, PERIOD_COLOURS["before"]),
        ("after", r.windows.after, PERIOD_COLOURS["after"]),
        ("excluded", r.windows.excluded, "#999999"),
    ):
        if span:
            lo = (pd.Period(span[0], "M") - pd.Period(months[0], "M")).n
            hi = (pd.Period(span[-1], "M") - pd.Period(months[0], "M")).n + 1
            ax.axvspan(lo, hi, color=colour, alpha=0.35 if name == "excluded" else 0.15, lw=0)


#: How far into the comparison area a card's map shows, in metres beyond its inner edge.
CONTROL_EDGE_SHOWN_M = 100.0


def card_view(result: InterventionResult) -> gpd.GeoSeries | None:
    """The ground a card's small map first shows, or ``None`` for the wards.

    For an event with a location: the target, its ring and the comparison area's inner
    edge (the comparison area starts the control gap beyond the ring), so every colour the
    card's key names is on the first view. An area-wide event keeps the wards.

    Parameters
    ----------
    result
        One evaluated intervention: ``areas`` has ``area`` (``target``, ``ring``,
        ``control``) and polygon ``geometry``.

    Returns
    -------
    geopandas.GeoSeries or None
        Polygons in the CRS of ``result.areas``.

    """
    if not result.intervention.has_location:
        return None
    near = result.areas[result.areas["area"].astype(str) != "control"]
    if near.crs is None or not near.crs.is_projected:
        return near.geometry
    return near.geometry.buffer(float(result.options.control_gap_m) + CONTROL_EDGE_SHOWN_M)


def intervention_map(
    result: InterventionResult, *, tiles: str | None = None, compact: bool = False
) -> folium.Map:
    """Staff map: wards, target / ring / comparison areas, before and after hotspots.

    Never for a public view: it shows the intervention location. Notes are not shown.
    The ``control`` area is named "comparison area" (:data:`AREA_NAMES`) in the layer
    list, the tooltips and the legend.

    Parameters
    ----------
    result
        One evaluated intervention.
    tiles
        A basemap tile URL (see :func:`geo.maps.base_map`); ``None`` adds no tiles.
    compact
        For a small map (a card's): no legend box (the page says what the colours are),
        the layer list collapsed to its button, and the first view :func:`card_view`
        (for an event with a location: the target, its ring and the inner edge of the
        comparison area). ``False`` (default): the wards, the legend box and the open layer
        list, for a full-size map.

    Returns
    -------
    folium.Map
        A fresh map (:func:`geo.maps.base_map`); render with :func:`geo.maps.offline_html`.

    """
    fit = card_view(result) if compact else None
    m = base_map(result.wards, tiles=tiles, fit_to=fit)
    areas = result.areas.to_crs(WGS84)
    for row in areas.itertuples(index=False):
        colour = AREA_COLOURS[str(row.area)]
        name = AREA_NAMES.get(str(row.area), str(row.area))
        gj = gpd.GeoDataFrame(
            {"area": [name], "wards": [str(row.ward_names).replace(";", ", ")]},
            geometry=[row.geometry],
            crs=WGS84,
        )
        folium.GeoJson(
            escape_properties(gj).to_json(),
            name=name.capitalize(),
            style_function=lambda _f, col=colour, a=str(row.area): {
                "color": col,
                "weight": 2,
                "fillColor": col,
                "fillOpacity": 0.08 if a == "control" else 0.25,
            },
            tooltip=folium.GeoJsonTooltip(fields=["area", "wards"], aliases=["Area", "Wards"]),
        ).add_to(m)
    for period, hs in (("before", result.hotspots_before), ("after", result.hotspots_after)):
        if len(hs) == 0:
            continue
        shift = result.shift[result.shift["period"] == period].set_index(c.HOTSPOT_ID)
        h = hs.to_crs(WGS84)[[c.HOTSPOT_ID, c.WARD_NAME, c.N_INCIDENTS, c.KIND, "geometry"]].copy()
        h["status"] = shift["status"].reindex(h[c.HOTSPOT_ID]).to_numpy(dtype=object)
        colour = PERIOD_COLOURS[period]
        span = result.windows.before if period == "before" else result.windows.after
        folium.GeoJson(
            escape_properties(h).to_json(),
            name=escape_html(f"Hotspots {period} ({span[0]}..{span[-1]})"),
            style_function=lambda _f, col=colour, p=period: {
                "color": col,
                "weight": 2.5,
                "dashArray": "6 4" if p == "before" else None,
                "fillColor": col,
                "fillOpacity": 0.15,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=[c.HOTSPOT_ID, "status", c.N_INCIDENTS, c.KIND],
                aliases=["Hotspot", "Status", "Incidents", "Kind"],
            ),
        ).add_to(m)
    loc = location_lonlat(result)
    if loc is not None:
        folium.CircleMarker(
            [loc[1], loc[0]],
            radius=5,
            color="black",
            fill=True,
            fill_color="white",
            fill_opacity=1,
            tooltip=safe_tooltip(
                escape_html(f"{result.intervention.intervention_id} ({result.intervention.kind})")
            ),
        ).add_to(m)
    if not compact:
        _legend(m, result)
    folium.LayerControl(collapsed=compact).add_to(m)
    return m


def _legend(m: folium.Map, result: InterventionResult) -> None:
    def row(colour: str, label: str, dashed: bool = False) -> str:
        border = f"2px {'dashed' if dashed else 'solid'} {colour}"
        return swatch(escape_html(label), f"{colour}33", border=border)

    w = result.windows
    rows = [row(AREA_COLOURS[a], AREA_NAMES.get(a, a)) for a in result.areas["area"]]
    rows.append(row(PERIOD_COLOURS["before"], f"hotspots {w.before[0]}..{w.before[-1]}", True))
    rows.append(row(PERIOD_COLOURS["after"], f"hotspots {w.after[0]}..{w.after[-1]}"))
    title = f"{result.intervention.intervention_id} (staff only)"
    box = legend_box(title, rows, css_class="intervention-legend", max_width_px=None)
    add_html(m, box)


def write_intervention_outputs(
    results: Sequence[InterventionResult], out_dir: str | Path, *, inputs: dict[str, Any]
) -> dict[str, Path]:
    """Write :data:`OUTPUT_FILES` into ``out_dir`` and return their paths by file name.

    ``intervention.csv`` is :func:`effects_table`, ``intervention.json`` is
    :func:`summary_json` (``inputs`` names the files read) and ``intervention.png`` is
    :func:`series_png`. Staff outputs: the JSON holds the locations, never notes.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in OUTPUT_FILES}
    paths["intervention.csv"].write_text(
        effects_table(results).to_csv(index=False, float_format="%.4f"), encoding="utf-8"
    )
    paths["intervention.json"].write_text(summary_json(results, inputs=inputs), encoding="utf-8")
    paths["intervention.png"].write_bytes(series_png(results))
    return paths
