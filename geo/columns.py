"""Column names shared by every pipeline stage (one place, so schemas stay in step)."""

from __future__ import annotations

# --- raw incident rows (after ``geo.io.incidents``) ---------------------------------------------
SOURCE_FILE = "source_file"  #: str, the file a row came from (name as given, not a full path)
ROW = "row"  #: int, spreadsheet row number in that file (the header is row 1)
SOURCE_KIND = "source_kind"  #: str, ``"police.uk"`` or ``"local"``
RAW_ID = "raw_id"  #: str, Crime ID / local id as written ("" when absent)
RAW_DATE = "raw_date"  #: str, Month (police.uk) or date (local) as written
RAW_CATEGORY = "raw_category"  #: str, Crime type / category as written
RAW_X = "raw_x"  #: str, longitude or easting as written
RAW_Y = "raw_y"  #: str, latitude or northing as written
XY_CRS = "xy_crs"  #: str, ``"EPSG:4326"`` (lon/lat) or ``"EPSG:27700"`` (easting/northing)
LOCATION = "location"  #: str, police.uk "On or near ..." text (confidential for single incidents)
LSOA_CODE = "lsoa_code"  #: str, police.uk LSOA code
OUTCOME = "outcome"  #: str, police.uk last outcome category
REPORT_SOURCE = "report_source"  #: str, local ``source`` column (confidential)
NOTES = "notes"  #: str, local ``notes`` column (confidential)

RAW_COLUMNS: tuple[str, ...] = (
    SOURCE_FILE,
    ROW,
    SOURCE_KIND,
    RAW_ID,
    RAW_DATE,
    RAW_CATEGORY,
    RAW_X,
    RAW_Y,
    XY_CRS,
    LOCATION,
    LSOA_CODE,
    OUTCOME,
    REPORT_SOURCE,
    NOTES,
)

# --- validated incidents ---------------------------------------------------------------
INCIDENT_ID = "incident_id"  #: str, raw id, or ``"<file>#<row>"`` when the source has none
X = "x"  #: float, longitude or easting (see ``XY_CRS``)
Y = "y"  #: float, latitude or northing
DATE = "date"  #: datetime64, first day of the month for police.uk rows
MONTH = "month"  #: str, ``YYYY-MM``
CATEGORY = "category"  #: str, category key from ``Settings.categories`` (e.g. ``"drugs"``)
WEIGHT = "weight"  #: float, category weight used by DBSCAN

# --- after projection / ward assignment / clustering -----------------------------------
#: float, metres: the x of the incident's point in the metric CRS (``geometry.x``), kept
#: beside the geometry so later stages read millions of coordinates without visiting each
#: Point (see :func:`geo.project.point_xy`)
X_M = "x_m"
Y_M = "y_m"  #: float, metres: the point's y (``geometry.y``)
WARD_CODE = "ward_code"  #: str, e.g. ONS ``E05006563``
WARD_NAME = "ward_name"  #: str, e.g. ``Rose Hill and Iffley``
CLUSTER = "cluster"  #: int, DBSCAN label inside the ward, -1 for noise
HOTSPOT_ID = "hotspot_id"  #: str, stable id ``<ward_code>-<nn>``, "" for noise

# --- rejected rows ---------------------------------------------------------------------
REASON = "reason"  #: str, plain-English reason a row was set aside
STAGE = "stage"  #: str, ``"invalid"``, ``"outside_wards"`` or ``"filtered"``

REJECTED_COLUMNS: tuple[str, ...] = (SOURCE_FILE, ROW, STAGE, REASON)

# --- hotspot summary -------------------------------------------------------------------
RANK = "rank"  #: int, 1 = highest weighted score in the study area
PLACE = "place"  #: str, police.uk place names ("Templars Square Shopping Centre / ..."), else ward
N_INCIDENTS = "n_incidents"  #: int
SCORE = "score"  #: float, sum of category weights
N_LOCATIONS = "n_locations"  #: int, distinct (snapped) map points
KIND = "kind"  #: str, ``"area"`` or ``"single location"``
CATEGORIES = "categories"  #: str, "Drugs 5, Anti-social behaviour 3"
TOP_CATEGORY = "top_category"  #: str, category key with most incidents
FIRST_MONTH = "first_month"  #: str, ``YYYY-MM``
LAST_MONTH = "last_month"  #: str, ``YYYY-MM``
RECENT_COUNT = "recent_count"  #: int, incidents in the latest trend period
PREVIOUS_COUNT = "previous_count"  #: int, incidents in the period before it
TREND = "trend"  #: str, ``rising``, ``falling``, ``no clear change``, ``new`` or ``n/a``
CENTROID_X = "centroid_x"  #: float, metres, projected CRS
CENTROID_Y = "centroid_y"  #: float, metres
CENTROID_LON = "centroid_lon"  #: float, WGS84
CENTROID_LAT = "centroid_lat"  #: float, WGS84
AREA_M2 = "area_m2"  #: float, area of the hotspot polygon in square metres
COUNT_PREFIX = "n_"  #: per-category count columns are ``n_<category>``
