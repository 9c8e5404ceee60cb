"""Hostile names in every standalone HTML output, opened in headless Chromium: nothing runs.

Ward names, category labels, candidate site names, intervention ids and the public map's
title are set to script payloads (an ``<img onerror>``, a ``${...}`` template expression,
a lone backtick, a ``</script>`` break-out). The four HTML files a user can open (the
public meeting map from ``export-public``, the staff ``map.html`` from ``hotspots``, the
postbox map from ``postbox next --out`` and the intervention map) are written through the
real commands and functions, then opened from disk with every popup and tooltip opened in
turn. No dialog may fire, no page error may occur, the map must draw, and the hostile text
must show as the literal text. Fails, never skips, without Chromium.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo.cli.main import main
from geo.interventions import evaluate_files, intervention_map
from geo.maps import offline_html
from geo.paths import DATA_DIR
from geo.settings import Settings
from geo.settings_toml import load_settings
from tests.browser_support import chromium

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=alert(1)>"
EXPR = "${alert(1)}"
TICK = "`"
BREAK = "</script><script>alert(1)</script>"
HOSTILE = (IMG, EXPR, TICK, BREAK)

#: Opens every popup and tooltip on every Leaflet map of the page, one after another, and
#: returns what each showed and how many vector paths the maps hold.
OPEN_ALL = """async () => {
    const maps = Object.keys(window)
        .filter((k) => /^map_[0-9a-f]+$/.test(k) && window[k] instanceof L.Map)
        .map((k) => window[k]);
    const shown = [];
    let paths = 0;
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    for (const map of maps) {
        const layers = [];
        map.eachLayer((layer) => layers.push(layer));
        for (const layer of layers) {
            // single features only; the groups holding them hear their events
            let at = null;
            if (layer instanceof L.Path) {
                paths += 1;
                at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
            } else if (layer instanceof L.Marker) {
                at = layer.getLatLng();
            }
            if (!at) continue;
            layer.fire("mouseover", {latlng: at, layer: layer}, true);
            layer.fire("click", {latlng: at, layer: layer}, true);
            await pause();
            document.querySelectorAll(".leaflet-popup-content, .leaflet-tooltip").forEach(
                (el) => shown.push(el.textContent)
            );
            layer.fire("mouseout", {latlng: at, layer: layer}, true);
        }
    }
    return {maps: maps.length, paths: paths, shown: shown};
}"""


def _hostile_inputs(folder: Path) -> dict[str, Path]:
    """Boundaries, settings, sites and interventions with hostile names, written to ``folder``."""
    wards = gpd.read_file(DATA_DIR / "boundaries" / "se_oxford_wards_WD13.geojson")
    name_col = next(col for col in wards.columns if col.upper().endswith("NM"))
    wards[name_col] = [
        f"{HOSTILE[i % len(HOSTILE)]} {name}" for i, name in enumerate(wards[name_col])
    ]
    boundaries = folder / "wards.geojson"
    wards.to_file(boundaries, driver="GeoJSON")

    toml = Settings().to_toml()
    for plain, hostile in (
        ('label = "Drugs"', f'label = "Drugs {IMG} {TICK}"'),
        ('label = "Anti-social behaviour"', f'label = "ASB {EXPR} {BREAK}"'),
    ):
        assert plain in toml
        toml = toml.replace(plain, hostile)
    config = folder / "settings.toml"
    config.write_text(toml, encoding="utf-8")

    sites = pd.read_csv(DATA_DIR / "sites" / "se_oxford_sites.csv", dtype=str).fillna("")
    sites["name"] = [f"{HOSTILE[i % len(HOSTILE)]} {name}" for i, name in enumerate(sites["name"])]
    sites_csv = folder / "sites.csv"
    sites.to_csv(sites_csv, index=False)

    events = pd.read_csv(
        DATA_DIR / "interventions" / "example_interventions.csv", dtype=str
    ).fillna("")
    events["id"] = [f"EX{i}{HOSTILE[i % len(HOSTILE)]}" for i in range(len(events))]
    events_csv = folder / "interventions.csv"
    events.to_csv(events_csv, index=False)
    return {"boundaries": boundaries, "config": config, "sites": sites_csv, "events": events_csv}


@pytest.fixture(scope="module")
def hostile_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The four standalone HTML outputs, written with hostile names."""
    folder = tmp_path_factory.mktemp("hostile")
    given = _hostile_inputs(folder)
    data = ["--boundaries", str(given["boundaries"]), "--config", str(given["config"])]
    quiet = ["--no-progress"]
    title = f"Meeting {IMG} {EXPR} {TICK} {BREAK}"
    out = {name: folder / name for name in ("staff", "public", "postbox")}
    assert main(["hotspots", *data, *quiet, "--out", str(out["staff"])]) == 0
    assert (
        main(["export-public", *data, *quiet, "--title", title, "--out", str(out["public"])]) == 0
    )
    postbox = ["postbox", "next", *data, *quiet, "--sites", str(given["sites"])]
    assert main([*postbox, "--data-dir", str(folder), "--out", str(out["postbox"])]) == 0
    results, _ = evaluate_files(
        given["events"], None, given["boundaries"], load_settings(given["config"])
    )
    located = [r for r in results if r.plan.point is not None]
    assert located, "the example interventions include one with a location"
    page = folder / "intervention_map.html"
    page.write_text(offline_html(intervention_map(located[0])), encoding="utf-8")
    return {
        "public": out["public"] / "public_map.html",
        "staff": out["staff"] / "map.html",
        "postbox": out["postbox"] / "postbox_map.html",
        "intervention": page,
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


@pytest.mark.parametrize("output", ["public", "staff", "postbox", "intervention"])
def test_hostile_names_run_nothing_and_show_as_text(hostile_pages, browser, output):
    page = browser.new_page(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    dialogs: list[str] = []
    errors: list[str] = []

    def on_dialog(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(hostile_pages[output].as_uri(), wait_until="load")
        page.wait_for_timeout(300)  # an <img onerror> fires after its load fails
        seen = page.evaluate(OPEN_ALL)
        page.wait_for_timeout(500)
    finally:
        page.close()
    assert dialogs == []
    assert errors == []
    assert seen["maps"] == 1
    assert seen["paths"] > 0, "the map drew no ward or area outlines"
    shown = " ".join(seen["shown"])
    # the hostile names reached the popups and tooltips, as the literal text
    assert IMG in shown
    assert EXPR in shown or TICK in shown or BREAK in shown
