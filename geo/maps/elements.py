"""Page additions shared by every map: CSS and HTML on the page, scripts run on the map.

:func:`add_css` and :func:`add_html` put text into the page of a ``folium.Map`` (its
``<head>`` or its ``<body>``); :class:`MapScript` is a script run once the map exists, and
:class:`ScaleBar`, :class:`FitBesideBoxes`, :class:`SpreadLabels` and
:class:`GiveWayToPopups` are those the hotspot maps use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

__all__ = [
    "FitBesideBoxes",
    "GiveWayToPopups",
    "MapScript",
    "ScaleBar",
    "SpreadLabels",
    "add_css",
    "add_html",
]


def _figure(m: Element) -> Figure:
    """The page ``m`` is drawn on."""
    root = m.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"{type(m).__name__} is not on a page (its root is {type(root).__name__})")
    return root


def add_html(m: Element, html: str, *, where: Literal["body", "head"] = "body") -> None:
    """Put ``html`` as it is into the page of map ``m``: its ``<body>`` or its ``<head>``.

    Used for the fixed boxes drawn over a map (titles, legends) and the page ``<title>``.
    The text is not escaped: escape any value that comes from data first.
    """
    page = _figure(m)
    part = page.header if where == "head" else page.html
    part.add_child(folium.Element(html))


def add_css(m: Element, css: str) -> None:
    """Add the rules ``css`` (no ``<style>`` tag) to the ``<head>`` of map ``m``'s page."""
    add_html(m, f"<style>{css}</style>", where="head")


class MapScript(MacroElement):
    """A script run once the map it is added to exists (the map is ``this._parent``).

    Subclasses set ``_template`` to a ``{% macro script(this, kwargs) %}`` block, as
    folium's own plugins do, and keep the values it reads as attributes.
    """

    def __init__(self, name: str) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = name


class ScaleBar(MapScript):
    """A metric scale bar (metres and kilometres only) at the lower right of the map."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        'L.control.scale({"metric": true, "imperial": false, "position": "bottomright", '
        '"maxWidth": 150}).addTo({{ this._parent.get_name() }});'
        "{% endmacro %}"
    )

    def __init__(self) -> None:
        super().__init__("ScaleControl")


#: Leaflet's pane of hover labels (tooltips): one stays over the popup of the shape clicked.
TOOLTIP_PANE = ".leaflet-tooltip-pane"


class GiveWayToPopups(MapScript):
    """Hide the boxes ``selectors`` (e.g. a legend) and hover labels while a popup is open.

    A popup opened near a box drawn over the map would otherwise lie partly under it (a
    legend over a map's lower corner covered an area's last popup line on a 1024 px
    screen), and the hover label of the shape clicked would lie over it; they come back
    when the popup closes.

    Parameters
    ----------
    selectors
        CSS selectors of the boxes (:data:`TOOLTIP_PANE` is always added).

    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, selectors) {
            function show(visible) {
                selectors.forEach(function (sel) {
                    document.querySelectorAll(sel).forEach(function (el) {
                        el.style.visibility = visible ? "" : "hidden";
                    });
                });
            }
            map.on("popupopen", function () { show(false); });
            map.on("popupclose", function () { show(true); });
        })({{ this._parent.get_name() }}, {{ this.selectors|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, selectors: Sequence[str]) -> None:
        super().__init__("GiveWayToPopups")
        self.selectors = [*selectors, TOOLTIP_PANE]


class FitBesideBoxes(MapScript):
    """Fit ``bounds`` into the part of the map that the boxes ``selectors`` leave free.

    Each box keeps clear either the strip above or below it (whichever side of the map it
    is on) or the strip beside it (not for a box across the middle); of these choices the
    one that shows ``bounds`` largest is used. Boxes not on the page are ignored, and the
    plain fit is used when every choice leaves less than 40 % of the width or height.
    Boxes that appear later (a legend that comes with a layer group, the layer switcher,
    added after this script) refit the view until every selector has matched a box; a new
    size of the map (a page column laid out after the map was drawn) refits it until the
    viewer touches the map or 30 s have passed. A map with no size yet is not fitted.

    Parameters
    ----------
    bounds
        ``[[south, west], [north, east]]`` in degrees.
    selectors
        CSS selectors of the boxes drawn over the map.

    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, bounds, selectors) {
            var last = null, pending = false;
            function fit() {
                pending = false;
                var c = map.getContainer().getBoundingClientRect(), boxes = [], best = null;
                var found = 0;
                // a map in a frame not laid out yet (a page column) has no size: wait for
                // the resize that gives it one
                if (!c.width || !c.height) { return; }
                selectors.forEach(function (sel) {
                    var any = false;
                    document.querySelectorAll(sel).forEach(function (el) {
                        var r = el.getBoundingClientRect();
                        if (r.width && r.height) { boxes.push(r); any = true; }
                    });
                    found += any ? 1 : 0;
                });
                if (found === selectors.length && watch) { watch.disconnect(); }
                var seen = JSON.stringify([c.width, c.height, boxes.map(function (r) {
                    return [r.left - c.left, r.top - c.top, r.width, r.height];
                })]);
                if (seen === last) { return; }
                last = seen;
                // bit i of k: 0 = box i keeps clear the strip above or below it, 1 = beside it
                for (var k = 0; k < (1 << boxes.length); k++) {
                    var p = {top: 8, right: 8, bottom: 8, left: 8}, ok = true;
                    boxes.forEach(function (r, i) {
                        if (k & (1 << i)) {
                            var middle = c.left + c.width / 2;
                            ok = ok && !(r.left < middle && r.right > middle);
                            if (r.left + r.right < 2 * middle) {
                                p.left = Math.max(p.left, r.right - c.left + 8);
                            } else {
                                p.right = Math.max(p.right, c.right - r.left + 8);
                            }
                        } else if (r.top + r.bottom < c.top + c.bottom) {
                            p.top = Math.max(p.top, r.bottom - c.top + 8);
                        } else {
                            p.bottom = Math.max(p.bottom, c.bottom - r.top + 8);
                        }
                    });
                    var w = p.left + p.right, h = p.top + p.bottom;
                    if (!ok || w > 0.6 * c.width || h > 0.6 * c.height) { continue; }
                    var zoom = map.getBoundsZoom(bounds, false, L.point(w, h));
                    if (!best || zoom > best.zoom) { best = {zoom: zoom, p: p}; }
                }
                var q = best ? best.p : {top: 0, right: 0, bottom: 0, left: 0};
                // not animated: Leaflet drops a new view asked for while a zoom animation
                // runs, and a frame not shown yet (a page column) never ends one
                map.fitBounds(bounds, {
                    "paddingTopLeft": [q.left, q.top], "paddingBottomRight": [q.right, q.bottom],
                    "animate": false
                });
            }
            // boxes drawn by layers and controls added after this script (a legend that
            // comes with its layer group, the layer switcher) refit the first view until
            // every box is there; the viewer's own pan and zoom are left alone once they
            // touch the map
            var root = map.getContainer(), watch = null, stop = null;
            if (window.MutationObserver) {
                var later = function () {
                    if (!pending) { pending = true; window.requestAnimationFrame(fit); }
                };
                watch = new MutationObserver(later);
                stop = function () { watch.disconnect(); map.off("resize", later); };
                watch.observe(root, {childList: true, subtree: true});
                map.on("resize", later);  // a map first drawn hidden, then shown
                ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (type) {
                    root.addEventListener(type, stop, {once: true, capture: true});
                });
                window.setTimeout(stop, 30000);
            }
            fit();
        })({{ this._parent.get_name() }}, {{ this.bounds|tojson }}, {{ this.selectors|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: Sequence[Sequence[float]], selectors: Sequence[str]) -> None:
        super().__init__("FitBesideBoxes")
        self.bounds = [list(b) for b in bounds]
        self.selectors = list(selectors)


class SpreadLabels(MapScript):
    """Nudge labels ``selector`` up or down until no two of their texts overlap.

    Run at every new zoom, size and position of the map (and once it is drawn): each label
    first goes back to its own place, then any two whose texts (measured as laid out, not
    their icon boxes) come closer than ``gap_px`` are pushed apart vertically, half each,
    until none do (at most 30 rounds). Labels are low and wide, so a vertical nudge is the
    smallest; labels further apart than that are never moved. A label whose text then
    touches one of the ``avoid`` boxes (the map's buttons, a legend, rank badges) moves up,
    down or sideways by the smallest step that clears them all, if one of at most
    ``reach_px`` does; otherwise it is hidden until the map moves it clear: a name half under a
    button or a badge reads as another word ("Li[3]more"). Layers added later (hotspots
    swapped in by the page) run it again.

    Parameters
    ----------
    selector
        CSS selector of the label elements (e.g. ``".ward-label"``).
    gap_px
        Smallest space kept between two labels' texts, in pixels.
    avoid
        CSS selectors of boxes drawn over the map that no label may show under; boxes not
        on the page are ignored. Default: Leaflet's controls (zoom and full-screen buttons,
        layer list, scale, attribution).
    reach_px
        Furthest a label is moved to clear the ``avoid`` boxes, in pixels.

    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, selector, gap, avoid, reach) {
            function boxes() {
                var out = [];
                avoid.forEach(function (sel) {
                    document.querySelectorAll(sel).forEach(function (el) {
                        var r = el.getBoundingClientRect();
                        if (r.width && r.height) { out.push(r); }
                    });
                });
                return out;
            }
            function spread() {
                var els = map.getContainer().querySelectorAll(selector), items = [];
                els.forEach(function (el) { el.style.transform = ""; el.style.visibility = ""; });
                els.forEach(function (el) {
                    var range = document.createRange();
                    range.selectNodeContents(el);
                    var r = range.getBoundingClientRect();
                    if (r.width && r.height) {
                        items.push({el: el, l: r.left, r: r.right, t: r.top, b: r.bottom, dy: 0});
                    }
                });
                for (var round = 0; round < 30; round++) {
                    var moved = false;
                    for (var i = 0; i < items.length; i++) {
                        for (var j = i + 1; j < items.length; j++) {
                            var a = items[i], c = items[j];
                            if (a.l >= c.r + gap || c.l >= a.r + gap) { continue; }
                            var up = a, down = c;
                            if (c.t + c.dy < a.t + a.dy) { up = c; down = a; }
                            var push = up.b + up.dy + gap - (down.t + down.dy);
                            if (push <= 0) { continue; }
                            up.dy -= push / 2 + 0.5;
                            down.dy += push / 2 + 0.5;
                            moved = true;
                        }
                    }
                    if (!moved) { break; }
                }
                var over = boxes();
                function clear(x, dx, dy) {
                    return !over.some(function (b) {
                        return x.l + dx < b.right && b.left < x.r + dx
                            && x.t + dy < b.bottom && b.top < x.b + dy;
                    });
                }
                items.forEach(function (x) {
                    var dx = 0;
                    if (!clear(x, 0, x.dy)) {
                        // the smallest step up, down, left or right (at most reach px) that
                        // clears them all
                        var best = null;
                        var consider = function (mx, my) {
                            var cost = Math.abs(mx) + Math.abs(my - x.dy);
                            if (cost <= reach && clear(x, mx, my)
                                && (best === null || cost < best.cost)) {
                                best = {dx: mx, dy: my, cost: cost};
                            }
                        };
                        over.forEach(function (b) {
                            consider(0, b.top - gap - x.b);
                            consider(0, b.bottom + gap - x.t);
                            consider(b.left - gap - x.r, x.dy);
                            consider(b.right + gap - x.l, x.dy);
                        });
                        if (best === null) {
                            x.el.style.visibility = "hidden";
                        } else {
                            dx = best.dx;
                            x.dy = best.dy;
                        }
                    }
                    if (dx || x.dy) {
                        x.el.style.transform = "translate(" + dx.toFixed(1) + "px, "
                            + x.dy.toFixed(1) + "px)";
                    }
                });
            }
            var queued = false;
            function later() {  // once, however many layers arrive at once (a timer, not
                // a frame: frames wait while the map is scrolled off the screen)
                if (queued) { return; }
                queued = true;
                window.setTimeout(function () { queued = false; spread(); }, 30);
            }
            map.on("zoomend viewreset resize moveend", spread);
            map.on("layeradd", later);
            if (document.fonts && document.fonts.ready) { document.fonts.ready.then(spread); }
            window.requestAnimationFrame(spread);
        })({{ this._parent.get_name() }}, {{ this.selector|tojson }}, {{ this.gap_px|tojson }},
           {{ this.avoid|tojson }}, {{ this.reach_px|tojson }});
        {% endmacro %}"""
    )

    def __init__(
        self,
        selector: str,
        *,
        gap_px: float = 6.0,
        avoid: Sequence[str] = (".leaflet-control",),
        reach_px: float = 40.0,
    ) -> None:
        super().__init__("SpreadLabels")
        self.selector = selector
        self.gap_px = float(gap_px)
        self.avoid = list(avoid)
        self.reach_px = float(reach_px)
