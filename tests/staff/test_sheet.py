"""The printable patrol sheet: places in the list, inset maps with ranks, scale, north, one A4."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo import columns as c
from geo.pipeline import run_files
from geo.places import street_points
from geo.settings import Settings
from geo.settings_edits import window_settings
from geo.staff import (
    inset_groups,
    patrol_sheet_html,
    period_text,
    print_zoom,
    svg_map,
    trend_words,
    window_trends,
)
from tests.browser_support import chromium
from tests.helpers import ROOT, X0, Y0

ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def shipped():
    return run_files()


@pytest.fixture(scope="module")
def sheet(shipped) -> str:
    streets = street_points(shipped.incidents)
    return patrol_sheet_html(
        shipped.hotspots, shipped.wards, period="p", data_label="d", streets=streets
    )


def squares(rows: list[tuple[int, float, float, float]]) -> gpd.GeoDataFrame:
    """Hotspots from (rank, dx, dy, side) squares in EPSG:27700."""
    return gpd.GeoDataFrame(
        {c.RANK: [r[0] for r in rows]},
        geometry=[box(X0 + dx, Y0 + dy, X0 + dx + s, Y0 + dy + s) for _, dx, dy, s in rows],
        crs="EPSG:27700",
    )


def test_patrol_sheet_lists_at_most_max_rows(shipped):
    r = shipped
    sheet = patrol_sheet_html(r.hotspots, r.wards, period="p", data_label="d", max_rows=4)
    # the sheet says what its Trend column compares, as the page does
    assert "Trend: the latest part of the window against the part before it." in sheet
    told = patrol_sheet_html(r.hotspots, r.wards, period="p", data_label="d", trend="Trend: X.")
    assert "Trend: X." in told and "the latest part of the window" not in told
    assert sheet.count("<tr>") == 1 + 4
    assert f"{len(r.hotspots) - 4} more hotspot(s) are in the CSV download" in sheet
    ranks = re.findall(r'<g class="rank">.*?>(\d+)</text></g>', sheet)
    assert sorted(set(map(int, ranks))) == [1, 2, 3, 4]


def test_every_listed_hotspot_has_its_place_and_its_number_on_an_inset(shipped, sheet):
    rows = re.findall(r"<tr>(.*?)</tr>", sheet)[1:16]  # after the header row
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    top = shipped.hotspots.head(15)
    assert [int(x[0]) for x in cells] == list(top[c.RANK])
    assert [x[1] for x in cells] == list(top[c.PLACE].str.replace("'", "&#x27;"))
    assert "Templars Square Shopping Centre" in cells[0][1]
    captions = dict(re.findall(r"<figcaption>([A-E]): (.*?)</figcaption>", sheet))
    assert len(captions) >= 2
    for x in cells:  # the Map letter names the inset whose caption lists that rank
        assert f"#{x[0]}" in captions[x[2]].split(", ")
    insets = re.findall(r'<svg[^>]*aria-label="Inset ([A-E])">(.*?)</svg>', sheet)
    assert [k for k, _ in insets] == sorted(captions)
    for letter, body in insets:
        badges = re.findall(r'<g class="rank">.*?>(\d+)</text></g>', body)
        listed = [r.lstrip("#") for r in captions[letter].split(", ")]
        assert set(listed) <= set(badges)
        assert body.count('<g class="scale-bar">') == 1 and '<g class="north-arrow">' in body
        assert 'class="street"' in body  # street names for finding it on the ground
    overview = re.search(r'aria-label="Overview map of the wards">(.*?)</svg>', sheet)
    assert overview and '<g class="rank">' not in overview.group(1)
    assert overview.group(1).count('class="inset-box"') == len(insets)
    assert "<script" not in sheet and "http" not in sheet.replace("http://www.w3.org", "")


def test_inset_groups_keep_near_hotspots_together_in_rank_order():
    hs = squares([(2, 0, 0, 30), (1, 3000, 0, 30), (3, 200, 0, 30)])
    assert inset_groups(hs) == [[1], [0, 2]]
    assert inset_groups(hs, max_insets=1) == [[1, 0, 2]]
    assert inset_groups(hs.iloc[:0]) == []


def test_scale_bar_north_arrow_and_badges_beside_tiny_shapes(two_wards):
    hs = squares([(1, 300, 300, 4), (2, 310, 302, 4)])  # two tiny shapes 10 m apart
    bounds = (X0, Y0, X0 + 1000, Y0 + 800)  # 300 px over 1000 m: 0.3 px a metre
    svg = svg_map(two_wards, hs, bounds=bounds, width_px=300, height_px=240)
    assert ">250 m</text>" in svg  # the longest round length within a quarter of the width
    assert '<g class="north-arrow">' in svg and ">N</text>" in svg
    badges = re.findall(
        r'<line x1="([\d.]+)" y1="([\d.]+)"[^>]*/><rect x="([\d.]+)" y="([\d.]+)" '
        r'width="([\d.]+)" height="([\d.]+)"',
        svg,
    )
    assert len(badges) == 2
    boxes = []
    for vx, vy, bx, by, bw, bh in (tuple(map(float, b)) for b in badges):
        assert bx > vx and by + bh < vy  # up and to the right of the shape's NE corner
        boxes.append((bx, by, bx + bw, by + bh))
    a, b = boxes
    assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])  # no overlap


def test_inset_street_names_are_escaped_named_and_once(two_wards):
    hs = squares([(1, 300, 300, 30)])
    streets = gpd.GeoDataFrame(
        {
            "name": ["<b>Oxford</b> Road", "<b>Oxford</b> Road", "Supermarket"],
            "generic": [False, False, True],
            c.N_INCIDENTS: [5, 3, 9],
        },
        geometry=gpd.points_from_xy([X0 + 250, X0 + 450, X0 + 350], [Y0 + 250] * 3),
        crs="EPSG:27700",
    )
    svg = svg_map(two_wards, hs, bounds=(X0, Y0, X0 + 800, Y0 + 600), streets=streets)
    assert svg.count('class="street"') == 1
    assert "&lt;b&gt;Oxford&lt;/b&gt; Road" in svg and "<b>" not in svg
    assert "Supermarket" not in svg


def _pdf_pages(html: str, tmp_path: Path, screenshot: Path | None = None) -> int:
    page_file = tmp_path / "sheet.html"
    page_file.write_text(html, encoding="utf-8")
    with chromium() as browser:
        # an A4 page's width at 96 dpi (794 px), drawn at 1.5 pixels a point
        page = browser.new_page(viewport={"width": 794, "height": 1123}, device_scale_factor=1.5)
        page.goto(page_file.as_uri())
        pdf = page.pdf(format="A4")
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.emulate_media(media="print")
            page.screenshot(path=str(screenshot), full_page=True)
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def _badges_by_panel(sheet: str) -> dict[str, list[tuple[int, float, float, float, float]]]:
    """``(rank, x, y, width, height)`` of every rank badge, by the panel's accessible name."""
    found = re.findall(
        r'<svg[^>]*viewBox="0 0 (\d+) (\d+)"[^>]*aria-label="([^"]+)">(.*?)</svg>', sheet
    )
    out = {}
    for w, h, label, body in found:
        badges = re.findall(
            r'<g class="rank"><line[^>]*/><rect x="([-\d.]+)" y="([-\d.]+)" '
            r'width="([\d.]+)" height="([\d.]+)".*?>(\d+)</text></g>',
            body,
        )
        out[f"{label} {w}x{h}"] = [
            (int(r), float(x), float(y), float(bw), float(bh)) for x, y, bw, bh, r in badges
        ]
    return out


def test_rank_badges_stay_inside_their_inset(two_wards):
    # a shape touching the top edge, one in the top right corner under the north arrow
    hs = squares([(1, 300, 770, 20), (2, 960, 760, 30), (3, 500, 400, 20)])
    bounds = (X0, Y0, X0 + 1000, Y0 + 800)
    svg = svg_map(two_wards, hs, bounds=bounds, width_px=300, height_px=240, label="Inset")
    (badges,) = _badges_by_panel(svg).values()
    assert sorted(b[0] for b in badges) == [1, 2, 3]
    for rank, x, y, w, h in badges:
        assert x >= 0 and x + w <= 300 and y >= 0 and y + h <= 240, (rank, x, y)
    boxes = [(x, y, x + w, y + h) for _, x, y, w, h in badges]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    # away from the edges the badge stays up and to the right of the shape
    third = next(b for b in badges if b[0] == 3)
    cx, cy = (520 - 0) * 0.3, (800 - 420) * 0.3  # the shape's north-east corner in pixels
    assert third[1] > cx and third[2] + third[4] < cy


@pytest.mark.browser
def test_every_hotspot_of_the_patrol_window_is_listed_and_mapped_on_one_page(tmp_path):
    """The Patrol page's default window (3 months, all wards): no hotspot is left to the CSV."""
    ws = window_settings(Settings(), last_month="2018-11", months=3)
    r = run_files(settings=ws)
    assert len(r.hotspots) == 16
    every = run_files()
    # as the page makes it: the window's trends against the 3 months before it
    hotspots = window_trends(r.hotspots, every.incidents, since="2018-09", until="2018-11")
    assert hotspots is not None
    months = sorted(set(every.incidents[c.MONTH].astype(str)))
    sheet = patrol_sheet_html(
        hotspots,
        r.wards,
        period=period_text(months, "2018-09", "2018-11", 3),
        data_label="police.uk, shipped data",
        streets=street_points(every.incidents),
        trend=trend_words(ws, 3, whole_window=True),
    )
    assert "September to November 2018 (3 months)" in sheet
    assert "against the 3 months before (June to August 2018)" in sheet
    rows = re.findall(r"<tr><td>(\d+)</td>", sheet)
    assert list(map(int, rows)) == list(range(1, 17))
    assert "in the CSV download" not in sheet
    panels = _badges_by_panel(sheet)
    on_insets = {b[0] for label, bs in panels.items() if label.startswith("Inset") for b in bs}
    assert on_insets == set(range(1, 17))
    for label, badges in panels.items():  # every badge whole inside its panel
        for rank, x, y, w, h in badges:
            assert x >= 0 and x + w <= 300 and y >= 0 and y + h <= 230, (label, rank, x, y)
    assert _pdf_pages(sheet, tmp_path, ARTIFACTS / "patrol_sheet.png") == 1
    # a longer list is printed smaller, still on one page
    many = run_files(settings=Settings(eps_m=60, min_samples_per_month=1.67)).hotspots
    thirty = many.sort_values(c.RANK).head(30)
    long = patrol_sheet_html(thirty, r.wards, period="p", data_label="d")
    assert long.count("<tr><td>") == 30
    assert print_zoom(30) < 1.0 == print_zoom(16)
    assert _pdf_pages(long, tmp_path) == 1


@pytest.mark.browser
def test_patrol_sheet_prints_on_one_a4_page(shipped, sheet, tmp_path):
    assert _pdf_pages(sheet, tmp_path) == 1
    # the count is real: a list of every hotspot of a run with many does not fit one page
    many = run_files(settings=Settings(eps_m=60, min_samples_per_month=1.67)).hotspots
    assert len(many) == 67
    long = patrol_sheet_html(many, shipped.wards, period="p", data_label="d", max_rows=len(many))
    assert _pdf_pages(long, tmp_path) > 1
