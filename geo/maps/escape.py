"""Escaping of text from files, settings and uploads for every place a map or page shows it.

Every text that reaches a map, table or HTML page and did not come from this code (ward
names, category labels, site names, intervention ids, titles, band labels) goes through
this module, for the context it lands in:

* HTML element text and quoted attribute values: :func:`escape_html`;
* HTML that folium places inside a JavaScript template literal (``folium.Tooltip``,
  ``folium.Popup`` and the ``tooltip=`` text of markers and circles): build the markup
  with :func:`escape_html` and hand it over through :func:`safe_tooltip`, which also
  escapes the literal (:func:`escape_template_literal`);
* GeoJSON properties shown by ``folium.GeoJsonTooltip``/``GeoJsonPopup``, which insert
  each value as HTML: :func:`escape_properties` on the frame drawn (never on a frame
  written to a GeoJSON or CSV file, whose values stay as written).

A hostile name such as ``<img src=x onerror=alert(1)>``, ``${alert(1)}`` or a backtick is
then shown as exactly that text and runs nothing.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Iterable
from typing import TypeVar

import folium
import pandas as pd

__all__ = [
    "escape_html",
    "escape_properties",
    "escape_template_literal",
    "safe_tooltip",
]

#: Characters that mean something in a JavaScript template literal, as HTML character
#: references: a browser shows them as the characters, a template literal leaves them alone.
_LITERAL_REFS = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})

Frame = TypeVar("Frame", bound=pd.DataFrame)


def escape_html(value: object) -> str:
    r"""``value`` as text that HTML shows literally, wherever this package puts it.

    ``&``, ``<``, ``>``, ``"`` and ``'`` become character references (as
    :func:`html.escape` with ``quote=True``), and so do ``` ` ```, ``$`` and ``\``, so the
    result is inert as element text, inside a quoted attribute value, and also inside the
    JavaScript template literal folium wraps tooltip and popup HTML in.

    Parameters
    ----------
    value
        Any value; ``str(value)`` is escaped.

    Returns
    -------
    str
        Text with no markup and no character a template literal would act on.

    Examples
    --------
    >>> escape_html("<b>${x}</b>`")
    '&lt;b&gt;&#36;{x}&lt;/b&gt;&#96;'

    """
    return html_lib.escape(str(value), quote=True).translate(_LITERAL_REFS)


def escape_template_literal(markup: str) -> str:
    r"""HTML ``markup`` made safe inside a JavaScript template literal (`` `...` ``).

    ``\``, ``` ` ``` and ``${`` are escaped with a backslash, so the literal evaluates to
    ``markup`` exactly: no expression inside it runs and no backtick ends it early. The
    markup itself is not changed; escape any text in it with :func:`escape_html` first.

    Parameters
    ----------
    markup
        HTML built by this package.

    Returns
    -------
    str
        Source text for the inside of a template literal.

    """
    return markup.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")


def safe_tooltip(markup: str, **options: object) -> folium.Tooltip:
    """A ``folium.Tooltip`` showing ``markup``, safe inside folium's template literal.

    Parameters
    ----------
    markup
        HTML built by this package, with every outside text escaped by :func:`escape_html`.
    **options
        ``folium.Tooltip`` options (``sticky``, ``style``, ``permanent``, ``direction``).

    Returns
    -------
    folium.Tooltip
        Pass it as ``tooltip=`` to a marker, circle or layer.

    """
    return folium.Tooltip(escape_template_literal(markup), **options)  # type: ignore[arg-type]


def escape_properties(frame: Frame, columns: Iterable[str] | None = None) -> Frame:
    """A copy of ``frame`` whose text values are escaped for GeoJSON popups and tooltips.

    ``folium.GeoJsonTooltip`` and ``folium.GeoJsonPopup`` insert each property value into
    the page as HTML; values escaped with :func:`escape_html` show as the text written.
    Draw the copy; never write it to a data file.

    Parameters
    ----------
    frame
        A DataFrame or GeoDataFrame (any columns, any CRS); not changed.
    columns
        Columns to escape; ``None`` (default): every text column (object or string
        dtype) except the geometry. Missing values stay missing.

    Returns
    -------
    DataFrame or GeoDataFrame
        Same type, index, columns, dtypes (text stays text) and CRS as ``frame``.

    """
    out = frame.copy()
    geometry = getattr(frame, "_geometry_column_name", None)
    if columns is None:
        chosen = [col for col in out.columns if col != geometry and out[col].dtype.kind in "OSUT"]
    else:
        chosen = [col for col in columns if col in out.columns and col != geometry]
    for col in chosen:
        out[col] = out[col].map(escape_html, na_action="ignore")
    return out
