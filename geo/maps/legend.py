"""Map legends: colour swatches in a fixed box, and a legend that is a Leaflet layer."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import numpy as np
from folium.template import Template

from geo.maps.elements import MapScript, add_html
from geo.maps.escape import escape_html

#: Sequential colours (light = lower score, dark = higher score), 5 classes.
SCORE_COLOURS: tuple[str, ...] = ("#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")


def class_colours(n_classes: int) -> tuple[str, ...]:
    """Colours of ``n_classes`` score classes (1 to 5), spread over :data:`SCORE_COLOURS`.

    Fewer classes than colours (scores that tie) keep both ends of the scale, so the
    highest class is always the darkest colour: ``class_colours(2) == ("#fed976",
    "#bd0026")``. No classes gives ``()``.
    """
    k = max(0, min(int(n_classes), len(SCORE_COLOURS)))
    if k <= 1:
        return SCORE_COLOURS[-1:] if k == 1 else ()
    last = len(SCORE_COLOURS) - 1
    return tuple(SCORE_COLOURS[round(i * last / (k - 1))] for i in range(k))


def score_classes(breaks: Sequence[float]) -> list[tuple[str, float]]:
    """``(colour, upper bound)`` of each score class, lowest first.

    ``breaks`` are the classes' upper bounds (see :func:`geo.maps.score_breaks`; ties are
    merged and the order does not matter); the colours are :func:`class_colours` of their
    number. The map's shapes and the legend both read their classes here.
    """
    uppers = sorted({float(b) for b in breaks})
    return list(zip(class_colours(len(uppers)), uppers, strict=True))


def class_label(lower: float | None, upper: float) -> str:
    """A score class in words: ``"up to 12"``, ``"13–15"``, ``"16"``, ``"over 2.5 to 4"``.

    A class holds the scores above ``lower`` (the previous class's upper bound; ``None``
    for the first class) up to and including ``upper``. Whole-number bounds (the usual
    case: weights are whole numbers) are shown as the whole scores the class holds.
    """
    if lower is None:
        return f"up to {upper:g}"
    if float(lower).is_integer() and float(upper).is_integer():
        first = int(lower) + 1
        return f"{first}" if first == int(upper) else f"{first}–{int(upper)}"
    return f"over {lower:g} to {upper:g}"


def swatch(label_html: str, fill: str, *, border: str = "1px solid #7a0019") -> str:
    """One legend row: a 14-pixel colour square (``fill``, CSS ``border``) and its label.

    ``label_html`` is inserted as HTML: escape any text that is not the caller's own with
    :func:`geo.maps.escape_html`.
    """
    return (
        '<div><span style="display:inline-block;width:14px;height:14px;'
        f"background:{fill};border:{border};margin-right:6px;vertical-align:middle"
        f'"></span>{label_html}</div>'
    )


def legend_box(
    title: str,
    rows: Sequence[str],
    *,
    note: str = "",
    css_class: str = "hotspot-legend",
    bottom_px: int = 24,
    max_width_px: int | None = 240,
) -> str:
    """A legend box over the lower left of a map (plain HTML, no scripts).

    Parameters
    ----------
    title, note
        Plain text (escaped here); ``note`` is a grey line under the rows.
    rows
        HTML rows, e.g. from :func:`swatch`.

    """
    width = f";max-width:{max_width_px}px" if max_width_px else ""
    extra = f'<div style="margin-top:4px;color:#444">{escape_html(note)}</div>' if note else ""
    return (
        f'<div class="{css_class}" style="position:absolute;bottom:{bottom_px}px;left:12px;'
        "z-index:9999;background:#fff;padding:8px 10px;border:1px solid #999;"
        f'border-radius:4px;font:13px/1.4 sans-serif{width}">'
        f"<b>{escape_html(title)}</b>{''.join(rows)}{extra}</div>"
    )


def scores_label(lowest: float, highest: float) -> str:
    """The scores a class holds in words: ``"12"``, ``"10–11.5"`` (one decimal at most)."""
    lo, hi = f"{round(float(lowest), 1):g}", f"{round(float(highest), 1):g}"
    return hi if lo == hi else f"{lo}–{hi}"


def legend_html(
    title: str,
    breaks: Sequence[float],
    note: str = "",
    *,
    scores: Sequence[float] | np.ndarray | None = None,
) -> str:
    """The hotspot score legend: one :func:`swatch` per score class (see :func:`legend_box`).

    ``breaks`` are the classes' upper bounds in increasing order (see
    :func:`geo.maps.score_breaks`), coloured as in :func:`score_classes`, so the legend
    matches the shapes. With the map's ``scores`` each class is labelled, all in one style,
    by the lowest and highest score it holds (:func:`scores_label`: ``10–11.5``,
    ``12–12.5``, ``16–17``); without them by its bounds (:func:`class_label`).
    """
    rows = []
    lower: float | None = None
    values = None if scores is None else np.sort(np.asarray(scores, dtype=float))
    for colour, upper in score_classes(breaks):
        label = class_label(lower, upper)
        if values is not None:
            held = values[(values <= upper) & (values > (-np.inf if lower is None else lower))]
            if len(held):
                label = scores_label(held[0], held[-1])
        rows.append(swatch(escape_html(label), colour))
        lower = upper
    if not rows:
        rows.append("<div>No hotspots with these settings</div>")
    return legend_box(title, rows, note=note)


def add_legend(
    m: folium.Map,
    *,
    title: str,
    breaks: Sequence[float],
    note: str = "",
    scores: Sequence[float] | np.ndarray | None = None,
) -> None:
    """A fixed legend box on the page (see :func:`legend_html`)."""
    add_html(m, legend_html(title, breaks, note, scores=scores))


class LegendLayer(MapScript):
    """A legend box drawn over the map as a Leaflet layer of the group it is added to.

    Unlike :func:`add_legend` it comes and goes with its layer group: hidden when the group
    is switched off, and replaced together with the group's polygons when a renderer swaps
    the group for a new one (``streamlit-folium``'s ``feature_group_to_add``).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new (L.Layer.extend({
            onAdd: function (map) {
                this._box = L.DomUtil.create("div", "legend-layer");
                this._box.innerHTML = {{ this.box_html|tojson }};
                L.DomEvent.disableClickPropagation(this._box);
                L.DomEvent.disableScrollPropagation(this._box);
                map.getContainer().appendChild(this._box);
                return this;
            },
            onRemove: function () {
                L.DomUtil.remove(this._box);
                return this;
            }
        }))();
        {{ this._parent.get_name() }}.addLayer({{ this.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, box_html: str) -> None:
        super().__init__("LegendLayer")
        self.box_html = box_html
