"""The one escaping helper: text from files shows as written and never becomes markup or code."""

from __future__ import annotations

import html
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from geo.maps import escape_html, escape_properties, escape_template_literal, safe_tooltip

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`",
    "</script><script>alert(1)</script>",
    "\" onmouseover='alert(1)'",
    "\\`${alert(1)}",
]


def _template_literal_value(source: str) -> str:
    """What a JavaScript template literal with this inside evaluates to; it must hold no
    ``${...}`` expression and no backtick that ends it (``\\x`` escapes only)."""
    assert not re.search(r"(?<!\\)(?:\\\\)*\$\{", source), "an unescaped ${ would run code"
    assert not re.search(r"(?<!\\)(?:\\\\)*`", source), "an unescaped backtick ends the literal"
    return re.sub(r"\\(.)", r"\1", source, flags=re.DOTALL)


def test_escape_html_table():
    assert escape_html("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert escape_html("${alert(1)}") == "&#36;{alert(1)}"
    assert escape_html("`") == "&#96;"
    assert escape_html("a\\b") == "a&#92;b"
    assert escape_html("\"'&") == "&quot;&#x27;&amp;"
    assert escape_html("Rose Hill & Iffley") == "Rose Hill &amp; Iffley"
    assert escape_html(12) == "12"


@given(st.text())
def test_escape_html_shows_the_text_and_leaves_no_active_character(text):
    out = escape_html(text)
    assert html.unescape(out) == text
    assert not set(out) & set("<>\"'`$\\")


@given(st.text())
def test_escape_template_literal_evaluates_to_the_markup(markup):
    assert _template_literal_value(escape_template_literal(markup)) == markup


def test_escape_template_literal_goes_red_without_escaping():
    # the checker itself refuses what folium would run
    for raw in ("${alert(1)}", "`", "\\\\${x}", "\\\\`"):
        try:
            _template_literal_value(raw)
        except AssertionError:
            continue
        raise AssertionError(f"{raw!r} was not caught")


def test_safe_tooltip_renders_hostile_text_inert():
    m = folium.Map(location=[51.7, -1.2], tiles=None)
    for i, text in enumerate(HOSTILE):
        folium.CircleMarker(
            [51.7, -1.2 + i / 100], tooltip=safe_tooltip(f"<b>{escape_html(text)}</b>")
        ).add_to(m)
    page = m.get_root().render()
    for block in re.findall(r"bindTooltip\(\s*`(.*?)`,\s*\{", page, flags=re.DOTALL):
        shown = html.unescape(_template_literal_value(block))
        assert "<b>" in shown
        assert "<img" not in _template_literal_value(block)
    assert page.count("bindTooltip(") == len(HOSTILE)
    assert "alert(1)</script>" not in page


def test_safe_tooltip_keeps_options():
    tip = safe_tooltip("x", sticky=False, permanent=True, direction="right")
    assert tip.options == {"sticky": False, "permanent": True, "direction": "right"}


def test_escape_properties_escapes_text_columns_only():
    frame = gpd.GeoDataFrame(
        {
            "ward_name": ["<b>West</b>", None],
            "label": pd.Series(["${x}", "`"], dtype="string"),
            "n": [3, 4],
            "score": [1.5, np.nan],
        },
        geometry=[Point(0, 0), Point(1, 1)],
        crs="EPSG:27700",
    )
    before = frame.copy()
    out = escape_properties(frame)
    assert isinstance(out, gpd.GeoDataFrame)
    assert out.crs == frame.crs
    assert list(out.columns) == list(frame.columns)
    assert out["ward_name"].tolist()[0] == "&lt;b&gt;West&lt;/b&gt;"
    assert out["ward_name"].isna().tolist() == [False, True]
    assert out["label"].tolist() == ["&#36;{x}", "&#96;"]
    assert out["n"].tolist() == [3, 4]
    assert out.geometry.equals(frame.geometry)
    pd.testing.assert_frame_equal(pd.DataFrame(frame), pd.DataFrame(before))  # unchanged


def test_escape_properties_named_columns():
    frame = pd.DataFrame({"a": ["<x>"], "b": ["<y>"]})
    out = escape_properties(frame, ["b", "missing"])
    assert out.to_dict("records") == [{"a": "<x>", "b": "&lt;y&gt;"}]
