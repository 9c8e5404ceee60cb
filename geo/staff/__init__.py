"""Staff outputs: patrol tables, the printable patrol sheet and a run's files."""

from geo.staff.export import (
    hotspots_csv,
    hotspots_geojson,
    rejected_csv,
    write_outputs,
    write_texts,
)
from geo.staff.patrol import (
    PatrolView,
    compared_months,
    focus_area,
    patrol_view,
    period_caption,
    period_text,
    trend_words,
    window_trends,
)
from geo.staff.sheet import patrol_sheet_html, print_zoom
from geo.staff.sheet_map import inset_groups, svg_map
from geo.staff.tables import (
    category_mix,
    hotspots_in_wards,
    monthly_counts,
    patrol_table,
    score_words,
)

__all__ = [
    "PatrolView",
    "category_mix",
    "compared_months",
    "focus_area",
    "hotspots_csv",
    "hotspots_geojson",
    "hotspots_in_wards",
    "inset_groups",
    "monthly_counts",
    "patrol_sheet_html",
    "patrol_table",
    "patrol_view",
    "period_caption",
    "period_text",
    "print_zoom",
    "rejected_csv",
    "score_words",
    "svg_map",
    "trend_words",
    "window_trends",
    "write_outputs",
    "write_texts",
]
