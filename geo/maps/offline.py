"""Make folium maps render with no network: Leaflet and plugins from Python packages.

Two ways, for two uses:

- :func:`offline_html` renders a standalone page with every script and stylesheet inlined
  (downloads, ``st.iframe``);
- :func:`use_served_resources` points a map's resources at URLs where the app serves the
  package folders of :func:`asset_folders` (``streamlit-folium`` loads them once, then only
  updates the map's layers; the browser caches the files).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TypeVar

import folium
from branca.element import Element
from folium.elements import JSCSSMixin

E = TypeVar("E", bound=Element)

#: Known resources by folium's name: ``(kind, folder key in asset_folders(), file name)``.
ASSET_FILES: dict[str, tuple[str, str, str]] = {
    "leaflet": ("js", "leaflet", "leaflet.js"),
    "leaflet_css": ("css", "leaflet", "leaflet.css"),
    "leaflet-heat.js": ("js", "folium", "leaflet_heat.min.js"),
    "markerclusterjs": ("js", "markercluster", "leaflet.markercluster.js"),
    "markerclustercss": ("css", "markercluster", "MarkerCluster.css"),
    "markerclusterdefaultcss": ("css", "markercluster", "MarkerCluster.Default.css"),
}


@cache
def asset_folders() -> dict[str, Path]:
    """Installed folders holding the files of :data:`ASSET_FILES`, by folder key.

    ``leaflet``: ``xstatic-leaflet`` (``leaflet.js``, ``leaflet.css`` and its ``images/``);
    ``markercluster``: ``xstatic-leaflet-markercluster``; ``folium``: folium's bundled
    templates (``leaflet_heat.min.js``).
    """
    import xstatic.pkg.leaflet as leaflet
    import xstatic.pkg.leaflet_markercluster as mc

    return {
        "leaflet": Path(leaflet.BASE_DIR),
        "markercluster": Path(mc.BASE_DIR),
        "folium": Path(folium.__file__).parent / "templates",
    }


@cache
def _leaflet_css() -> str:
    folder = asset_folders()["leaflet"]
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def inline(m: re.Match[str]) -> str:
        data = base64.b64encode((folder / m.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)


@cache
def _asset(name: str) -> tuple[str, str] | None:
    """``(kind, text)`` of a known asset by folium's resource name, or None if not needed."""
    if name == "leaflet_css":
        return "css", _leaflet_css()  # its images inlined too
    if name in ASSET_FILES:
        kind, folder, file = ASSET_FILES[name]
        return kind, (asset_folders()[folder] / file).read_text(encoding="utf-8")
    return None


#: folium resources that these maps never use (jQuery, Bootstrap, icon fonts): dropped.
DROPPED = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)


def _mixins(m: Element) -> Iterator[JSCSSMixin]:
    """Every element under ``m`` (itself included) that loads scripts or stylesheets."""
    stack: list[Element] = [m]
    while stack:
        el = stack.pop()
        if isinstance(el, JSCSSMixin):
            yield el
        stack.extend(el._children.values())


def _resources(m: folium.Map) -> list[tuple[str, str, str]]:
    """Every ``(kind, name, url)`` resource the map's elements would load."""
    seen: list[tuple[str, str, str]] = []
    for el in _mixins(m):
        seen += [("js", n, u) for n, u in el.default_js]
        seen += [("css", n, u) for n, u in el.default_css]
    return seen


def _check_needed(name: str, url: str, *, have_copy: bool) -> None:
    """Refuse a resource with no local copy unless the maps never use it (:data:`DROPPED`)."""
    if not have_copy and name not in DROPPED:
        raise ValueError(f"map resource {name!r} ({url}) has no offline copy")


class _Constant:
    """A ``re.sub`` replacement that returns fixed text (no escape processing)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, _match: re.Match[str]) -> str:
        return self.text


def use_served_resources(m: E, folder_urls: Mapping[str, str]) -> E:
    """Point every script and stylesheet the map's elements load at the app's own server.

    Changes ``default_js`` / ``default_css`` of each element under ``m`` (on the instances,
    never on folium's classes, so other maps are untouched); resources the maps do not use
    (:data:`DROPPED`: jQuery, Bootstrap, icon fonts) are removed. Call it on a fresh map (and
    on any layer group added to it later) just before handing it to a renderer.

    Parameters
    ----------
    m
        A folium map or any element of one.
    folder_urls
        For each key of :func:`asset_folders`, the URL (absolute, or relative to the page
        that loads the map) under which that folder's files are served, ending in ``/``.

    Returns
    -------
    The same element, for chaining.

    Raises
    ------
    ValueError
        If an element needs a remote resource this module has no copy of.

    """

    def local(resources: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for name, url in resources:  # by folium's name, so a map can be pointed again
            _check_needed(name, url, have_copy=name in ASSET_FILES)
            if name in ASSET_FILES:
                _kind, folder, file = ASSET_FILES[name]
                out.append((name, folder_urls[folder] + file))
        return out

    for el in _mixins(m):
        el.default_js = local(el.default_js)
        el.default_css = local(el.default_css)
    return m


def offline_html(m: folium.Map) -> str:
    """Render a folium map to a standalone HTML page that needs no network.

    Known Leaflet resources are inlined from installed packages (``xstatic-leaflet``,
    ``xstatic-leaflet-markercluster``, folium's bundled ``leaflet_heat``); resources the
    maps do not use (jQuery, Bootstrap, icon fonts) are dropped.

    Raises
    ------
    ValueError
        If the map needs a remote script or stylesheet this module does not know, so an
        unrenderable map is never shipped silently.

    """
    resources = _resources(m)
    html = m.get_root().render()
    for kind, name, url in resources:
        asset = _asset(name)
        if kind == "js":
            pattern = re.compile(r'<script src="' + re.escape(url) + r'"></script>\s*')
        else:
            pattern = re.compile(r'<link rel="stylesheet" href="' + re.escape(url) + r'"\s*/>\s*')
        _check_needed(name, url, have_copy=asset is not None)
        if asset is None:
            html = pattern.sub("", html)
        else:
            tag = "script" if asset[0] == "js" else "style"
            body = asset[1].replace("</script", "<\\/script")
            inline = f"<{tag}>\n{body}\n</{tag}>\n"
            html = pattern.sub(_Constant(inline), html, count=1)
            html = pattern.sub("", html)  # any repeat of the same resource
    remote = re.findall(r'<(?:script src|link rel="stylesheet" href)="(https?://[^"]+)"', html)
    if remote:
        raise ValueError(f"map still loads remote resources: {', '.join(remote)}")
    return html
