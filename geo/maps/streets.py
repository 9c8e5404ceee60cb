"""Ground context for staff maps: street and place names offline, and an optional basemap.

The names come from police.uk's own map points (:func:`geo.places.street_points`): every
incident was moved to one, and each carries a public name (``Oxford Road``, ``Templars Square
Shopping Centre``) or a kind of place (``Supermarket``). Drawn as small labels at those points,
they show which streets a hotspot touches with no tiles and no network. A basemap of tiles is
optional and off unless a tile URL is given (public tiles when online, or a force's own tile
server).
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
from folium.map import Layer
from folium.template import Template

from geo import columns as c
from geo.errors import ValidationError
from geo.places import plain_place_words
from geo.project import WGS84, require_metric

__all__ = [
    "STREET_MIN_ZOOM",
    "STREET_NEAR_ZOOM",
    "StreetLayer",
    "hide_below_css",
    "street_labels",
    "street_layer",
    "tile_layer",
]

#: Street names appear from this zoom level (about 1:17,000 on screen): below it they would
#: bury the hotspots.
STREET_MIN_ZOOM = 15
#: Names crowded out at :data:`STREET_MIN_ZOOM` appear from this closer zoom level.
STREET_NEAR_ZOOM = 17
#: Two labels of the same name are at least this far apart (metres)...
SAME_NAME_GAP_M = 250.0
#: ...and any two labels shown from :data:`STREET_MIN_ZOOM` at least this far apart...
FAR_GAP_M = 90.0
#: ...and from :data:`STREET_NEAR_ZOOM` at least this far apart.
NEAR_GAP_M = 35.0

_CSS = (
    ".street-label-icon{width:0 !important;height:0 !important;pointer-events:none;}"
    ".street-label{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
    "font:600 11px/1.1 sans-serif;color:#3a3a3a;"
    "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;}"
    ".street-label.generic{font-weight:400;font-style:italic;font-size:10px;color:#7a7a7a;}"
    f".streets-below-{STREET_MIN_ZOOM} .street-z{STREET_MIN_ZOOM},"
    f".streets-below-{STREET_NEAR_ZOOM} .street-z{STREET_NEAR_ZOOM}{{display:none;}}"
)


def hide_below_css(tiers: Sequence[int]) -> str:
    """CSS hiding the labels of each zoom tier while the map is below that tier's zoom.

    :class:`StreetLayer` gives the map container the class ``streets-below-<t>`` while its
    zoom is below ``t``, for each ``t`` in ``tiers``; a label shown from zoom ``t`` has the
    class ``street-z<t>``.
    """
    rules = ",".join(f".streets-below-{t} .street-z{t}" for t in tiers)
    return f"{rules}{{display:none;}}" if rules else ""


def street_labels(
    points: gpd.GeoDataFrame,
    *,
    include_generic: bool = True,
) -> list[list[object]]:
    """Which map-point names to draw, where, and from which zoom level.

    Named streets and places first (a kind such as ``Supermarket`` says less on the ground),
    then busiest map points first, a name is kept when no label of the same name lies within
    :data:`SAME_NAME_GAP_M` (a long street is named every few hundred metres); it is shown
    from :data:`STREET_MIN_ZOOM` when no label kept so far lies within :data:`FAR_GAP_M`,
    else from :data:`STREET_NEAR_ZOOM` when none lies within :data:`NEAR_GAP_M`, else not at
    all. Ties go by name, then position, so the same data always gives the same labels.

    Parameters
    ----------
    points
        From :func:`geo.places.street_points`: ``name``, ``generic``, ``n_incidents`` and
        point ``geometry`` in a metric CRS.
    include_generic
        Keep kinds of place (``Supermarket``) as well as named streets and places.

    Returns
    -------
    list of list
        ``[lat, lon, name, generic, min_zoom]`` per label (WGS84 degrees rounded to 1e-6);
        a kind of place is named in plain words (:func:`geo.places.plain_place_words`:
        ``Car park``, not ``Parking Area``), as the hotspots' place names are.

    """
    require_metric(points.crs, "street_labels")
    if not len(points):
        return []
    pts = points if include_generic else points[~points["generic"].astype(bool)]
    xy = np.column_stack([pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()])
    generic = pts["generic"].astype(bool).to_numpy()
    busy = pts[c.N_INCIDENTS].to_numpy(dtype="int64")
    order = sorted(
        range(len(pts)),
        key=lambda i: (bool(generic[i]), -int(busy[i]), str(pts["name"].iloc[i]), *xy[i]),
    )
    names = pts["name"].astype(str).to_numpy()
    kept: list[tuple[int, int]] = []  # (row, min zoom)
    for i in order:
        near = [j for j, _ in kept if np.hypot(*(xy[j] - xy[i])) < FAR_GAP_M]
        same = any(
            names[j] == names[i] and np.hypot(*(xy[j] - xy[i])) < SAME_NAME_GAP_M for j, _ in kept
        )
        if same:
            continue
        if not near:
            kept.append((i, STREET_MIN_ZOOM))
        elif all(np.hypot(*(xy[j] - xy[i])) >= NEAR_GAP_M for j in near):
            kept.append((i, STREET_NEAR_ZOOM))
    if not kept:
        return []
    rows = [i for i, _ in kept]
    lonlat = gpd.GeoSeries(pts.geometry.iloc[rows].to_numpy(), crs=pts.crs).to_crs(WGS84)
    return [
        [
            round(float(p.y), 6),
            round(float(p.x), 6),
            plain_place_words(str(names[i])) if generic[i] else str(names[i]),
            bool(generic[i]),
            zoom,
        ]
        for (i, zoom), p in zip(kept, lonlat, strict=True)
    ]


class StreetLayer(Layer):
    """A switchable Leaflet layer of street and place names, shown only when zoomed in.

    Each label is a non-interactive ``L.divIcon`` whose text is set with ``textContent`` (a
    name is never read as HTML). The map container gets the classes ``streets-below-15`` and
    ``streets-below-17`` while its zoom is below those levels, which hide the labels of each
    tier (:func:`street_labels` says which tier a label is in). After each zoom, a label
    that would print over one before it in ``labels`` (named streets and places first, then
    the busiest) is hidden until a zoom gives it room: two names never run into each other.

    Parameters
    ----------
    labels
        From :func:`street_labels`: ``[lat, lon, name, generic, min_zoom]`` per label.
    name
        Its name in the layer switcher.
    show
        Switched on when the map opens.
    tiers
        The zoom levels labels may be shown from (every ``min_zoom`` of ``labels``).
    css
        The layer's stylesheet (the look of ``.street-label`` and the rules hiding each tier,
        see :func:`hide_below_css`); default: the staff maps' small grey labels.

    """

    _template = Template(
        """{% macro header(this, kwargs) %}<style>{{ this.css }}
        .street-label.street-overlap{visibility:hidden;}</style>{% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        (function (group, map, labels, tiers) {
            var spans = [];
            labels.forEach(function (l) {
                var span = document.createElement("span");
                span.className = "street-label" + (l[3] ? " generic" : "");
                span.textContent = l[2];
                spans.push(span);
                L.marker([l[0], l[1]], {
                    icon: L.divIcon({
                        html: span, iconSize: null,
                        className: "street-label-icon street-z" + l[4]
                    }),
                    interactive: false, keyboard: false
                }).addTo(group);
            });
            // a label that overlaps one kept before it (the labels come in priority
            // order) is hidden at this zoom; labels of hidden tiers take no room
            function declutter() {
                var kept = [];
                spans.forEach(function (s) { s.classList.remove("street-overlap"); });
                spans.forEach(function (s) {
                    var r = s.getBoundingClientRect();
                    if (!s.isConnected || r.width === 0) return;
                    var hit = kept.some(function (k) {
                        return r.left < k.right && r.right > k.left &&
                            r.top < k.bottom && r.bottom > k.top;
                    });
                    if (hit) s.classList.add("street-overlap"); else kept.push(r);
                });
            }
            function mark() {
                var el = map.getContainer(), z = map.getZoom();
                tiers.forEach(function (t) {
                    el.classList.toggle("streets-below-" + t, z < t);
                });
                requestAnimationFrame(declutter);
            }
            map.on("zoomend", mark);
            group.on("add", function () { requestAnimationFrame(declutter); });
            map.whenReady(mark);
        })({{ this.get_name() }}, {{ this._parent.get_name() }},
           {{ this.labels|tojson }}, {{ this.tiers|tojson }});
        {% endmacro %}"""
    )

    def __init__(
        self,
        labels: Sequence[Sequence[object]],
        *,
        name: str = "Street names",
        show: bool = True,
        tiers: Sequence[int] = (STREET_MIN_ZOOM, STREET_NEAR_ZOOM),
        css: str = _CSS,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "StreetLayer"
        self.labels = [list(label) for label in labels]
        self.tiers = [int(t) for t in tiers]
        self.css = css


def street_layer(
    points: gpd.GeoDataFrame,
    *,
    include_generic: bool = True,
    name: str = "Street names (zoom in)",
) -> StreetLayer:
    """A :class:`StreetLayer` of ``points`` (see :func:`street_labels`), switched on.

    Parameters
    ----------
    points
        From :func:`geo.places.street_points` (``name``, ``generic``, ``n_incidents``, point
        ``geometry``, metric CRS).
    include_generic
        Also label kinds of place (``Supermarket``), in lighter italic text.
    name
        Its name in the layer switcher.

    """
    return StreetLayer(street_labels(points, include_generic=include_generic), name=name)


def tile_layer(url: str, *, attribution: str, name: str = "Basemap") -> folium.TileLayer:
    """A basemap tile layer from ``url``, for maps viewed online; nothing uses one by default.

    Parameters
    ----------
    url
        A tile URL template with ``{z}``, ``{x}`` and ``{y}`` (e.g.
        ``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` or a force's own tile server).
    attribution
        The credit the tile provider requires, shown in the map's corner (not empty).
    name
        Its name in the layer switcher.

    Raises
    ------
    ValidationError
        When the URL lacks a placeholder or is not http(s), or the attribution is empty.

    """
    problems = []
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        problems.append(
            f"tile URL {url!r}: expected the placeholders {{z}}, {{x}} and {{y}}, "
            f"got none for {', '.join(missing)}"
        )
    if not url.startswith(("https://", "http://")):
        problems.append(f"tile URL {url!r}: expected an address starting https:// or http://")
    if not attribution.strip():
        problems.append(
            f"tile URL {url!r}: expected an attribution (the credit the tile provider "
            "requires), got none"
        )
    if problems:
        raise ValidationError(problems)
    return folium.TileLayer(
        tiles=url, attr=attribution, name=name, overlay=False, control=True, max_zoom=19
    )
