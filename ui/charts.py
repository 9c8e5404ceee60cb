"""The Vega-Lite charts of the pages, as plain dicts built by pure functions.

Data go in as named datasets (or inline values), so a slider move that only changes the
data leaves the specification as it is and the browser updates the drawn chart in place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from geo import columns as c
from geo import public
from geo.settings import Settings

#: The dashed rule marking a value (the current or suggested ``eps_m``).
DASH: dict[str, Any] = {"type": "rule", "strokeDash": [5, 4], "size": 1.5}


#: Longest row label of the category mix chart (rank and place), in characters.
ROW_LABEL_CHARS = 40


def hotspot_row_labels(hotspots: pd.DataFrame, *, limit: int = ROW_LABEL_CHARS) -> dict[str, str]:
    """A label per hotspot id as the tables and maps name it: ``"1. Supermarket / Templars…"``.

    Parameters
    ----------
    hotspots
        ``hotspot_id``, ``rank`` and ``place`` (police.uk place names) or else
        ``ward_name``; any CRS, the geometry is not read.
    limit
        Longest label in characters: a longer place is cut at a word boundary (``…``).

    Returns
    -------
    dict
        Hotspot id to ``"<rank>. <place>"``.

    """
    out: dict[str, str] = {}
    for _, row in hotspots.iterrows():
        place = row.get(c.PLACE)
        if not isinstance(place, str) or not place.strip():
            place = row.get(c.WARD_NAME)
        text = f"{int(row[c.RANK])}. {place if isinstance(place, str) else row[c.HOTSPOT_ID]}"
        if len(text) > limit:
            cut = text[: limit - 1]
            space = cut.rfind(" ")
            cut = cut[:space] if space > limit // 2 else cut
            text = cut.rstrip(" /,") + "…"
        out[str(row[c.HOTSPOT_ID])] = text
    return out


#: Colour of each default category in the category mix: the drug categories in reds and
#: magentas, anti-social behaviour in oranges, the rest in hues apart from those and from
#: each other (no two alike, as two blues and two teals were in a 20-colour scheme).
CATEGORY_COLOURS: dict[str, str] = {
    "drugs": "#b2182b",
    "dealing_report": "#e7298a",
    "needle_find": "#7a0177",
    "asb": "#ff7f00",
    "asb_report": "#fdbf6f",
    "weapons": "#4d4d4d",
    "violence": "#1f78b4",
    "robbery": "#6a3d9a",
    "burglary": "#a6cee3",
    "criminal_damage": "#b15928",
    "public_order": "#cab2d6",
    "shoplifting": "#33a02c",
    "bicycle_theft": "#b2df8a",
    "theft_from_person": "#01665e",
    "other_theft": "#80cdc1",
    "vehicle_crime": "#ffd92f",
    "other_crime": "#bababa",
    "postbox_slip": "#fb9a99",
}
#: Colours for categories a settings file adds (in turn), unlike any of the above.
EXTRA_COLOURS = ("#00b3b3", "#8f6a00", "#5a7d2a", "#d4a5ff", "#6b2c00", "#0a3d91")


def category_colours(keys: Sequence[str]) -> list[str]:
    """One colour per category key, in order: :data:`CATEGORY_COLOURS`, else the extras."""
    extra = iter(EXTRA_COLOURS * (1 + len(keys) // len(EXTRA_COLOURS)))
    return [CATEGORY_COLOURS[k] if k in CATEGORY_COLOURS else next(extra) for k in keys]


def category_mix_spec(
    mix: pd.DataFrame, settings: Settings, *, labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Stacked bars of each hotspot's incidents by category, hotspots in rank order.

    Parameters
    ----------
    mix
        From :func:`geo.staff.category_mix`: one row per hotspot (index ``hotspot``, rank
        order), one column per category label, counts.
    settings
        The settings in use: every category keeps its own colour whatever the wards shown
        (the colour domain is every category label, in the settings' order).
    labels
        Row label of each hotspot id (:func:`hotspot_row_labels`); ids without one keep
        the id.

    Returns
    -------
    dict
        A Vega-Lite specification with inline values ``hotspot`` (the row label),
        ``hotspot_id``, ``category``, ``n`` (zero counts left out); the legend lists the
        categories present, in full.

    """
    names = dict(labels or {})
    rows = [names.get(str(h), str(h)) for h in mix.index]
    long = (
        mix.rename_axis("hotspot_id")
        .reset_index()
        .melt("hotspot_id", var_name="category", value_name="n")
    )
    long.insert(0, "hotspot", [names.get(str(h), str(h)) for h in long["hotspot_id"]])
    every = [settings.label(k) for k in settings.categories]
    colours = category_colours(list(settings.categories))
    return {
        "height": {"step": 26},
        "data": {"values": long[long["n"] > 0].to_dict("records")},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {
                "field": "hotspot",
                "type": "nominal",
                "sort": rows,
                "title": None,
                "axis": {"labelLimit": 320},
            },
            "x": {"field": "n", "type": "quantitative", "title": "incidents"},
            "color": {
                "field": "category",
                "type": "nominal",
                "title": None,
                "scale": {"domain": every, "range": colours},
                # above the bars, in two columns: read before the bars, not a screen below
                "legend": {
                    "orient": "top",
                    "direction": "horizontal",
                    "columns": 2,
                    "labelLimit": 0,
                    "values": list(mix.columns),
                },
            },
            "tooltip": [
                {"field": "hotspot", "title": "hotspot"},
                {"field": "hotspot_id", "title": "id"},
                {"field": "category"},
                {"field": "n"},
            ],
        },
    }


#: Below this many metres the k-distance scale is nearly linear, above it nearly logarithmic.
SYMLOG_CONSTANT_M = 10
#: Ticks of the k-distance scale (those up to its top are shown).
K_DISTANCE_TICKS_M = (0, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)


def k_distance_top(knee: float, eps_m: float) -> float:
    """Top of the k-distance chart's scale, in metres.

    Four times the knee (at least 50 m); it follows ``eps_m`` only when the current
    ``eps_m`` line would leave the chart (above 90 % of the top), so a slider move usually
    leaves the specification as it is.
    """
    top = max(4 * knee if not math.isnan(knee) else 0.0, 50.0)
    if eps_m > 0.9 * top:
        top = 2 * eps_m
    return top


def k_distance_spec(curve: pd.DataFrame, knee: float, *, eps_m: float, k: int) -> dict[str, Any]:
    """The weighted k-distance curve with dashed lines at the current and suggested ``eps_m``.

    The metres scale is a symmetric log (:data:`SYMLOG_CONSTANT_M`), from 0 to
    :func:`k_distance_top`.

    Parameters
    ----------
    curve
        ``share`` (0-1) and ``k_distance_m`` (metres; infinite values are left out).
    knee
        The suggested ``eps_m`` in metres, NaN when the curve has no knee.
    eps_m
        The current ``eps_m`` in metres.
    k
        ``min_samples`` (the weight the distance must hold).

    Returns
    -------
    dict
        A layered Vega-Lite specification with datasets ``curve`` (``share``,
        ``k_distance_m``, 4 decimals) and ``rules`` (``metres``, ``line``).

    """
    finite = curve[curve["k_distance_m"].map(math.isfinite).astype(bool)].round(4)
    rules = [{"metres": eps_m, "line": f"current eps_m {eps_m:g} m"}]
    if not math.isnan(knee):
        rules.append({"metres": knee, "line": f"knee: upper limit {knee:.0f} m"})
    top = k_distance_top(knee, eps_m)
    # a scale that is even in metres near 0 and even in tens further up (symlog): the
    # current eps_m (tens of metres) and the knee (hundreds) are both read on it
    scale = {"type": "symlog", "constant": SYMLOG_CONSTANT_M, "domain": [0, top], "clamp": True}
    return {
        "height": 300,
        "datasets": {"curve": finite, "rules": pd.DataFrame(rules)},
        "layer": [
            {
                "data": {"name": "curve"},
                "mark": {"type": "line"},
                "encoding": {
                    "x": {
                        "field": "share",
                        "type": "quantitative",
                        "title": "share of distinct map points (sorted)",
                    },
                    "y": {
                        "field": "k_distance_m",
                        "type": "quantitative",
                        "title": f"distance holding weight {k} (m)",
                        "scale": scale,
                        "axis": {"values": [v for v in K_DISTANCE_TICKS_M if v <= top]},
                    },
                },
            },
            {
                "data": {"name": "rules"},
                "mark": DASH,
                "encoding": {
                    "y": {"field": "metres", "type": "quantitative", "scale": scale},
                    "color": {
                        "field": "line",
                        "type": "nominal",
                        "title": None,
                        # one line under the other: side by side, the knee's line ran
                        # off a half-width chart on a 1024-pixel screen
                        "legend": {
                            "orient": "top",
                            "direction": "vertical",
                            "columns": 1,
                            "labelLimit": 320,
                        },
                    },
                },
            },
        ],
    }


#: Height of each sweep panel's plot area, in pixels.
SWEEP_PANEL_HEIGHT = 140


def sweep_points(table: pd.DataFrame) -> pd.DataFrame:
    """``eps_m``, ``hotspots`` and ``noise_pct`` (one decimal) from a sweep table.

    ``table`` is :func:`geo.evaluation.sweep`'s: ``eps_m``, ``n_hotspots``, ``noise_share``.
    """
    return pd.DataFrame(
        {
            "eps_m": table["eps_m"],
            "hotspots": table["n_hotspots"].round(1),
            "noise_pct": (100 * table["noise_share"]).round(1),
        }
    )


def sweep_spec(points: pd.DataFrame, eps_m: float, field: str, title: str) -> dict[str, Any]:
    """One panel of the sweep: ``field`` against ``eps_m``, a dashed line at the current one.

    Parameters
    ----------
    points
        From :func:`sweep_points`.
    eps_m
        The current ``eps_m`` in metres.
    field, title
        The column of ``points`` to draw and its axis title.

    Returns
    -------
    dict
        A layered Vega-Lite specification with datasets ``points`` and ``current``
        (``eps_m``).

    """
    x = {"field": "eps_m", "type": "quantitative", "title": "eps_m (metres)"}
    return {
        "height": SWEEP_PANEL_HEIGHT,
        # fit the width only: the panel keeps its height, axes and titles come on top of it
        "autosize": {"type": "fit-x", "contains": "padding"},
        "datasets": {"points": points, "current": pd.DataFrame({"eps_m": [float(eps_m)]})},
        "layer": [
            {
                "data": {"name": "points"},
                "mark": {"type": "line", "point": True},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": field,
                        "type": "quantitative",
                        "title": title,
                        "axis": {"tickCount": 5, "titleLimit": SWEEP_PANEL_HEIGHT},
                    },
                },
            },
            {
                "data": {"name": "current"},
                "mark": {**DASH, "color": "black"},
                "encoding": {"x": x},
            },
        ],
    }


#: Colours of the meeting month chart: the months the map shows, and the months before.
PERIOD_COLOURS = {"On the map": "#1f5fa8", "Earlier months": "#b8c6d9"}
#: Columns of :func:`public_months_chart` data.
MONTH, REPORTS, PERIOD = "Month", "Reports (rounded)", "Period"


def public_months_chart(
    monthly: pd.DataFrame, since: str, until: str, *, round_to: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The meeting page's reports per month, the months on the map in a darker colour.

    Parameters
    ----------
    monthly
        :func:`geo.public.monthly_counts_public` (whole area): ``month`` (``YYYY-MM``),
        ``month_label``, ``incidents`` (Int64, <NA> when too few to show).
    since, until
        First and last month (``YYYY-MM``) of the period the map shows.
    round_to
        What the counts are rounded to (named on the axis).

    Returns
    -------
    tuple
        ``(data, spec)``: ``data`` has :data:`MONTH` (the label), :data:`REPORTS` and
        :data:`PERIOD` (a key of :data:`PERIOD_COLOURS`), one row per month in order;
        ``spec`` draws it as bars in that order.

    """
    month = monthly[c.MONTH].astype(str)
    shown = (month >= since[:7]) & (month <= until[:7])
    data = pd.DataFrame(
        {
            MONTH: monthly[public.MONTH_LABEL].astype(str).to_numpy(),
            REPORTS: monthly[public.INCIDENTS].to_numpy(),
            PERIOD: [list(PERIOD_COLOURS)[0 if s else 1] for s in shown],
        }
    )
    spec: dict[str, Any] = {
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": MONTH, "type": "ordinal", "sort": None, "axis": {"title": "Month"}},
            "y": {
                "field": REPORTS,
                "type": "quantitative",
                "axis": {"title": f"Reports (rounded to {round_to})"},
            },
            "color": {
                "field": PERIOD,
                "type": "nominal",
                "scale": {"domain": list(PERIOD_COLOURS), "range": list(PERIOD_COLOURS.values())},
                "legend": {"orient": "top", "title": None},
            },
            "tooltip": [
                {"field": MONTH, "type": "ordinal"},
                {"field": REPORTS, "type": "quantitative"},
            ],
        },
    }
    return data, spec
