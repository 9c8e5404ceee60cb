"""The public meeting view: allow-listed, generalised areas, their words, maps and exports."""

from geo.dates import period_words
from geo.public.area_list import AREA_LIST_CLASS, MEETING_COLUMNS, area_list_html, meeting_table
from geo.public.areas import TREND_WORDS, generalise_polygons, trend_explanation
from geo.public.fullscreen import (
    FULLSCREEN_CLASS,
    WHOLE_AREA_CLASS,
    FullScreenButton,
    WholeAreaButton,
)
from geo.public.maps import (
    DEFAULT_TITLE,
    area_number,
    band_colour,
    default_explanation,
    public_geojson,
    public_html,
    public_map,
)
from geo.public.meeting import MeetingOutputs, meeting_outputs
from geo.public.monthly import monthly_counts_public
from geo.public.schema import (
    AREA_ID,
    INCIDENTS,
    INCIDENTS_BAND,
    MAIN_PROBLEMS,
    MIN_COUNT_FLOOR,
    MONTH_LABEL,
    PERIOD,
    PLACE,
    PUBLIC_BOUNDS,
    PublicSettings,
    check_public,
    public_fields,
)
from geo.public.streets import (
    PUBLIC_STREET_TIERS,
    STREET_FIELDS,
    check_public_streets,
    is_street_name,
    public_street_layer,
    public_streets,
    streets_for_source,
)
from geo.public.view import public_hotspots, public_view, write_public
from geo.public.words import SOURCE_WORDS, area_places, data_source

__all__ = [
    "AREA_ID",
    "AREA_LIST_CLASS",
    "DEFAULT_TITLE",
    "FULLSCREEN_CLASS",
    "INCIDENTS",
    "INCIDENTS_BAND",
    "MAIN_PROBLEMS",
    "MEETING_COLUMNS",
    "MIN_COUNT_FLOOR",
    "MONTH_LABEL",
    "PERIOD",
    "PLACE",
    "PUBLIC_BOUNDS",
    "PUBLIC_STREET_TIERS",
    "SOURCE_WORDS",
    "STREET_FIELDS",
    "TREND_WORDS",
    "WHOLE_AREA_CLASS",
    "FullScreenButton",
    "MeetingOutputs",
    "PublicSettings",
    "WholeAreaButton",
    "area_list_html",
    "area_number",
    "area_places",
    "band_colour",
    "check_public",
    "check_public_streets",
    "data_source",
    "default_explanation",
    "generalise_polygons",
    "is_street_name",
    "meeting_outputs",
    "meeting_table",
    "monthly_counts_public",
    "period_words",
    "public_fields",
    "public_geojson",
    "public_hotspots",
    "public_html",
    "public_map",
    "public_street_layer",
    "public_streets",
    "public_view",
    "streets_for_source",
    "trend_explanation",
    "write_public",
]
