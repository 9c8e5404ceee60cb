"""Make folium maps render with no network: Leaflet and plugins inlined from Python packages."""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

import folium
from branca.element import Element
from folium.elements import JSCSSMixin


@cache
def _leaflet_dir() -> Path:
    import xstatic.pkg.leaflet as leaflet

    return Path(leaflet.BASE_DIR)


@cache
def _markercluster_dir() -> Path:
    import xstatic.pkg.leaflet_markercluster as mc

    return Path(mc.BASE_DIR)


@cache
def _folium_templates() -> Path:
    return Path(folium.__file__).parent / "templates"


@cache
def _leaflet_css() -> str:
    css = (_leaflet_dir() / "leaflet.css").read_text(encoding="utf-8")

    def inline(m: re.Match[str]) -> str:
        img = _leaflet_dir() / m.group(1)
        data = base64.b64encode(img.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)


@cache
def _asset(name: str) -> tuple[str, str] | None:
    """``(kind, text)`` of a known asset by folium's resource name, or None if not needed."""
    files: dict[str, tuple[str, Path]] = {
        "leaflet": ("js", _leaflet_dir() / "leaflet.js"),
        "leaflet-heat.js": ("js", _folium_templates() / "leaflet_heat.min.js"),
        "markerclusterjs": ("js", _markercluster_dir() / "leaflet.markercluster.js"),
        "markerclustercss": ("css", _markercluster_dir() / "MarkerCluster.css"),
        "markerclusterdefaultcss": ("css", _markercluster_dir() / "MarkerCluster.Default.css"),
    }
    if name == "leaflet_css":
        return "css", _leaflet_css()
    if name in files:
        kind, path = files[name]
        return kind, path.read_text(encoding="utf-8")
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


def _resources(m: folium.Map) -> list[tuple[str, str, str]]:
    """Every ``(kind, name, url)`` resource the map's elements would load."""
    seen: list[tuple[str, str, str]] = []
    stack: list[Element] = [m]
    while stack:
        el = stack.pop()
        if isinstance(el, JSCSSMixin):
            seen += [("js", n, u) for n, u in el.default_js]
            seen += [("css", n, u) for n, u in el.default_css]
        stack.extend(el._children.values())
    return seen


class _Constant:
    """A ``re.sub`` replacement that returns fixed text (no escape processing)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, _match: re.Match[str]) -> str:
        return self.text


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
        if asset is None and name not in DROPPED:
            raise ValueError(f"map resource {name!r} ({url}) has no offline copy")
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
