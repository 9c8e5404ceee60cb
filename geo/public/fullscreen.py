"""A full-screen button for the public map: the browser's Fullscreen API, inlined, no network."""

from __future__ import annotations

from branca.element import MacroElement
from folium.template import Template

__all__ = ["FULLSCREEN_CLASS", "WHOLE_AREA_CLASS", "FullScreenButton", "WholeAreaButton"]

#: CSS class of the button's bar (a Leaflet control at the top left, under the zoom buttons).
FULLSCREEN_CLASS = "leaflet-control-fullscreen"

#: CSS class of the "whole area" button's bar (under the full-screen button).
WHOLE_AREA_CLASS = "leaflet-control-whole-area"

#: Four corners pointing out: the usual "full screen" sign, drawn inline (no icon font).
_ICON = (
    '<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">'
    '<path d="M2 7V2h5M11 2h5v5M16 11v5h-5M7 16H2v-5" fill="none" stroke="#333" '
    'stroke-width="2.2"/></svg>'
)


class FullScreenButton(MacroElement):
    """A button on the map that shows the whole page full screen, and back (or Esc).

    The page's root element goes full screen (not only the map), so the title and legend
    boxes drawn over the map stay with it; inside a frame (the app's meeting page) the
    frame fills the screen, which Streamlit's frames allow. On entering, the map is
    refitted to what it showed before, larger; on leaving, the earlier view comes back.
    Where the browser offers no full screen, the button says so and does nothing.
    Written as a small Leaflet control: unlike folium's ``plugins.Fullscreen`` it loads
    nothing from a CDN. Add it to a ``folium.Map`` (``m.add_child(FullScreenButton())``).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, icon, cls) {
            var doc = document, root = doc.documentElement;
            var request = root.requestFullscreen || root.webkitRequestFullscreen;
            var leave = doc.exitFullscreen || doc.webkitExitFullscreen;
            var able = !!request && (doc.fullscreenEnabled || doc.webkitFullscreenEnabled);
            var current = function () {
                return doc.fullscreenElement || doc.webkitFullscreenElement || null;
            };
            var button = null, saved = null;
            var label = function (on) {
                var text = !able ? "Full screen is not available in this window"
                    : on ? "Leave full screen (Esc)" : "Show the map full screen";
                button.title = text;
                button.setAttribute("aria-label", text);
                button.setAttribute("aria-pressed", on ? "true" : "false");
            };
            var Control = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function () {
                    var bar = L.DomUtil.create("div", "leaflet-bar " + cls);
                    button = L.DomUtil.create("a", cls + "-button", bar);
                    button.href = "#";
                    button.setAttribute("role", "button");
                    button.style.display = "flex";
                    button.style.alignItems = "center";
                    button.style.justifyContent = "center";
                    if (!able) { button.style.opacity = "0.4"; }
                    button.innerHTML = icon;
                    label(false);
                    L.DomEvent.disableClickPropagation(bar);
                    L.DomEvent.on(button, "click", function (e) {
                        L.DomEvent.preventDefault(e);
                        toggle();
                    });
                    return bar;
                }
            });
            var toggle = function () {
                if (!able) { return; }
                if (current()) { leave.call(doc); return; }
                saved = {center: map.getCenter(), zoom: map.getZoom(), bounds: map.getBounds()};
                window.scrollTo(0, 0);
                var asked = request.call(root);
                if (asked && asked.catch) { asked.catch(function () { saved = null; }); }
            };
            var changed = function () {
                var on = current() !== null;
                label(on);
                // wait for the page to take its new size before fitting the map to it
                setTimeout(function () {
                    map.invalidateSize({pan: false});
                    if (!saved) { return; }
                    if (on) {
                        map.fitBounds(saved.bounds, {animate: false});
                    } else {
                        map.setView(saved.center, saved.zoom, {animate: false});
                        saved = null;
                    }
                }, 150);
            };
            doc.addEventListener("fullscreenchange", changed);
            doc.addEventListener("webkitfullscreenchange", changed);
            new Control().addTo(map);
        })({{ this._parent.get_name() }}, {{ this.icon|tojson }}, {{ this.css_class|tojson }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "FullScreenButton"
        self.icon = _ICON
        self.css_class = FULLSCREEN_CLASS


#: A house outline: back to the first view, drawn inline (no icon font).
_HOME = (
    '<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">'
    '<path d="M2.5 9 9 3l6.5 6M4.5 7.5V15h3.5v-4h2v4h3.5V7.5" fill="none" stroke="#333" '
    'stroke-width="1.8" stroke-linejoin="round"/></svg>'
)


class WholeAreaButton(MacroElement):
    """A button on the map that goes back to the view the page opened with.

    At a meeting the map gets dragged, zoomed and panned by opened popups; this brings
    every ward back in one press. The first view is remembered when someone first touches
    the map (press, wheel or key) or a popup opens, so it is the view the page fitted,
    however it was fitted. Add it after :class:`FullScreenButton` to sit under it.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function (map, icon, cls) {
            var first = null;
            var remember = function () {
                if (!first) { first = {center: map.getCenter(), zoom: map.getZoom()}; }
            };
            var box = map.getContainer();
            ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (name) {
                box.addEventListener(name, remember, {capture: true, passive: true});
            });
            map.on("popupopen", remember);
            var Control = L.Control.extend({
                options: {position: "topleft"},
                onAdd: function () {
                    var bar = L.DomUtil.create("div", "leaflet-bar " + cls);
                    var button = L.DomUtil.create("a", cls + "-button", bar);
                    button.href = "#";
                    button.setAttribute("role", "button");
                    button.title = "Show the whole area again";
                    button.setAttribute("aria-label", button.title);
                    button.style.display = "flex";
                    button.style.alignItems = "center";
                    button.style.justifyContent = "center";
                    button.innerHTML = icon;
                    L.DomEvent.disableClickPropagation(bar);
                    L.DomEvent.on(button, "click", function (e) {
                        L.DomEvent.preventDefault(e);
                        map.closePopup();
                        if (first) { map.setView(first.center, first.zoom, {animate: false}); }
                    });
                    return bar;
                }
            });
            new Control().addTo(map);
        })({{ this._parent.get_name() }}, {{ this.icon|tojson }}, {{ this.css_class|tojson }});
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "WholeAreaButton"
        self.icon = _HOME
        self.css_class = WHOLE_AREA_CLASS
