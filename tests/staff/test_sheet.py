"""The printable patrol sheet on the shipped data: at most ``max_rows`` hotspots listed."""

from __future__ import annotations

from geo.pipeline import run_files
from geo.staff import patrol_sheet_html


def test_patrol_sheet_lists_at_most_max_rows():
    r = run_files()
    sheet = patrol_sheet_html(r.hotspots, r.wards, period="p", data_label="d", max_rows=4)
    assert sheet.count("<tr>") == 1 + 4
    assert f"{len(r.hotspots) - 4} more hotspot(s) are in the CSV download" in sheet
    assert sheet.count('class="hotspot"') == 4
