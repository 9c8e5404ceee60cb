"""The public meeting view: allow-listed, aggregated, generalised areas and exports."""

from geo.public.areas import TREND_WORDS, generalise_polygons, trend_explanation
from geo.public.maps import (
    DEFAULT_TITLE,
    area_number,
    band_colour,
    default_explanation,
    public_geojson,
    public_html,
    public_map,
)
from geo.public.meeting import MEETING_COLUMNS, MeetingOutputs, meeting_outputs
from geo.public.monthly import monthly_counts_public
from geo.public.schema import (
    AREA_ID,
    INCIDENTS,
    INCIDENTS_BAND,
    MAIN_PROBLEMS,
    MIN_COUNT_FLOOR,
    MONTH_LABEL,
    PERIOD,
    PUBLIC_BOUNDS,
    PublicSettings,
    check_public,
    public_fields,
)
from geo.public.view import public_hotspots, public_view, write_public

__all__ = [
    "AREA_ID",
    "DEFAULT_TITLE",
    "INCIDENTS",
    "INCIDENTS_BAND",
    "MAIN_PROBLEMS",
    "MEETING_COLUMNS",
    "MIN_COUNT_FLOOR",
    "MONTH_LABEL",
    "PERIOD",
    "PUBLIC_BOUNDS",
    "TREND_WORDS",
    "MeetingOutputs",
    "PublicSettings",
    "area_number",
    "band_colour",
    "check_public",
    "default_explanation",
    "generalise_polygons",
    "meeting_outputs",
    "monthly_counts_public",
    "public_fields",
    "public_geojson",
    "public_hotspots",
    "public_html",
    "public_map",
    "public_view",
    "trend_explanation",
    "write_public",
]
